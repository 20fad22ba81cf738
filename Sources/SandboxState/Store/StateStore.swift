import Foundation
import GRDB
import SandboxCore

/// The state of one stack, kept in one SQLite file: resources, runs, cleanups, the journal and the lock.
///
/// Every change to resources, runs or cleanups bumps `meta.serial` in the same IMMEDIATE transaction,
/// so several processes can share the file (WAL mode, busy timeout) without losing updates.
/// The store holds identifiers and non-secret attributes only: no table has a column for credentials,
/// session tokens or signatures, and callers must pass redacted text as journal details.
public final class StateStore: Sendable {
    /// The state file.
    public let path: String
    /// The file's lineage: a UUID made when it was created, stable across every later open.
    public let lineage: String
    /// The sandbox version stamped on the file with each change; nil keeps the previous writer's.
    public let writerVersion: String?
    /// The clock that stamps every time the store writes.
    public let clock: any WallClock

    let dbQueue: DatabaseQueue

    /// The newest schema version this build reads and writes.
    public static var supportedSchemaVersion: Int { StateSchema.currentVersion }

    /// How long a write waits for another process's write to finish before failing as busy.
    public static let defaultBusyTimeout: TimeInterval = 10

    private init(path: String, lineage: String, writerVersion: String?, clock: any WallClock, dbQueue: DatabaseQueue) {
        self.path = path
        self.lineage = lineage
        self.writerVersion = writerVersion
        self.clock = clock
        self.dbQueue = dbQueue
    }

    /// Opens the state file at `path`, creating it (and its directory) with a new lineage when missing,
    /// and upgrading an older schema.
    public static func open(
        path: String,
        writerVersion: String,
        clock: any WallClock = SystemClock(),
        busyTimeout: TimeInterval = defaultBusyTimeout
    ) throws -> StateStore {
        try make(path: path, create: true, writerVersion: writerVersion, clock: clock, busyTimeout: busyTimeout)
    }

    /// Opens an existing state file; throws `StateError` `.missing` and creates nothing when there is none.
    public static func openExisting(
        path: String,
        writerVersion: String? = nil,
        clock: any WallClock = SystemClock(),
        busyTimeout: TimeInterval = defaultBusyTimeout
    ) throws -> StateStore {
        try make(path: path, create: false, writerVersion: writerVersion, clock: clock, busyTimeout: busyTimeout)
    }

    private static func make(
        path: String, create: Bool, writerVersion: String?, clock: any WallClock, busyTimeout: TimeInterval
    ) throws -> StateStore {
        try prepareFile(path: path, create: create)

        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "sandbox-state"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw mapError(error, path: path)
        }

