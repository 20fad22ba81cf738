import Foundation
import SandboxCore
import SandboxReport

/// `cleanup --stale`: which leftover runs are old enough to clean, and the one document `--stale --json` prints.
public enum StaleRuns {
    /// The leftovers that started before `cutoff`, by the earlier of the time in their id and what state recorded;
    /// a run with neither time is never stale.
    public static func select(_ leftovers: [Leftover], recorded: [RunID: Date], before cutoff: Date) -> [Leftover] {
        leftovers.filter { leftover in
            let started = [leftover.startedAt, recorded[leftover.runId]].compactMap { $0 }.min()
            return started.map { $0 < cutoff } ?? false
        }
    }

    /// What `cleanup --stale --json` prints: the cutoff, every run's report, and what was not a run and left alone.
    public struct Document: Encodable, Sendable {
        public let olderThanSeconds: Double
        public let cutoff: Date
        public let leftovers: Int
        /// Runs proven gone.
        public let proven: Int
        public let runs: [ValidationReport]
        public let leftAlone: [String]

        public init(olderThanSeconds: Double, cutoff: Date, leftovers: Int, proven: Int, runs: [ValidationReport], leftAlone: [String]) {
            self.olderThanSeconds = olderThanSeconds
            self.cutoff = cutoff
            self.leftovers = leftovers
            self.proven = proven
            self.runs = runs
            self.leftAlone = leftAlone
        }
    }
}
