import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// Records a cleanup attempt for an existing run, bumps the serial, and returns the attempt's id.
    @discardableResult
    public func recordCleanup(_ cleanup: CleanupRecord) throws -> Int64 {
        let counts = try encodeJSON(cleanup.counts)
        return try change { db in
            guard try Self.fetchRun(db, id: cleanup.runId) != nil else {
                throw StateError(path: path, .notFound("run \(cleanup.runId)"))
            }
            try db.execute(
                sql: """
                    INSERT INTO cleanups (run_id, started_at, finished_at, outcome, counts, report_path)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    cleanup.runId.rawValue, Timestamp.string(cleanup.startedAt), cleanup.finishedAt.map(Timestamp.string),
                    cleanup.outcome.rawValue, counts, cleanup.reportPath,
                ])
            return (db.lastInsertedRowID, true)
        }
    }

    /// The cleanup attempts for `run`, oldest first.
    public func cleanups(run: RunID) throws -> [CleanupRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cleanups WHERE run_id = ? ORDER BY id", arguments: [run.rawValue])
                .map(CleanupRecord.init(row:))
        }
    }
}

extension CleanupRecord {
    init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            runId: try decodeRunID(row, "run_id"),
            startedAt: try decodeDate(row, "started_at"),
            finishedAt: try decodeOptionalDate(row, "finished_at"),
            outcome: try decodeEnum(CleanupOutcome.self, row, "outcome"),
            counts: try JSONColumn.decode([String: Int].self, row, "counts"),
            reportPath: try row.decode(forColumn: "report_path"))
    }
}
