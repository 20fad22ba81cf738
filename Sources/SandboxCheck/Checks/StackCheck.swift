import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxStack

/// Evaluates the stack against the account, the region and what the state records; listed only when it fails.
struct StackCheck: ReadinessCheck {
    let stack: Stack
    let variables: [String: JSONValue]

    var name: CheckName { .stack }
    var requires: Set<CheckName> { [.account] }
    /// Recorded attributes fill in what only apply knows (ARNs); an unreadable state leaves them unknown.
    var reads: Set<CheckName> { [.state] }
    var listedWhenSkipped: Bool { false }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let account = try context.identity().account
        let client = context.aws.client
        let provider = ProviderContext(client: client, accountId: account, region: context.region, commonTags: [:],
                                       consistency: ConsistencyPolicy(attempts: 1, sleeper: client.sleeper))
        var known: [String: Attributes] = [:]
        for record in context.findings.records ?? [] where record.status == .created { known[record.address.name] = record.attributes }
        let desired: DesiredState
        do {
            desired = try DesiredState.evaluate(stack, variables: variables, accountId: account, region: context.region,
                                                providerContext: provider, known: known, lenient: true)
        } catch {
            return CheckOutcome(CheckResult(name: name.description, status: .fail, detail: error.oneLine, fix: "run sandbox validate", category: .usage))
        }
        var runContext = desired.context
        for (name, attributes) in known { runContext.attributes[name] = attributes }
        let settings: Result<RunSettings, Error>? = stack.runs == nil ? nil : Result { try RunSettings.resolve(stack, context: runContext) }
        var findings = Findings()
        findings.evaluation = StackEvaluation(desired: desired, provider: provider, known: known, settings: settings)
        return CheckOutcome(nil, findings: findings)
    }
}
