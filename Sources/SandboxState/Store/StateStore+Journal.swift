import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// Appends a `started` line before an AWS call that changes something, and returns its id.
    ///
    /// Journal writes do not bump the serial: the journal records attempts, not state.
    @discardableResult
    public func journalStart(operation: String, target: String) throws -> Int64 {
        let at = Timestamp.string(clock.now())
        return try write { db in
            try db.execute(
                sql: "INSERT INTO journal (at, operation, target, outcome) VALUES (?, ?, ?, 'started')",
                arguments: [at, operation, target])
            return db.lastInsertedRowID
        }
    }

    /// Appends the outcome (`ok` or `failed`) of the call started as `id`, and returns the new line's id.
    ///
    /// `detail` must already be free of secrets; the journal is kept forever.
    @discardableResult
    public func journalFinish(id: Int64, outcome: JournalOutcome, requestId: String? = nil, detail: String? = nil) throws -> Int64 {
        guard outcome != .started else {
            throw StateError(path: path, .invalid("journal entry \(id) must finish as ok or failed, not started"))
        }
        let at = Timestamp.string(clock.now())
        return try write { db in
            guard let start = try Row.fetchOne(db, sql: "SELECT * FROM journal WHERE id = ?", arguments: [id]).map(JournalEntry.init(row:)) else {
                throw StateError(path: path, .notFound("journal entry \(id)"))
            }
            guard start.outcome == .started else {
                throw StateError(path: path, .invalid("journal entry \(id) is an outcome, not a start"))
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM journal WHERE start_id = ?", arguments: [id]) == true {
                throw StateError(path: path, .invalid("journal entry \(id) is already finished"))
            }
            try db.execute(
                sql: """
                    INSERT INTO journal (at, operation, target, outcome, request_id, detail, start_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [at, start.operation, start.target, outcome.rawValue, requestId, detail, id])
            return db.lastInsertedRowID
        }
    }

    /// The newest `limit` journal lines, oldest first.
    public func journal(limit: Int = 100) throws -> [JournalEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM (SELECT * FROM journal ORDER BY id DESC LIMIT ?) ORDER BY id",
                arguments: [max(0, limit)]
            ).map(JournalEntry.init(row:))
        }
    }

    /// `started` lines with no outcome: calls sandbox stopped in the middle of, oldest first.
    public func unfinishedJournal() throws -> [JournalEntry] {
        try read { try Self.fetchUnfinishedJournal($0) }
    }

    static func fetchUnfinishedJournal(_ db: Database) throws -> [JournalEntry] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM journal AS s
                WHERE s.outcome = 'started' AND NOT EXISTS (SELECT 1 FROM journal AS f WHERE f.start_id = s.id)
                ORDER BY s.id
                """
        ).map(JournalEntry.init(row:))
    }
}

extension JournalEntry {
    init(row: Row) throws {
        self.init(
            id: try row.decode(forColumn: "id"),
            at: try decodeDate(row, "at"),
            operation: try row.decode(forColumn: "operation"),
            target: try row.decode(forColumn: "target"),
            outcome: try decodeEnum(JournalOutcome.self, row, "outcome"),
            requestId: try row.decode(forColumn: "request_id"),
            detail: try row.decode(forColumn: "detail"),
            startId: try row.decode(forColumn: "start_id"))
    }
}
