/// The offline proof that a role's policies allow every call its commands declare.
public struct PolicyProof: Sendable {
    /// A declared call the policies do not allow (or cannot be shown to allow).
    public struct Gap: Sendable, Equatable, CustomStringConvertible {
        public let call: DeclaredCall
        public let decision: Decision
        public let policy: String

        /// `policy P does not allow s3:ListBucketMultipartUploads on arn:aws:s3:::B (cleanup needs it)`
        public var description: String {
            let needs = "(\(call.command) needs it)"
            let request = "\(call.action) on \(call.resource)" + (call.prefix.map { " with s3:prefix \"\($0)\"" } ?? "")
            switch decision {
            case .explicitlyDenied(let denying, let statement):
                return "policy \(denying) denies \(request) in \(statement) \(needs)"
            case .unprovable(let named, let statement, let reason):
                return "policy \(named) cannot be shown to allow \(request): \(statement) has a \(reason) \(needs)"
            case .implicitlyDenied, .allowed:
                return "policy \(policy) does not allow \(request) \(needs)"
            }
        }
    }

    public let policies: [IAMPolicy]

    public init(policies: [IAMPolicy]) {
        self.policies = policies
    }

    /// Every call's verdict, in order; only `required` calls can be gaps.
    public func gaps(_ calls: [DeclaredCall]) -> [Gap] {
        calls.filter(\.required).compactMap { call in
            let decision = PolicyEvaluator.evaluate(policies, call.sampleRequest)
            return decision.isAllowed ? nil : Gap(call: call, decision: decision, policy: policies.first?.name ?? "(none)")
        }
    }

    /// Statements whose conditions the evaluator does not model: what the offline proof cannot speak for.
    public var unprovableStatements: [String] {
        policies.flatMap { policy in
            policy.statements.enumerated().compactMap { index, statement -> String? in
                let unknown = statement.conditions.filter {
                    !PolicyEvaluator.modelledOperators.contains($0.op) || !PolicyEvaluator.modelledKeys.contains($0.key.lowercased())
                }
                guard let first = unknown.first else { return nil }
                return "\(policy.name) \(statement.label(index)) (\(first.op) on \(first.key))"
            }
        }
    }
}
