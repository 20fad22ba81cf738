import SandboxAWS
import SandboxCore

/// The region in use is the one the stack pins, if it pins one.
struct RegionCheck: ReadinessCheck {
    /// The stack's `region:` (nil: any).
    let pinned: String?

    var name: CheckName { .region }
    /// Listed after the credentials and skipped with them, though it reads nothing they find.
    var requires: Set<CheckName> { [.credentials] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        CheckOutcome(verdict(region: context.region, source: context.aws.region.source))
    }

    func verdict(region: String, source: String) -> CheckResult {
        if let pinned, pinned != region {
            return CheckResult(name: name.description, status: .fail, detail: "using \(region) (from \(source)) but the stack pins \(pinned)",
                               fix: "set --region \(pinned) or AWS_REGION=\(pinned)", category: .usage)
        }
        return CheckResult(name: name.description, status: .pass, detail: "\(region) (from \(source))")
    }
}
