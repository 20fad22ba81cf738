import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxProviders
import SandboxStack
import SandboxState

/// No run older than the lifecycle's retention is left in the bucket (a warning, or a failure with --fail-on-leftovers).
struct LeftoversCheck: ReadinessCheck {
    let failOnLeftovers: Bool
    /// The state, whose run records say when each run started.
    let statePath: String

    var name: CheckName { .leftovers }
    var requires: Set<CheckName> { [.stack] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let evaluation = try context.evaluation()
        guard let settings = evaluation.settings else {
            return CheckOutcome(.skip(name, "the stack declares no runs: section"))
        }
        let scheme = try settings.get()
        let result: CheckResult
        do {
            result = try await verdict(scheme, retentionDays: Self.retentionDays(evaluation.desired), context: context,
                                       account: evaluation.desired.context.accountId ?? "ACCOUNT")
        } catch {
            result = .failed(name, error)
        }
        return CheckOutcome(result, bucket: scheme.bucket)
    }

    func verdict(_ scheme: RunSettings, retentionDays: Double, context: CheckContext, account: String) async throws -> CheckResult {
        let now = context.clock.now()
        let cutoff = now.addingTimeInterval(-retentionDays * 86400)
        let runs: [Leftover]
        do {
            (runs, _) = try await LeftoverScanner(settings: scheme, client: context.aws.client).scan(recorded: recordedRuns())
        } catch let error as AWSError where error.kind == .accessDenied {
            return .denied(name, error, calls: LeftoverScanner.declaredCalls(settings: scheme, region: context.region, account: account))
        }
        let old = runs.filter { ($0.startedAt ?? .distantFuture) < cutoff }
        guard !old.isEmpty else {
            return CheckResult(name: name.description, status: .pass,
                               detail: "no run older than the \(Int(retentionDays))d retention (\(runs.count) newer run(s) present)")
        }
        let listed = old.prefix(5).map { "\($0.runId) (\(Self.age(now.timeIntervalSince($0.startedAt ?? now))) old)" }.joined(separator: ", ")
        return CheckResult(name: name.description, status: failOnLeftovers ? .fail : .warn,
                           detail: "\(old.count) run(s) older than the \(Int(retentionDays))d retention: \(listed)\(old.count > 5 ? ", ..." : "")",
                           fix: "run sandbox cleanup --stale", category: failOnLeftovers ? .aws : nil)
    }

    /// When each run the state records and has not cleaned started; none when there is no readable state.
    func recordedRuns() -> [RunID: Date] {
        guard FileManager.default.fileExists(atPath: statePath), let store = try? StateStore.openExisting(path: statePath),
              let runs = try? store.runs() else { return [:] }
        var recorded: [RunID: Date] = [:]
        for run in runs where run.status != .cleaned { recorded[run.runId] = run.startedAt }
        return recorded
    }

    // kind-specific: the retention is the s3_bucket_lifecycle's expiration_days (3 when the stack declares none).
    static func retentionDays(_ desired: DesiredState) -> Double {
        BucketLifecycleSetting.retentionDays(among: desired.resources.values.sorted { $0.address < $1.address }.map { (type: $0.address.type, attributes: $0.attributes) })
    }

    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }
}
