import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxServices
import SandboxState

/// One readiness check: its name, what it needs before it can run, and the check itself.
protocol ReadinessCheck: Sendable {
    var name: CheckName { get }
    /// Checks that must not fail: when one fails (or is skipped because its own requirement failed), this check is
    /// reported skipped, naming that first failure.
    var requires: Set<CheckName> { get }
    /// Checks whose findings this one reads without needing them to pass (it runs after them).
    var reads: Set<CheckName> { get }
    /// False for a step that is listed only when it fails (the stack evaluation), so a skip of it is not listed.
    var listedWhenSkipped: Bool { get }
    /// Throwing is a failure of this check, in one line.
    func run(_ context: CheckContext) async throws -> CheckOutcome
}

extension ReadinessCheck {
    var reads: Set<CheckName> { [] }
    var listedWhenSkipped: Bool { true }
}

/// What a check found: its line (nil: nothing to list), and what later checks read.
struct CheckOutcome: Sendable {
    var result: CheckResult?
    var findings = Findings()
    /// The bucket this check read in: when the bucket's own check finds it missing, a failure here is listed as a
    /// skip, so a missing bucket is reported once, on the bucket.
    var bucket: String?

    init(_ result: CheckResult?, findings: Findings = Findings(), bucket: String? = nil) {
        self.result = result
        self.findings = findings
        self.bucket = bucket
    }
}

/// What earlier checks learned for later ones.
struct Findings: Sendable {
    var identity: CallerIdentity?
    var records: [ResourceRecord]?
    var evaluation: StackEvaluation?
    var missingBuckets: Set<String> = []

    /// Takes every finding `other` has.
    mutating func merge(_ other: Findings) {
        identity = other.identity ?? identity
        records = other.records ?? records
        evaluation = other.evaluation ?? evaluation
        missingBuckets.formUnion(other.missingBuckets)
    }
}

/// The stack as evaluated for this account and region, with the recorded attributes.
struct StackEvaluation: Sendable {
    let desired: DesiredState
    let provider: ProviderContext
    /// Recorded attributes of created resources, by resource name.
    let known: [String: Attributes]
    /// The runs: section resolved (nil: the stack has none).
    let settings: Result<RunSettings, Error>?
}

/// What every check may use: the AWS setup, the clock, and what earlier checks found.
struct CheckContext: Sendable {
    let aws: AWSEnvironment
    let clock: WallClock
    var findings: Findings

    var region: String { aws.region.region.name }

    /// The caller's identity; a check reading it requires the credentials check.
    func identity() throws -> CallerIdentity {
        guard let identity = findings.identity else { throw CheckOrderError(needed: "the caller identity") }
        return identity
    }

    /// The evaluated stack; a check reading it requires the stack check.
    func evaluation() throws -> StackEvaluation {
        guard let evaluation = findings.evaluation else { throw CheckOrderError(needed: "the evaluated stack") }
        return evaluation
    }
}

/// A check ran before the one whose finding it reads: a bug in a check's `requires`.
struct CheckOrderError: SandboxError {
    let needed: String
    var category: FailureCategory { .internal }
    var userMessage: String { "internal error: \(needed) was read before the check that finds it ran; declare that check in requires" }
}

extension CheckResult {
    /// The same result with another duration.
    func timed(_ seconds: Double) -> CheckResult {
        CheckResult(name: name, status: status, detail: detail, fix: fix, seconds: seconds, category: category)
    }

    /// A check that threw: a failure in one line, with the credentials fix when credentials are the cause.
    static func failed(_ name: CheckName, _ error: Error) -> CheckResult {
        let category = error.failureCategory
        return CheckResult(name: name.description, status: .fail, detail: error.oneLine,
                           fix: category == .credentials ? CredentialsCheck.genericFix : nil, category: category)
    }

    /// A check that did not run, and why.
    static func skip(_ name: CheckName, _ detail: String, seconds: Double = 0) -> CheckResult {
        CheckResult(name: name.description, status: .skip, detail: detail, seconds: seconds)
    }
}
