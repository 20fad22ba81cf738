import Foundation
import SandboxCore
import SandboxState

/// Opening state for reading without creating it, and holding the write lock for the length of a command.
enum StateAccess {
    /// Records, lineage and serial of an existing state; an absent file is an empty state (nothing is created).
    static func snapshot(path: String) throws -> (records: [ResourceRecord], lineage: String?, serial: Int) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], nil, 0) }
        let store = try StateStore.openExisting(path: path)
        return (try store.resources(), store.lineage, try store.serial)
    }

    /// Runs `body` holding the state lock; a second writer fails at once naming the holder, or waits `timeout` seconds.
    static func withLock<T: Sendable>(_ store: StateStore, operation: String, timeout: TimeInterval, console: Console,
                                      _ body: @Sendable () async throws -> T) async throws -> T {
        let holder = "\(ProcessInfo.processInfo.environment["USER"] ?? "sandbox")@\(ProcessIdentity.current.host)"
        let handle = try await store.lock().acquire(holder: holder, operation: operation, timeout: timeout, staleAfter: 120)
        if let broken = handle.brokenLock { console.err("warning: broke stale lock: \(broken)") }
        // Heartbeat so other processes can tell a slow holder from a dead one.
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 15_000_000_000)
                try? handle.heartbeat()
            }
        }
        defer {
            heartbeat.cancel()
            _ = try? handle.release()
        }
        return try await body()
    }
}
