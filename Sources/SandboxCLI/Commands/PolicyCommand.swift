import ArgumentParser
import Foundation
import SandboxBackend
import SandboxCheck
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxPolicy
import SandboxStack

/// `sandbox policy`: the minimal IAM policy document for the tests' identity or the CI identity, computed from
/// the stack's declared test permissions and the calls sandbox's CI-side commands declare.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Print the minimal IAM policy for the tests or the CI identity.",
        discussion: "stdout is only the policy document: sandbox policy --for ci | aws iam create-policy --policy-name NAME --policy-document file:///dev/stdin. "
            + "--json prints {role, policy, calls} with every declared call. Exit codes: 0, 2 usage or stack error, 3 credentials, 4 AWS.")

    enum Role: String, ExpressibleByArgument, CaseIterable { case tests, ci }

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @Option(name: .customLong("for"), help: "tests (the stack's test statements) or ci (tests plus what check, cleanup, run and report need).")
    var role: Role = .ci
    @Flag(help: "Print the role, the document and every declared call as one JSON object.")
    var json = false

    struct Declaration: Encodable {
        let role: String
        let policy: JSONValue
        let calls: [DeclaredCall]
    }

    func run() async throws {
        let invocation = Invocation(output: nil)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: aws, requireVariables: false)
            var known: [String: Attributes] = [:]
            for record in try await session.state.read({ store in try store?.resources() ?? [] }) where record.status == .created {
                known[record.address.name] = record.attributes
            }
            let desired = try DesiredState.evaluate(session.stack, variables: session.variables, accountId: session.identity.account,
                                                    region: session.region, providerContext: session.context, known: known, lenient: true)
            var context = desired.context
            for (name, attributes) in known { context.attributes[name] = attributes }
            let settings = session.stack.runs == nil ? nil : try RunSettings.resolve(session.stack, context: context)
            var stateCalls: [DeclaredCall] = []
            if case .s3(let bucket, let key) = session.state.location {
                stateCalls = S3StateBackend.declaredCalls(bucket: bucket, key: key, region: session.region)
            }
            let tests = CIRole.testStatements(desired: desired)
            guard !tests.isEmpty || role == .ci else {
                throw SimpleError(.usage, "\(session.stack.file) declares no iam_policy statements for the tests; add an iam_policy resource")
            }
            let calls = role == .ci ? CIRole.calls(desired: desired, context: session.context, settings: settings, stateCalls: stateCalls) : []
            let document = PolicyBuilder.document(base: tests, calls: calls)
            if json {
                console.out(try JSONOutput.encode(Declaration(role: role.rawValue, policy: document, calls: calls)))
            } else {
                console.out(try JSONOutput.encode(document))
            }
            return 0
        }
    }
}
