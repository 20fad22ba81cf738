import Foundation
import SandboxAWS

/// One verdict of iam:SimulateCustomPolicy: `allowed`, `explicitDeny` or `implicitDeny` for an action on a resource.
public struct SimulationResult: Sendable, Equatable {
    public let action: String
    public let resource: String
    public let decision: String
    public var allowed: Bool { decision == "allowed" }
}

extension IAMClient {
    /// Asks IAM's own evaluator whether `documents` allow `actions` on `resources` (botocore iam
    /// SimulateCustomPolicy: PolicyInputList, ActionNames, ResourceArns, ContextEntries; results paged by Marker).
    public func simulateCustomPolicy(documents: [String], actions: [String], resources: [String],
                                     context: [String: String] = [:]) async throws -> [SimulationResult] {
        try await collect("SimulateCustomPolicy", { p in
            p.addList("PolicyInputList", documents)
            p.addList("ActionNames", actions)
            p.addList("ResourceArns", resources)
            for (index, key) in context.keys.sorted().enumerated() {
                p.add("ContextEntries.member.\(index + 1).ContextKeyName", key)
                p.add("ContextEntries.member.\(index + 1).ContextKeyValues.member.1", context[key])
                p.add("ContextEntries.member.\(index + 1).ContextKeyType", "string")
            }
        }, items: { result in
            (result.child("EvaluationResults")?.all("member") ?? []).map {
                SimulationResult(action: $0.string("EvalActionName") ?? "", resource: $0.string("EvalResourceName") ?? "",
                                 decision: $0.string("EvalDecision") ?? "")
            }
        })
    }
}
