import Foundation
import GRDB
import SandboxCore

/// The advisory lock that keeps apply, destroy and cleanup of one state file from running at once.
///
/// The lock is the single row of the `lock` table, taken and broken atomically in one IMMEDIATE
/// transaction, so it excludes other processes as well as other stores in this process.
public struct StateLock: Sendable {
    /// The store whose file is locked.
    public let store: StateStore
    /// Who this process says it is.
    public let identity: ProcessIdentity
    /// Waits between attempts when acquiring with a timeout.
    public let sleeper: any Sleeper
    /// How long to wait between attempts.
    public let pollInterval: TimeInterval
    private let isAlive: @Sendable (Int32) -> Bool

    public init(
        store: StateStore,
        identity: ProcessIdentity = .current,
        sleeper: any Sleeper = TaskSleeper(),
        pollInterval: TimeInterval = 0.25,
        isAlive: @escaping @Sendable (Int32) -> Bool = ProcessIdentity.isAlive
    ) {
        self.store = store
        self.identity = identity
        self.sleeper = sleeper
        self.pollInterval = pollInterval
        self.isAlive = isAlive
    }

    /// Takes the lock, waiting up to `timeout` seconds (by the store's clock) for a live holder to let go.
    ///
    /// A lock whose holder is a dead process on this host, or whose heartbeat is older than `staleAfter`,
    /// is broken and reported in `LockHandle.brokenLock`. Throws `LockedError` when the time is up.
    public func acquire(holder: String, operation: String, timeout: TimeInterval, staleAfter: TimeInterval) async throws -> LockHandle {
        let start = store.clock.now()
        while true {
            let held: LockInfo
            switch try attempt(holder: holder, operation: operation, staleAfter: staleAfter) {
            case .acquired(let handle): return handle
            case .held(let info): held = info
            }
            let waited = store.clock.now().timeIntervalSince(start)
            let remaining = timeout - waited
            guard remaining > 0 else {
                throw LockedError(path: store.path, lock: held, waited: max(0, waited))
            }
            try await sleeper.sleep(seconds: min(pollInterval, remaining))
        }
    }

    /// Takes the lock now or throws `LockedError`; never waits.
    public func tryAcquire(holder: String, operation: String, staleAfter: TimeInterval) throws -> LockHandle {
        switch try attempt(holder: holder, operation: operation, staleAfter: staleAfter) {
        case .acquired(let handle): return handle
        case .held(let info): throw LockedError(path: store.path, lock: info)
        }
    }

    /// Who holds the lock now, or nil.
    public func currentLock() throws -> LockInfo? {
        try store.currentLock()
    }

    /// Removes the lock whoever holds it, for `sandbox state unlock`; returns what was removed.
    @discardableResult
    public func forceUnlock() throws -> LockInfo? {
        try store.forceUnlock()
    }

    private enum Attempt {
        case acquired(LockHandle)
        case held(LockInfo)
    }

    private func attempt(holder: String, operation: String, staleAfter: TimeInterval) throws -> Attempt {
        let now = store.clock.now()
        let token = UUID().uuidString.lowercased()
        return try store.write { db in
            var broken: BrokenLock?
            if let current = try StateStore.fetchLock(db) {
                guard let reason = staleReason(current.info, now: now, staleAfter: staleAfter) else {
                    return .held(current.info)
                }
                broken = BrokenLock(lock: current.info, reason: reason)
                try db.execute(sql: "DELETE FROM lock WHERE token = ?", arguments: [current.token])
            }
            let stamp = Timestamp.string(now)
            try db.execute(
                sql: """
                    INSERT INTO lock (id, token, holder, pid, host, operation, since, heartbeat)
                    VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [token, holder, identity.pid, identity.host, operation, stamp, stamp])
            let info = LockInfo(
                holder: holder, pid: identity.pid, host: identity.host, operation: operation,
                since: Timestamp.date(stamp) ?? now, heartbeat: Timestamp.date(stamp) ?? now)
            return .acquired(LockHandle(store: store, token: token, info: info, brokenLock: broken))
        }
    }

    private func staleReason(_ lock: LockInfo, now: Date, staleAfter: TimeInterval) -> String? {
        if lock.host == identity.host, !isAlive(lock.pid) {
            return "process \(lock.pid) on \(lock.host) is gone"
        }
        let silence = now.timeIntervalSince(lock.heartbeat)
        if silence > staleAfter {
            return "no heartbeat for \(Int(silence))s (stale after \(Int(staleAfter))s)"
        }
        return nil
    }
}

/// A held state lock. Call `heartbeat()` during long operations and `release()` when done.
public final class LockHandle: Sendable {
    /// The lock as taken.
    public let info: LockInfo
    /// The stale lock broken to take this one, if any; show its description to the user.
    public let brokenLock: BrokenLock?
    let store: StateStore
    let token: String

    init(store: StateStore, token: String, info: LockInfo, brokenLock: BrokenLock?) {
        self.store = store
        self.token = token
        self.info = info
        self.brokenLock = brokenLock
    }

    /// Says this holder is still alive; throws `StateError` `.lockLost` when the lock is no longer ours.
    public func heartbeat() throws {
        let stamp = Timestamp.string(store.clock.now())
        try store.write { db in
            try db.execute(sql: "UPDATE lock SET heartbeat = ? WHERE token = ?", arguments: [stamp, token])
            guard db.changesCount == 1 else { throw StateError(path: store.path, .lockLost) }
        }
    }

    /// True while the lock row is still the one this handle took.
    public func isHeld() throws -> Bool {
        try store.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM lock WHERE token = ?", arguments: [token]) ?? false
        }
    }

    /// Lets go of the lock if it is still ours; returns false when someone else had already removed or replaced it.
    @discardableResult
    public func release() throws -> Bool {
        try store.write { db in
            try db.execute(sql: "DELETE FROM lock WHERE token = ?", arguments: [token])
            return db.changesCount == 1
        }
    }
}

extension StateStore {
    /// Who holds the lock now, or nil.
    public func currentLock() throws -> LockInfo? {
        try read { try Self.fetchLock($0)?.info }
    }

    /// Removes the lock whoever holds it, for `sandbox state unlock`; returns what was removed.
    @discardableResult
    public func forceUnlock() throws -> LockInfo? {
        try write { db in
            let current = try Self.fetchLock(db)
            try db.execute(sql: "DELETE FROM lock")
            return current?.info
        }
    }

    /// A lock helper for this store.
    public func lock(
        identity: ProcessIdentity = .current, sleeper: any Sleeper = TaskSleeper(), pollInterval: TimeInterval = 0.25
    ) -> StateLock {
        StateLock(store: self, identity: identity, sleeper: sleeper, pollInterval: pollInterval)
    }

    static func fetchLock(_ db: Database) throws -> (info: LockInfo, token: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM lock WHERE id = 1") else { return nil }
        let info = LockInfo(
            holder: try row.decode(forColumn: "holder"),
            pid: try row.decode(forColumn: "pid"),
            host: try row.decode(forColumn: "host"),
            operation: try row.decode(forColumn: "operation"),
            since: try decodeDate(row, "since"),
            heartbeat: try decodeDate(row, "heartbeat"))
        return (info, try row.decode(forColumn: "token"))
    }
}
