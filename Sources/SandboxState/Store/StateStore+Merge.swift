import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// The id of the newest journal line (0 for an empty journal).
    public func lastJournalId() throws -> Int64 {
        try read { try Int64.fetchOne($0, sql: "SELECT COALESCE(MAX(id), 0) FROM journal") ?? 0 }
    }

    /// Moves everything from the WAL into the main file, so the file alone is the whole state (for upload).
    public func checkpoint() throws {
        do {
            try dbQueue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    /// Takes over what the lock holder owns from `working`: its resources and outputs replace this store's,
    /// and its journal lines newer than `journalAfter` are appended. Runs and cleanups are left as they are,
    /// because other writers record those concurrently.
    public func adoptResources(from working: StateStore, journalAfter: Int64) throws {
        let resources = try working.resources()
        let outputs = try working.outputs()
        let journal: [Row] = try working.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journal WHERE id > ? ORDER BY id", arguments: [journalAfter])
        }
        let wanted = Set(resources.map(\.address))
        for record in try self.resources() where !wanted.contains(record.address) {
            _ = try remove(record.address)
        }
        for record in resources { _ = try upsert(record) }
        try setOutputs(outputs)
        try write { db in
            var newIds: [Int64: Int64] = [:]
            for row in journal {
                let oldId: Int64 = row["id"]
                let startId: Int64? = row["start_id"]
                try db.execute(
                    sql: "INSERT INTO journal (at, operation, target, outcome, request_id, detail, start_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [row["at"] as String, row["operation"] as String, row["target"] as String, row["outcome"] as String,
                                row["request_id"] as String?, row["detail"] as String?, startId.flatMap { newIds[$0] ?? $0 }])
                newIds[oldId] = db.lastInsertedRowID
            }
        }
    }
}
