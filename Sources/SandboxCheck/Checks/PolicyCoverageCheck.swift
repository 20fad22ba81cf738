import Foundation
import SandboxAWS
import SandboxCore
import SandboxEngine
import SandboxPolicy
import SandboxServices

/// The stack's iam_policy documents allow every call the CI-side commands declare (proven offline); then, when the
/// caller may, IAM's own simulator confirms it on the same calls.
struct PolicyCoverageCheck: ReadinessCheck {
    /// The stack file, for the fix.
    let file: String
    /// What the state backend's object and lock need of the CI identity (empty for a local state).
    let stateCalls: [DeclaredCall]

    var name: CheckName { .policy }
    var requires: Set<CheckName> { [.stack] }

    /// What the offline proof never sees, said on every run so a pass is not read as more than it is.
    static let offlineLimits = "service control policies, permission boundaries, session policies and resource policies are not evaluated offline"

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let evaluation = try context.evaluation()
        let calls = CIRole.calls(desired: evaluation.desired, context: evaluation.provider, settings: try? evaluation.settings?.get(),
                                 stateCalls: stateCalls)
        return CheckOutcome(await verdict(desired: evaluation.desired, calls: calls, context: evaluation.provider))
    }

    func verdict(desired: DesiredState, calls: [DeclaredCall], context: ProviderContext) async -> CheckResult {
        let policies: [IAMPolicy]
        do {
            policies = try CIRole.policies(desired: desired)
        } catch {
            return CheckResult(name: name.description, status: .fail, detail: error.oneLine, fix: "fix the iam_policy document in \(file)", category: .usage)
        }
        guard !policies.isEmpty else {
            return .skip(name, "the stack declares no iam_policy: nothing scopes the CI identity")
        }
        let proof = PolicyProof(policies: policies)
        let required = calls.filter(\.required)
        if let gap = proof.gaps(calls).first {
            return CheckResult(name: name.description, status: .fail, detail: gap.description,
                               fix: "add \(gap.call.action) on \(gap.call.resource) to the iam_policy in \(file) and run sandbox apply (sandbox policy --for ci prints a policy that covers every call)",
                               category: .aws)
        }
        var detail = "\(policies.map(\.name).joined(separator: ", ")) allows all \(Set(required.map(\.sampleRequest)).count) calls of "
            + CIRole.commands.joined(separator: ", ")
            + (stateCalls.isEmpty ? "" : " and the S3 state") + " (offline proof; \(Self.offlineLimits)"
        let unprovable = proof.unprovableStatements
        if !unprovable.isEmpty { detail += "; cannot be proven offline: " + unprovable.joined(separator: ", ") }
        detail += "); " + (await simulate(policies: desired, calls: required, context: context))
        return CheckResult(name: name.description, status: .pass, detail: detail)
    }

    /// iam:SimulateCustomPolicy on the same calls, grouped by resource and prefix. Any failure to ask (denied,
    /// not implemented by the endpoint) is one clause saying it was skipped; a different verdict is said too.
    func simulate(policies desired: DesiredState, calls: [DeclaredCall], context: ProviderContext) async -> String {
        let documents = CIRole.policyDocuments(desired).map(\.compactJSON)
        var groups: [String: (resource: String, context: [String: String], actions: Set<String>)] = [:]
        for call in calls {
            let request = call.sampleRequest
            let key = request.resource + "\u{0}" + (request.context["s3:prefix"] ?? "")
            groups[key, default: (request.resource, request.context, [])].actions.insert(call.action)
        }
        // A confirmation, not a dependency: one attempt each, so an endpoint without the simulator costs no retries.
        let c = context.client
        let iam = IAMClient(AWSClient(region: c.region, endpoints: c.endpoints, credentialProvider: c.credentialProvider, transport: c.transport,
                                      retryPolicy: RetryPolicy(maxAttempts: 1), clock: c.clock, sleeper: c.sleeper, log: c.log, stats: c.stats))
        do {
            var checked = 0
            for key in groups.keys.sorted() {
                guard let group = groups[key] else { continue }
                let results = try await iam.simulateCustomPolicy(documents: documents, actions: group.actions.sorted(),
                                                                 resources: [group.resource], context: group.context)
                if let denied = results.first(where: { !$0.allowed }) {
                    return "iam:SimulateCustomPolicy disagrees: \(denied.decision) for \(denied.action) on \(denied.resource)"
                }
                checked += results.count
            }
            return "iam:SimulateCustomPolicy confirms \(checked) verdicts"
        } catch {
            return "iam:SimulateCustomPolicy skipped: \(Self.shortReason(error))"
        }
    }

    static func shortReason(_ error: Error) -> String {
        if let aws = error as? AWSError {
            return aws.kind == .accessDenied ? "the caller may not call it (\(aws.code))" : "\(aws.code) (HTTP \(aws.status)) from the endpoint"
        }
        if let malformed = error as? MalformedResponseError {
            return "the endpoint answered HTTP \(malformed.status) without an AWS response (it does not implement the simulator)"
        }
        return error.oneLine
    }
}