        do {
            try refuseForeignFile(queue, path: path)
            let migrator = StateSchema.migrator(writerVersion: writerVersion ?? "unknown", createdAt: clock.now())
            do {
                try migrator.migrate(queue)
            } catch {
                // Two processes creating the same file race: the loser fails on "table exists"
                // after the winner committed, which is fine once every migration is in.
                guard try queue.read({ try migrator.hasCompletedMigrations($0) }) else { throw error }
            }
            let meta = try queue.read { try readMeta($0) }
            return StateStore(path: path, lineage: meta.lineage, writerVersion: writerVersion, clock: clock, dbQueue: queue)
        } catch {
            throw mapError(error, path: path)
        }
    }

    private static func prepareFile(path: String, create: Bool) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw StateError(path: path, .io("it is a directory")) }
            return
        }
        guard create else { throw StateError(path: path, .missing) }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StateError(path: path, .io("cannot create directory \(directory.path): \(error.localizedDescription)"))
        }
    }

    /// Refuses files from a newer sandbox and SQLite files that are not state files, before any migration touches them.
    private static func refuseForeignFile(_ queue: DatabaseQueue, path: String) throws {
        try queue.read { db in
            let tables = try String.fetchSet(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            var found: Int?
            if tables.contains("meta") {
                found = try Int.fetchOne(db, sql: "SELECT schema_version FROM meta LIMIT 1")
                if let found, found > StateSchema.currentVersion {
                    throw StateError(path: path, .newerSchema(found: found, supported: StateSchema.currentVersion))
                }
            } else if !tables.subtracting(["grdb_migrations"]).isEmpty {
                throw StateError(path: path, .notAStateFile)
            }
            let migrator = StateSchema.migrator(writerVersion: "", createdAt: Date())
            if try migrator.hasBeenSuperseded(db) {
                let version = max(found ?? 0, StateSchema.currentVersion + 1)
                throw StateError(path: path, .newerSchema(found: version, supported: StateSchema.currentVersion))
            }
        }
    }

    // MARK: - Meta

    /// The file's header as it is now on disk.
    public func meta() throws -> StateMeta {
        try read { try Self.readMeta($0) }
    }

    /// The serial as it is now on disk; other processes may have bumped it since the last call.
    public var serial: Int {
        get throws { try meta().serial }
    }

    static func readMeta(_ db: Database) throws -> StateMeta {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT schema_version, lineage, serial, writer_version, created_at FROM meta WHERE id = 1")
        else {
            throw DatabaseCorruption("meta row is missing")
        }
        return StateMeta(
            schemaVersion: try row.decode(forColumn: "schema_version"),
            lineage: try row.decode(forColumn: "lineage"),
            serial: try row.decode(forColumn: "serial"),
            writerVersion: try row.decode(forColumn: "writer_version"),
            createdAt: try decodeDate(row, "created_at"))
    }

    // MARK: - Transactions

    /// Runs `body` in a read transaction, mapping failures to `StateError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try dbQueue.read(body)
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction without touching the serial (journal, lock).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try dbQueue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.mapError(error, path: path)
        }
    }

    /// Runs `body` in an IMMEDIATE transaction and bumps the serial in it when `body` reports a change.
    func change<T>(_ body: (Database) throws -> (result: T, changed: Bool)) throws -> T {
        try write { db in
            let outcome = try body(db)
            if outcome.changed { try bumpSerial(db) }
            return outcome.result
        }
    }

    private func bumpSerial(_ db: Database) throws {
        if let writerVersion {
            try db.execute(
                sql: "UPDATE meta SET serial = serial + 1, writer_version = ? WHERE id = 1", arguments: [writerVersion])
        } else {
            try db.execute(sql: "UPDATE meta SET serial = serial + 1 WHERE id = 1")
        }
        guard db.changesCount == 1 else { throw DatabaseCorruption("meta row is missing") }
    }

    // MARK: - Errors

    /// Turns any error from GRDB, Foundation or the coders into a one-line `StateError`.
    static func mapError(_ error: Error, path: String) -> Error {
        if error is SandboxError { return error }
        if let corruption = error as? DatabaseCorruption {
            return StateError(path: path, .corrupt(corruption.detail))
        }
        if let error = error as? DatabaseError {
            let message = error.message ?? "\(error.resultCode)"
            switch error.resultCode {
            case .SQLITE_NOTADB: return StateError(path: path, .notADatabase)
            case .SQLITE_CORRUPT: return StateError(path: path, .corrupt(message))
            case .SQLITE_BUSY, .SQLITE_LOCKED: return StateError(path: path, .busy)
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_FULL:
                return StateError(path: path, .io(message))
            default: return StateError(path: path, .database(message))
            }
        }
        if error is RowDecodingError || error is DecodingError {
            return StateError(path: path, .corrupt("unreadable value (\(String(describing: error).prefix(200)))"))
        }
        if error is EncodingError {
            return StateError(path: path, .invalid("value cannot be written as JSON"))
        }
        return StateError(path: path, .database(String(describing: error)))
    }
}

/// A value in the file that this build cannot make sense of.
struct DatabaseCorruption: Error {
    let detail: String
    init(_ detail: String) { self.detail = detail }
}

// MARK: - Column helpers

func decodeDate(_ row: Row, _ column: String) throws -> Date {
    let text: String = try row.decode(forColumn: column)
    guard let date = Timestamp.date(text) else { throw DatabaseCorruption("\(column) \"\(text)\" is not a timestamp") }
    return date
}

func decodeOptionalDate(_ row: Row, _ column: String) throws -> Date? {
    guard let text = try row.decode(String?.self, forColumn: column) else { return nil }
    guard let date = Timestamp.date(text) else { throw DatabaseCorruption("\(column) \"\(text)\" is not a timestamp") }
    return date
}

enum JSONColumn {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ row: Row, _ column: String) throws -> T {
        let text: String = try row.decode(forColumn: column)
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw DatabaseCorruption("\(column) is not the expected JSON")
        }
    }

    static func decodeOptional<T: Decodable>(_ type: T.Type, _ row: Row, _ column: String) throws -> T? {
        guard try row.decode(String?.self, forColumn: column) != nil else { return nil }
        return try decode(type, row, column)
    }
}

func decodeEnum<T: RawRepresentable>(_ type: T.Type, _ row: Row, _ column: String) throws -> T where T.RawValue == String {
    let text: String = try row.decode(forColumn: column)
    guard let value = T(rawValue: text) else { throw DatabaseCorruption("\(column) \"\(text)\" is not a known value") }
    return value
}
