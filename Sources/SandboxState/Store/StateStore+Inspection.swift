import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// Everything `sandbox state list/show` displays, read in one transaction; writes nothing.
    public func snapshot() throws -> StateSnapshot {
        try read { db in
            StateSnapshot(
                path: path,
                meta: try Self.readMeta(db),
                resources: try Self.fetchResources(db),
                runs: try Self.fetchRuns(db),
                lock: try Self.fetchLock(db)?.info,
                unfinishedJournal: try Self.fetchUnfinishedJournal(db))
        }
    }

    /// Every text value in every table, one `table.column: value` line each, for tests and audits
    /// that prove no secret was ever stored.
    public func dumpAllText() throws -> String {
        try read { db in
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            var lines: [String] = []
            for table in tables {
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)")
                for row in rows {
                    for (column, value) in row {
                        switch value.storage {
                        case .string(let text): lines.append("\(table).\(column): \(text)")
                        case .blob(let data): lines.append("\(table).\(column): \(String(decoding: data, as: UTF8.self))")
                        default: break
                        }
                    }
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}
