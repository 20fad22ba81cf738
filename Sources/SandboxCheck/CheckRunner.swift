import Foundation
import SandboxCore

/// Walks readiness checks in waves: a check runs once every check it requires or reads has finished, the checks of
/// one wave in parallel. A check whose requirement failed is skipped, naming the first failure. Results keep the
/// order of `checks`.
struct CheckRunner: Sendable {
    let checks: [any ReadinessCheck]

    func run(_ context: CheckContext) async -> (results: [CheckResult], findings: Findings) {
        var walk = Walk()
        var findings = context.findings
        for wave in waves() {
            let runnable = wave.filter { walk.block($0) == nil }
            var current = context
            current.findings = findings
            let outcomes = await withTaskGroup(of: (CheckName, CheckOutcome).self) { group -> [CheckName: CheckOutcome] in
                for check in runnable { group.addTask { [current] in (check.name, await Self.timed(check, current)) } }
                var outcomes: [CheckName: CheckOutcome] = [:]
                for await (name, outcome) in group { outcomes[name] = outcome }
                return outcomes
            }
            for (name, outcome) in outcomes {
                findings.merge(outcome.findings)
                walk.outcomes[name] = outcome
            }
        }
        return (checks.compactMap { walk.line($0, missingBuckets: findings.missingBuckets) }, findings)
    }

    /// Every check skipped because `failed` failed before any could run (AWS could not be set up), after that failure.
    func skipped(after failed: CheckName, _ failure: CheckResult) -> [CheckResult] {
        var walk = Walk()
        walk.blocked[failed] = failed.description
        var results = [failure]
        for check in checks where check.name != failed && walk.block(check) != nil {
            if let line = walk.line(check, missingBuckets: []) { results.append(line) }
        }
        return results
    }

    /// The checks grouped by depth: a check's wave is one after the last wave of what it requires or reads.
    func waves() -> [[any ReadinessCheck]] {
        var depth: [CheckName: Int] = [:]
        func level(_ check: any ReadinessCheck) -> Int {
            if let known = depth[check.name] { return known }
            let before = checks.filter { check.requires.union(check.reads).contains($0.name) }
            let value = before.map { level($0) + 1 }.max() ?? 0
            depth[check.name] = value
            return value
        }
        let grouped = Dictionary(grouping: checks, by: level)
        return grouped.keys.sorted().compactMap { grouped[$0] }
    }

    /// Runs one check, timing it; a thrown error becomes a failure of that check in one line.
    static func timed(_ check: any ReadinessCheck, _ context: CheckContext) async -> CheckOutcome {
        let started = Date()
        var outcome: CheckOutcome
        do {
            outcome = try await check.run(context)
        } catch {
            outcome = CheckOutcome(.failed(check.name, error))
        }
        outcome.result = outcome.result?.timed(Date().timeIntervalSince(started))
        return outcome
    }

    /// What is known of each check as the walk goes: its outcome, or the failure that blocked it.
    struct Walk {
        var outcomes: [CheckName: CheckOutcome] = [:]
        var blocked: [CheckName: String] = [:]

        /// The failure that keeps `check` from running, recorded; nil when it may run.
        mutating func block(_ check: any ReadinessCheck) -> String? {
            if let cause = blocked[check.name] { return cause }
            for requirement in check.requires.sorted(by: { $0.description < $1.description }) {
                if let cause = blocked[requirement] ?? (outcomes[requirement]?.result?.status == .fail ? requirement.description : nil) {
                    blocked[check.name] = cause
                    return cause
                }
            }
            return nil
        }

        /// The check's line: its result, a skip naming what blocked it, or a failure a missing bucket explains.
        func line(_ check: any ReadinessCheck, missingBuckets: Set<String>) -> CheckResult? {
            if let cause = blocked[check.name] {
                return check.listedWhenSkipped ? .skip(check.name, "not checked: \(cause) failed") : nil
            }
            guard let outcome = outcomes[check.name], let result = outcome.result else { return nil }
            if result.status == .fail, let bucket = outcome.bucket, missingBuckets.contains(bucket),
               !outcome.findings.missingBuckets.contains(bucket) {
                return .skip(check.name, "not checked: bucket \(bucket) does not exist", seconds: result.seconds)
            }
            return result
        }
    }
}
