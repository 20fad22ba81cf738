import Foundation
import SandboxCore
import SandboxState

/// Working on a remote state: a private local copy of the SQLite file, used and written back safely.
public struct RemoteWorkspace: Sendable {
    public let backend: S3StateBackend
    public let writerVersion: String
    /// Told about lock takeovers and merges, for the user.
    public let notice: @Sendable (String) -> Void

    public init(backend: S3StateBackend, writerVersion: String, notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.backend = backend
        self.writerVersion = writerVersion
        self.notice = notice
    }

    /// A private directory (mode 0700) for local copies; removed by the caller.
    static func privateDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }

    /// Writes `data` (or nothing, for an absent state) as a fresh local file and returns its path.
    static func materialize(_ data: Data?, in directory: URL, name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        if let data {
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw SimpleError(.state, "cannot write a local copy of the state to \(path)")
            }
        }
        return path
    }

    /// The file's bytes with everything checkpointed out of the WAL.
    static func bytes(of path: String, writerVersion: String) throws -> Data {
        try StateStore.open(path: path, writerVersion: writerVersion).checkpoint()
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimpleError(.state, "cannot read the local copy of the state at \(path)")
        }
        return data
    }

    /// Runs `body` on a read-only copy (nil when there is no remote state yet).
    public func withCopy<T: Sendable>(_ body: @Sendable (String?) async throws -> T) async throws -> T {
        let directory = try Self.privateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard let remote = try await backend.fetch() else { return try await body(nil) }
        return try await body(try Self.materialize(remote.data, in: directory, name: "state.sqlite"))
    }

    /// Runs `body` on a local copy while holding the remote lock, then uploads the result, also after a failure,
    /// because a partial apply is state too. If run records landed meanwhile, they are kept: our resources,
    /// outputs and journal are merged into the newest state and written with `If-Match` again.
    public func withLock<T: Sendable>(holder: String, operation: String, timeout: TimeInterval,
                                      _ body: @Sendable (String) async throws -> T) async throws -> T {
        let handle = try await backend.lock(holder: holder, operation: operation, timeout: timeout)
        if let old = handle.tookOver { notice("took over an expired lock held by \(old)") }
        if handle.replacedUnreadable { notice("replaced a lock object at \(backend.location).lock that could not be read as a lock") }
        let renewal = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(1, backend.lockTTL / 3) * 1_000_000_000))
                if Task.isCancelled { break }
                try? await handle.renew()
            }
        }
        let directory = try Self.privateDirectory()
        defer {
            renewal.cancel()
            try? FileManager.default.removeItem(at: directory)
        }
        do {
            let remote = try await backend.fetch()
            let path = try Self.materialize(remote?.data, in: directory, name: "state.sqlite")
            let baseline = try StateStore.open(path: path, writerVersion: writerVersion).lastJournalId()
            let outcome: Result<T, Error>
            do { outcome = .success(try await body(path)) } catch { outcome = .failure(error) }
            renewal.cancel()
            // Never upload without the lock: if it was taken over, the new holder's state wins.
            try await handle.renew()
            try await upload(path, baseline: baseline, eTag: remote?.eTag, directory: directory)
            await handle.release()
            return try outcome.get()
        } catch {
            await handle.release()
            throw error
        }
    }

    func upload(_ path: String, baseline: Int64, eTag: String?, directory: URL, attempts: Int = 8) async throws {
        var expected = eTag
        var data = try Self.bytes(of: path, writerVersion: writerVersion)
        for attempt in 1...attempts {
            do {
                try await backend.store(data, replacing: expected)
                return
            } catch let conflict as RemoteConflictError where attempt < attempts {
                _ = conflict
                guard let latest = try await backend.fetch() else {
                    expected = nil
                    continue
                }
                let freshPath = try Self.materialize(latest.data, in: directory, name: "latest-\(attempt).sqlite")
                let fresh = try StateStore.open(path: freshPath, writerVersion: writerVersion)
                try fresh.adoptResources(from: try StateStore.open(path: path, writerVersion: writerVersion), journalAfter: baseline)
                data = try Self.bytes(of: freshPath, writerVersion: writerVersion)
                expected = latest.eTag
                notice("merged this run's changes into a state another writer updated meanwhile")
            }
        }
    }

    /// Applies `mutation` to the newest state and writes it back, re-reading and re-applying on conflicts, so
    /// concurrent writers of run and cleanup records never lose one another's records.
    public func update<T: Sendable>(attempts: Int = 60, _ mutation: @Sendable (StateStore) throws -> T) async throws -> T {
        let directory = try Self.privateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var delay = 0.05
        for attempt in 1...attempts {
            let remote = try await backend.fetch()
            let path = try Self.materialize(remote?.data, in: directory, name: "update-\(attempt).sqlite")
            let result = try mutation(try StateStore.open(path: path, writerVersion: writerVersion))
            do {
                try await backend.store(try Self.bytes(of: path, writerVersion: writerVersion), replacing: remote?.eTag)
                return result
            } catch let conflict as RemoteConflictError {
                if attempt == attempts { throw conflict }
                // Full jitter, so writers that collided once spread out instead of colliding again.
                try await backend.sleeper.sleep(seconds: Double.random(in: 0...delay))
                delay = min(2, delay * 2)
            }
        }
        throw RemoteConflictError(location: backend.location, reason: "gave up after \(attempts) conflicting writes")
    }
}
