import Foundation
import SandboxCore

/// What is left of a run after cleanup, as proven by listing.
public struct RunInventory: Sendable, Codable, Equatable {
    public var objects: Int = 0
    public var versions: Int = 0
    public var deleteMarkers: Int = 0
    public var uploads: Int = 0
    public var bytes: Int64 = 0
    /// True while any letter-case variant of the run's database exists.
    public var databasePresent: Bool = false
    /// The names of the variants that exist (nil when none, and in records written before variants were looked for).
    public var databasesPresent: [String]?
    public var tables: Int = 0
    /// The first few keys and tables, for dry runs and for reports of what remains.
    public var sampleKeys: [String] = []
    public var sampleTables: [String] = []

    public init() {}

    public var isEmpty: Bool { objects == 0 && versions == 0 && deleteMarkers == 0 && uploads == 0 && !databasePresent }
}

/// A key S3 refused to delete, after retries.
public struct KeyFailure: Sendable, Codable, Equatable {
    public let key: String
    public let versionId: String?
    public let code: String
    public let message: String
}

/// Counts and outcome of one cleanup.
public struct CleanupResult: Sendable, Codable {
    public var objectsDeleted = 0
    public var versionsDeleted = 0
    public var deleteMarkersDeleted = 0
    public var uploadsAborted = 0
    public var tablesDeleted = 0
    public var databaseDeleted = false
    /// Every name the run's database was removed under (more than one when a client created case variants).
    public var databasesRemoved: [String]?
    public var bytesDeleted: Int64 = 0
    public var requests = 0
    public var passes = 0
    public var seconds = 0.0
    public var versionedBucket = false
    /// Requests S3 throttled (SlowDown, 503) while sweeping; each lowered the delete rate or was re-sent.
    public var throttles = 0
    /// Keys deleted a second while sweeping S3 (the effective rate after pacing).
    public var deleteRate = 0.0
    /// Keys a listing returned outside the run's prefix; never deleted.
    public var refusedKeys: [String] = []
    public var keyFailures: [KeyFailure] = []
    /// What was there before (dry run) or what remains after (real run).
    public var before: RunInventory?
    public var remaining = RunInventory()
    public var alreadyClean = false
    public var dryRun = false
    /// The error that stopped cleanup early, if any.
    public var error: String?
    public var errorCategory: FailureCategory?

    public init() {}

    /// True when both the S3 prefix and the Glue database are proven gone.
    public var proven: Bool { !dryRun && error == nil && remaining.isEmpty && keyFailures.isEmpty }

    /// The plain sentence release validation asks for.
    public func sentence(scope: RunScope) -> String {
        if dryRun, before == nil {
            return "Dry run: nothing was deleted; what is under \(scope.s3URI) and whether database \(scope.database) exists could NOT be listed. Cleanup stopped early: \(error ?? "unknown error")"
        }
        if dryRun {
            return "Dry run: nothing was deleted; \(before?.objects ?? 0) object(s), \(before?.versions ?? 0) version(s), \(before?.uploads ?? 0) upload(s) under \(scope.s3URI) and database \(scope.database) \(before?.databasePresent == true ? "(present)" : "(absent)") would be removed."
        }
        if remaining.objects < 0 {
            return "It could NOT be verified what remains of the current run's S3 prefix \(scope.s3URI) and its Glue database \(scope.database): listing them failed. Cleanup stopped early: \(error ?? "unknown error")"
        }
        let s3Gone = remaining.objects == 0 && remaining.versions == 0 && remaining.deleteMarkers == 0 && remaining.uploads == 0
        let s3Part = s3Gone ? "The current run's S3 prefix \(scope.s3URI) was removed" :
            "The current run's S3 prefix \(scope.s3URI) was NOT fully removed (\(remaining.objects + remaining.versions + remaining.deleteMarkers) object(s)/version(s), \(remaining.uploads) upload(s) remain)"
        let gluePart: String
        if remaining.databasePresent {
            gluePart = "its Glue database was NOT removed (\((remaining.databasesPresent ?? [scope.database]).joined(separator: ", ")) remain)"
        } else if let removed = databasesRemoved, removed != [scope.database] {
            gluePart = "its Glue database was removed under \(removed.count == 1 ? "the name" : "the names") \(removed.joined(separator: ", "))"
        } else {
            gluePart = "its Glue database \(scope.database) was removed"
        }
        let error = self.error.map { " Cleanup stopped early: \($0)" } ?? ""
        return "\(s3Part) and \(gluePart).\(error)"
    }
}

/// Progress reports while cleaning; the CLI renders them as a TTY line or periodic log lines.
public protocol CleanupProgress: Sendable {
    func deleted(objects: Int, bytes: Int64, elapsed: Double)
    /// The same moment with what was listed and throttled, for a rate and an ETA; by default ignored.
    func update(_ progress: SweepProgress)
    /// The sweep (or dry run) is over, before the report is written; a TTY line is cleared here. By default ignored.
    func sweepEnded()
}

extension CleanupProgress {
    public func update(_ progress: SweepProgress) {}
    public func sweepEnded() {}
}
