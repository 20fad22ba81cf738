/// One request as IAM's authorization sees it: an action on a resource, with the request's condition keys.
public struct AccessRequest: Sendable, Hashable, CustomStringConvertible {
    public let action: String
    public let resource: String
    /// Condition keys the request carries (`s3:prefix`), by lower-cased name.
    public let context: [String: String]

    public init(action: String, resource: String, context: [String: String] = [:]) {
        self.action = action
        self.resource = resource
        self.context = Dictionary(context.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    public var description: String {
        let keys = context.keys.sorted().map { "\($0)=\"\(context[$0] ?? "")\"" }
        return "\(action) on \(resource)" + (keys.isEmpty ? "" : " (\(keys.joined(separator: ", ")))")
    }
}

/// What the policies say about one request.
public enum Decision: Sendable, Equatable {
    /// An Allow statement (named) covers it and no Deny does.
    case allowed(policy: String, statement: String)
    /// No statement allows it.
    case implicitlyDenied
    /// A Deny statement (named) covers it: explicit Deny always wins.
    case explicitlyDenied(policy: String, statement: String)
    /// The verdict hangs on a condition this evaluator does not model; it is never taken as allowed.
    case unprovable(policy: String, statement: String, reason: String)

    public var isAllowed: Bool { if case .allowed = self { return true }; return false }
}

/// Evaluates identity-based policies the way IAM does for one account: explicit Deny wins, then any Allow,
/// otherwise the request is implicitly denied. Modelled offline: Action/NotAction, Resource/NotResource,
/// `*` and `?` wildcards (actions without case, ARNs with case), and `StringEquals`/`StringLike` on `s3:prefix`.
/// Any other condition (operator or key) makes its statement "cannot be proven offline".
public enum PolicyEvaluator {
    /// The condition keys whose values a declared call can state (the request's own parameters).
    public static let modelledKeys: Set<String> = ["s3:prefix"]
    /// The operators modelled; `…IfExists` and set operators (`ForAllValues:`) are not.
    public static let modelledOperators: Set<String> = ["StringEquals", "StringLike"]

    public static func evaluate(_ policies: [IAMPolicy], _ request: AccessRequest) -> Decision {
        var allow: Decision?
        var unprovableAllow: Decision?
        var unprovableDeny: Decision?
        for policy in policies {
            for (index, statement) in policy.statements.enumerated() {
                guard covers(statement, request) else { continue }
                let label = statement.label(index)
                switch conditionsHold(statement.conditions, request) {
                case .no:
                    continue
                case .unknown(let reason):
                    let verdict = Decision.unprovable(policy: policy.name, statement: label, reason: reason)
                    if statement.effect == .deny { unprovableDeny = unprovableDeny ?? verdict } else { unprovableAllow = unprovableAllow ?? verdict }
                case .yes:
                    if statement.effect == .deny { return .explicitlyDenied(policy: policy.name, statement: label) }
                    allow = allow ?? .allowed(policy: policy.name, statement: label)
                }
            }
        }
        // A Deny that might apply means the Allow cannot be trusted.
        if let unprovableDeny { return unprovableDeny }
        if let allow { return allow }
        return unprovableAllow ?? .implicitlyDenied
    }

    /// Action and resource are both within the statement (conditions aside).
    static func covers(_ statement: PolicyStatement, _ request: AccessRequest) -> Bool {
        let actionHit: Bool
        switch statement.actions {
        case .matching(let list): actionHit = list.contains { WildcardPattern($0, caseSensitive: false).matches(request.action) }
        case .notMatching(let list): actionHit = !list.contains { WildcardPattern($0, caseSensitive: false).matches(request.action) }
        }
        guard actionHit, let resources = statement.resources else { return false }
        switch resources {
        case .matching(let list): return list.contains { WildcardPattern($0).matches(request.resource) }
        case .notMatching(let list): return !list.contains { WildcardPattern($0).matches(request.resource) }
        }
    }

    enum Truth: Equatable { case yes, no, unknown(String) }

    /// Every condition must hold (AND); within one, any value may match (OR). A key the request lacks fails
    /// `StringEquals`/`StringLike`, as in IAM.
    static func conditionsHold(_ conditions: [PolicyStatement.Condition], _ request: AccessRequest) -> Truth {
        var result = Truth.yes
        for condition in conditions {
            guard modelledOperators.contains(condition.op), modelledKeys.contains(condition.key.lowercased()) else {
                return .unknown("condition \(condition.op) on \(condition.key) cannot be proven offline")
            }
            guard let value = request.context[condition.key.lowercased()] else { result = .no; continue }
            let hit = condition.op == "StringEquals"
                ? condition.values.contains(value)
                : condition.values.contains { WildcardPattern($0).matches(value) }
            if !hit { result = .no }
        }
        return result
    }
}
