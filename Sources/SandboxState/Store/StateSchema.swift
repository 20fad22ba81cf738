import Foundation
import GRDB

/// The state file's tables and the migrations that build them, oldest first.
///
/// Rules for changing it: never edit a registered migration; append a new one that ends by setting
/// `meta.schema_version` to its number, and bump `currentVersion`. The `meta` table and its
/// `schema_version` column must keep their names forever: older builds read them to refuse newer files.
///
/// No table has a column for credentials, tokens or signatures; nothing secret is ever stored.
enum StateSchema {
    /// The newest schema version this build understands.
    static let currentVersion = 1

    /// A migrator whose first migration stamps a new file with a fresh lineage.
    static func migrator(writerVersion: String, createdAt: Date) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", foreignKeyChecks: .immediate) { db in
            try db.execute(sql: v1)
            try db.execute(
                sql: """
                    INSERT INTO meta (id, schema_version, lineage, serial, writer_version, created_at)
                    VALUES (1, 1, ?, 0, ?, ?)
                    """,
                arguments: [UUID().uuidString.lowercased(), writerVersion, Timestamp.string(createdAt)])
        }
        return migrator
    }

    private static let v1 = """
        CREATE TABLE meta (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            schema_version INTEGER NOT NULL,
            lineage TEXT NOT NULL,
            serial INTEGER NOT NULL,
            writer_version TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        CREATE TABLE resources (
            address TEXT PRIMARY KEY NOT NULL,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            physical_id TEXT,
            attributes TEXT NOT NULL CHECK (json_valid(attributes)),
            dependencies TEXT NOT NULL CHECK (json_valid(dependencies)),
            status TEXT NOT NULL CHECK (status IN ('created', 'pending', 'tainted', 'deleting')),
            updated_at TEXT NOT NULL,
            CHECK (address = type || '.' || name)
        );

        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY NOT NULL,
            workspace TEXT NOT NULL,
            s3_prefix TEXT,
            glue_database TEXT,
            started_at TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('open', 'cleaned', 'cleanup-failed')),
            finished_at TEXT,
            report_path TEXT,
            test_result TEXT CHECK (test_result IS NULL OR json_valid(test_result))
        );

        CREATE TABLE cleanups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('cleaned', 'already-clean', 'partial', 'failed')),
            counts TEXT NOT NULL CHECK (json_valid(counts)),
            report_path TEXT
        );
        CREATE INDEX cleanups_by_run ON cleanups(run_id);

        CREATE TABLE journal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            operation TEXT NOT NULL,
            target TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('started', 'ok', 'failed')),
            request_id TEXT,
            detail TEXT,
            start_id INTEGER REFERENCES journal(id)
        );
        CREATE UNIQUE INDEX journal_by_start ON journal(start_id) WHERE start_id IS NOT NULL;
        CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
            BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
        CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
            BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

        CREATE TABLE outputs (
            name TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL CHECK (json_valid(value))
        );

        CREATE TABLE lock (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            token TEXT NOT NULL,
            holder TEXT NOT NULL,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            operation TEXT NOT NULL,
            since TEXT NOT NULL,
            heartbeat TEXT NOT NULL
        );
        """
}
