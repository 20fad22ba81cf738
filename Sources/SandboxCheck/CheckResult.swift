import Foundation
import SandboxCore

/// One line of the readiness check.
public struct CheckResult: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pass, warn, fail, skip

        public var mark: String {
            switch self {
            case .pass: return "✓"
            case .warn: return "!"
            case .fail: return "✗"
            case .skip: return "-"
            }
        }
    }

    public let name: String
    public let status: Status
    public let detail: String
    /// How to fix a failure or warning.
    public let fix: String?
    public let seconds: Double
    /// Set on failures: credentials/setup failures exit 3, others 1.
    public let category: FailureCategory?

    public init(name: String, status: Status, detail: String, fix: String? = nil, seconds: Double = 0, category: FailureCategory? = nil) {
        self.name = name
        self.status = status
        self.detail = detail
        self.fix = fix
        self.seconds = seconds
        self.category = category
    }

    enum CodingKeys: String, CodingKey {
        case name, status, detail, fix, category
        case seconds = "duration_seconds"
    }
}

/// The whole check: every result, in order, and whether the sandbox is ready.
public struct ReadinessReport: Sendable, Encodable {
    public let results: [CheckResult]
    public let accountId: String?
    public let region: String?
    public let seconds: Double
    /// The stack's outputs (bucket, prefixes, policy ARN) for `--env`.
    public let environment: [String: String]

    public init(results: [CheckResult], accountId: String?, region: String?, seconds: Double, environment: [String: String]) {
        self.results = results
        self.accountId = accountId
        self.region = region
        self.seconds = seconds
        self.environment = environment
    }

    public var ready: Bool { !results.contains { $0.status == .fail } }
    public var firstFailure: CheckResult? { results.first { $0.status == .fail } }
    public func failed(_ category: FailureCategory) -> Bool { results.contains { $0.status == .fail && $0.category == category } }
    /// Credentials or setup: no, expired or rejected credentials, or the wrong account.
    public var credentialFailure: Bool { failed(.credentials) }
    /// The stack or the flags are wrong (stack does not evaluate, region differs from the pinned one).
    public var usageFailure: Bool { failed(.usage) }

    enum CodingKeys: String, CodingKey {
        case ready, firstFailure = "first_failure", accountId = "account_id", region, seconds = "duration_seconds", checks, environment
        case counts
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ready, forKey: .ready)
        try container.encode(firstFailure?.name, forKey: .firstFailure)
        try container.encode(accountId, forKey: .accountId)
        try container.encode(region, forKey: .region)
        try container.encode(seconds, forKey: .seconds)
        var counts: [String: Int] = [:]
        for status in [CheckResult.Status.pass, .warn, .fail, .skip] { counts[status.rawValue] = results.filter { $0.status == status }.count }
        try container.encode(counts, forKey: .counts)
        try container.encode(results, forKey: .checks)
        try container.encode(environment, forKey: .environment)
    }
}
