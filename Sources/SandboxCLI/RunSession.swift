import Foundation
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxStack
import SandboxState

/// What run commands share: the stack's run settings resolved from state (or, without state, from the stack).
struct RunSession: Sendable {
    let session: StackSession
    let settings: RunSettings
    /// The run ids asked for, checked against the generic rule and the stack's id pattern.
    let runIds: [RunID]

    /// Checks the run ids (`--run`, the stack's id_variable) once, against the stack's pattern and before any AWS call,
    /// then resolves the run settings.
    static func open(_ invocation: Invocation, stackOptions: StackOptionGroup, awsOptions: AWSOptionGroup, runIds: [String] = []) async throws -> RunSession {
        let stackPath = try Paths.stack(stackOptions.stack, environment: invocation.environment)
        let stack = try StackParser.load(path: stackPath)
        guard let scheme = stack.runs else {
            throw SimpleError(.usage, "\(stack.file) declares no runs: section; add one with id_pattern, bucket and glue_prefix")
        }
        // The id itself, offline; the full scope (bucket, prefix, database) is checked before S3 or Glue is touched.
        let checked = try runIds.map(scheme.runID)
        let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: awsOptions, requireVariables: false)
        var known: [String: Attributes] = [:]
        for record in try await session.state.read({ store in try store?.resources() ?? [] }) where record.status == .created {
            known[record.address.name] = record.attributes
        }
        let desired = try DesiredState.evaluate(stack, variables: session.variables, accountId: session.identity.account, region: session.region,
                                                providerContext: session.context, known: known, lenient: true)
        var context = desired.context
        for (name, attributes) in known { context.attributes[name] = attributes }
        return RunSession(session: session, settings: try RunSettings.resolve(stack, context: context), runIds: checked)
    }
}
