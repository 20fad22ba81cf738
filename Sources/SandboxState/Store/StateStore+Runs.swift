import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// Records a new run and bumps the serial; throws `.conflict` when the run id is taken.
    public func recordRun(_ run: RunRecord) throws {
        let values = try columns(of: run)
        try change { db in
            if try Self.fetchRun(db, id: run.runId) != nil {
                throw StateError(path: path, .conflict("run \(run.runId)"))
            }
            try db.execute(
                sql: """
                    INSERT INTO runs (run_id, workspace, s3_prefix, glue_database, started_at, status,
                                      finished_at, report_path, test_result)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: values)
            return ((), true)
        }
    }

    /// The run with id `id`, or nil.
    public func run(id: RunID) throws -> RunRecord? {
        try read { try Self.fetchRun($0, id: id) }
    }

    /// Every run, oldest first, optionally only those with `status`.
    public func runs(status: RunStatus? = nil) throws -> [RunRecord] {
        try read { db in
            if let status {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM runs WHERE status = ? ORDER BY started_at, run_id", arguments: [status.rawValue]
                ).map(RunRecord.init(row:))
            }
            return try Self.fetchRuns(db)
        }
    }

    /// Replaces the stored run with the same id and bumps the serial; throws `.notFound` when there is none.
    public func updateRun(_ run: RunRecord) throws {
        let values = try columns(of: run)
        try change { db in
            try Self.replaceRun(db, values: values)
            guard db.changesCount == 1 else { throw StateError(path: path, .notFound("run \(run.runId)")) }
            return ((), true)
        }
    }

    /// Reads, changes and writes back the run `id` in one transaction, so concurrent updates are not lost.
    @discardableResult
    public func updateRun(id: RunID, _ change: (inout RunRecord) throws -> Void) throws -> RunRecord {
        try self.change { db in
            guard var run = try Self.fetchRun(db, id: id) else {
                throw StateError(path: path, .notFound("run \(id)"))
            }
            try change(&run)
            guard run.runId == id else { throw StateError(path: path, .invalid("a run's id cannot change (\(id))")) }
            try Self.replaceRun(db, values: try columns(of: run))
            return (run, true)
        }
    }

    private static func replaceRun(_ db: Database, values: StatementArguments) throws {
        try db.execute(
            sql: """
                UPDATE runs SET workspace = ?2, s3_prefix = ?3, glue_database = ?4, started_at = ?5, status = ?6,
                                finished_at = ?7, report_path = ?8, test_result = ?9
                WHERE run_id = ?1
                """,
            arguments: values)
    }

    private func columns(of run: RunRecord) throws -> StatementArguments {
        let testResult = try run.testResult.map { try encodeJSON($0) }
        return [
            run.runId.rawValue, run.workspace, run.s3Prefix, run.glueDatabase, Timestamp.string(run.startedAt),
            run.status.rawValue, run.finishedAt.map(Timestamp.string), run.reportPath, testResult,
        ]
    }

    static func fetchRun(_ db: Database, id: RunID) throws -> RunRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE run_id = ?", arguments: [id.rawValue]).map(RunRecord.init(row:))
    }

    static func fetchRuns(_ db: Database) throws -> [RunRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY started_at, run_id").map(RunRecord.init(row:))
    }
}

extension RunRecord {
    init(row: Row) throws {
        self.init(
            runId: try decodeRunID(row, "run_id"),
            workspace: try row.decode(forColumn: "workspace"),
            s3Prefix: try row.decode(forColumn: "s3_prefix"),
            glueDatabase: try row.decode(forColumn: "glue_database"),
            startedAt: try decodeDate(row, "started_at"),
            status: try decodeEnum(RunStatus.self, row, "status"),
            finishedAt: try decodeOptionalDate(row, "finished_at"),
            reportPath: try row.decode(forColumn: "report_path"),
            testResult: try JSONColumn.decodeOptional(JSONValue.self, row, "test_result"))
    }
}

/// The id column as a `RunID`: stored as text (no schema change), checked again on the way in like any file input.
func decodeRunID(_ row: Row, _ column: String) throws -> RunID {
    let text: String = try row.decode(forColumn: column)
    do {
        return try RunID(text)
    } catch {
        throw DatabaseCorruption("\(column) \"\(Diagnostic.escapingControlCharacters(text))\" is not a run id: \(error.oneLine)")
    }
}
