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
}

/// The whole check: every result, in order, and whether the sandbox is ready.
public struct ReadinessReport: Sendable, Codable {
    public let results: [CheckResult]
    public let accountId: String?
    public let region: String?
    public let seconds: Double
    public let environment: [String: String]

    public var ready: Bool { !results.contains { $0.status == .fail } }
    public var firstFailure: CheckResult? { results.first { $0.status == .fail } }
    public var credentialFailure: Bool { results.contains { $0.status == .fail && $0.category == .credentials } }
}
