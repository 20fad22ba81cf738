import Foundation
import SandboxCore

/// How a cleanup attempt ended.
public enum CleanupOutcome: String, Sendable, Codable, CaseIterable {
    /// Everything in scope was deleted and verified gone.
    case cleaned
    /// Nothing of the run was left to delete.
    case alreadyClean = "already-clean"
    /// Some things were deleted, some are left.
    case partial
    /// The cleanup could not do its job.
    case failed
}

/// One cleanup attempt for a run; a run may have several.
public struct CleanupRecord: Sendable, Codable, Hashable {
    /// Assigned by the store; nil before the record is stored.
    public var id: Int64?
    /// The run cleaned up.
    public var runId: RunID
    /// When the attempt started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date?
    /// How it ended.
    public var outcome: CleanupOutcome
    /// What was found and deleted, by kind, such as `["s3_objects_deleted": 12]`.
    public var counts: [String: Int]
    /// Where the cleanup report was written.
    public var reportPath: String?

    public init(
        id: Int64? = nil,
        runId: RunID,
        startedAt: Date,
        finishedAt: Date? = nil,
        outcome: CleanupOutcome,
        counts: [String: Int] = [:],
        reportPath: String? = nil
    ) {
        self.id = id
        self.runId = runId
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.counts = counts
        self.reportPath = reportPath
    }
}
