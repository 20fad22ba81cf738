import Foundation
import SandboxCore
import SandboxReport
import SandboxState

/// What one cleanup writes to state: the run's new status and report path, and a `CleanupRecord` with its counts.
/// Values only, so the same recording can be re-applied when a remote state is re-read after a conflict.
public struct CleanupRecorder: Sendable {
    public let scope: RunScope
    public let status: RunStatus
    public let outcome: CleanupOutcome
    public let counts: [String: Int]
    public let testResult: JSONValue?
    /// The workspace named on the command line; "unknown" when the run was never recorded and none was named.
    public let workspace: String?
    public let reportPath: String
    public let started: Date
    public let finished: Date

    public init(scope: RunScope, result: CleanupResult, report: ValidationReport, reportPath: String, workspace: String?,
                started: Date, finished: Date) {
        self.scope = scope
        status = result.proven ? .cleaned : .cleanupFailed
        outcome = result.proven ? (result.alreadyClean ? .alreadyClean : .cleaned) : .failed
        testResult = report.tests.flatMap { tests in
            (try? JSONEncoder().encode(tests)).flatMap { JSONValue.parse(String(decoding: $0, as: UTF8.self)) }
        }
        counts = [
            "objects": result.objectsDeleted, "versions": result.versionsDeleted, "delete_markers": result.deleteMarkersDeleted,
            "uploads": result.uploadsAborted, "tables": result.tablesDeleted, "database": result.databaseDeleted ? 1 : 0,
            "bytes": Int(result.bytesDeleted), "requests": result.requests, "remaining_objects": report.cleanup.objectsRemaining,
            "remaining_uploads": report.cleanup.uploadsRemaining, "database_present": report.cleanup.databasePresent ? 1 : 0,
        ]
        self.workspace = workspace
        self.reportPath = reportPath
        self.started = started
        self.finished = finished
    }

    /// Records the run's outcome and the attempt, decided against `store` as it is now: another runner may have
    /// recorded this run meanwhile.
    public func record(in store: StateStore) throws {
        let runId = scope.runId
        if try store.run(id: runId) == nil {
            try store.recordRun(RunRecord(runId: runId, workspace: workspace ?? "unknown", s3Prefix: scope.prefix, glueDatabase: scope.database,
                                          startedAt: RunIdentifier.timestamp(in: runId.rawValue) ?? started, status: status, finishedAt: finished,
                                          reportPath: reportPath, testResult: testResult))
        } else {
            let (status, finished, reportPath, testResult) = (status, finished, reportPath, testResult)
            _ = try store.updateRun(id: runId) { run in
                run.status = status
                run.finishedAt = finished
                run.reportPath = reportPath
                if let testResult { run.testResult = testResult }
            }
        }
        _ = try store.recordCleanup(CleanupRecord(id: nil, runId: runId, startedAt: started, finishedAt: finished,
                                                  outcome: outcome, counts: counts, reportPath: reportPath))
    }

    /// Run ids that differ only by case or by `-` versus `_` (possible under a custom id pattern) name one Glue
    /// database; cleaning one must not drop the database another recorded run still uses.
    public static func refuseSharedDatabase(_ scope: RunScope, recorded: [RunRecord]) throws {
        let others = recorded.filter { $0.runId != scope.runId && $0.glueDatabase == scope.database && $0.status != .cleaned }
        if let other = others.first {
            throw SimpleError(.usage, "run \(scope.runId) and run \(other.runId) (recorded in state, \(other.status.rawValue)) share Glue database \(scope.database): nothing was deleted; clean \(other.runId) first, or use run ids that differ in more than case and '-' versus '_'")
        }
    }
}
