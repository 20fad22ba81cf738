import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// A state file kept as an object in S3, locked by a lock object created with `If-None-Match: *`
/// (as Terraform's S3 backend does) and written back with `If-Match`, so a lost lock can never
/// overwrite a newer state.
public final class S3StateBackend: Sendable {
    public let bucket: String
    public let key: String
    public let lockTTL: TimeInterval
    let s3: S3Client
    let clock: WallClock
    let sleeper: Sleeper

    public init(bucket: String, key: String, client: AWSClient, lockTTL: TimeInterval = 120) {
        self.bucket = bucket
        self.key = key
        self.lockTTL = lockTTL
        self.s3 = S3Client(client)
        self.clock = client.clock
        self.sleeper = client.sleeper
    }

    public var lockKey: String { key + ".lock" }
    public var location: String { "s3://\(bucket)/\(key)" }

    /// The state object's bytes and ETag, or nil when there is no state yet.
    public func fetch() async throws -> (data: Data, eTag: String)? {
        do {
            let object = try await s3.getObject(bucket: bucket, key: key)
            guard let eTag = object.eTag else {
                throw RemoteConflictError(location: location, reason: "the endpoint returned no ETag, so writes cannot be made safe")
            }
            return (object.body, eTag)
        } catch let error as AWSError where error.code == "NoSuchKey" || (error.kind == .notFound && error.code != "NoSuchBucket") {
            return nil
        }
    }

    /// Writes the state only if it is still the version we read (`If-Match`), or still absent (`If-None-Match: *`).
    @discardableResult
    public func store(_ data: Data, replacing eTag: String?) async throws -> String? {
        do {
            return try await s3.putObject(bucket: bucket, key: key, body: data, contentType: "application/vnd.sqlite3",
                                          ifNoneMatch: eTag == nil ? "*" : nil, ifMatch: eTag)
        } catch let error as AWSError where Self.isPrecondition(error) {
            // A write whose answer was lost (a timeout, a reset) is retried and then fails its own condition: when the
            // object holds exactly our bytes, the first attempt landed.
            if let current = try? await fetch(), current.data == data { return current.eTag }
            throw RemoteConflictError(location: location, reason: "someone else wrote the state since it was read")
        }
    }

    static func isPrecondition(_ error: AWSError) -> Bool {
        error.status == 412 || error.code == "PreconditionFailed" || error.code == "ConditionalRequestConflict" || error.status == 409
    }

    // MARK: Lock

    /// Takes the lock, waiting up to `timeout` seconds; a lock past its expiry is taken over (with a message).
    public func lock(holder: String, operation: String, timeout: TimeInterval) async throws -> RemoteLockHandle {
        let started = clock.now()
        var delay = 0.25
        var tried: Set<String> = []  // tokens of the locks this call wrote or tried to write
        while true {
            let now = clock.now()
            let candidate = RemoteLock(holder: holder, pid: ProcessInfo.processInfo.processIdentifier, host: ProcessInfo.processInfo.hostName,
                                       operation: operation, since: now, expires: now.addingTimeInterval(lockTTL), token: UUID().uuidString)
            tried.insert(candidate.token)
            do {
                let eTag = try await s3.putObject(bucket: bucket, key: lockKey, body: try candidate.encoded(), contentType: "application/json",
                                                  ifNoneMatch: "*", ifMatch: nil)
                return RemoteLockHandle(backend: self, lock: candidate, eTag: eTag, tookOver: nil)
            } catch let error as AWSError where Self.isPrecondition(error) {
                // Held: take it over if it expired, otherwise wait or give up.
            }
            let current = try await currentLockObject()
            if let (held, eTag) = current, let held, tried.contains(held.token) {
                // Our own write, retried after its answer was lost, failed its condition: the lock is ours.
                return RemoteLockHandle(backend: self, lock: held, eTag: eTag, tookOver: nil)
            }
            if let (held, eTag) = current, held.map({ $0.expires < now }) ?? true {
                do {
                    let newETag = try await s3.putObject(bucket: bucket, key: lockKey, body: try candidate.encoded(), contentType: "application/json",
                                                         ifNoneMatch: nil, ifMatch: eTag)
                    return RemoteLockHandle(backend: self, lock: candidate, eTag: newETag, tookOver: held, replacedUnreadable: held == nil)
                } catch let error as AWSError where Self.isPrecondition(error) {
                    continue
                }
            }
            if current == nil { continue }
            let waited = clock.now().timeIntervalSince(started)
            guard waited < timeout else { throw RemoteLockedError(location: location, lock: current?.0 ?? nil) }
            try await sleeper.sleep(seconds: min(delay, timeout - waited))
            delay = min(2, delay * 2)
        }
    }

    /// The lock object and its ETag; the lock is nil when the object exists but cannot be read as a lock.
    public func currentLockObject() async throws -> (RemoteLock?, String)? {
        do {
            let object = try await s3.getObject(bucket: bucket, key: lockKey)
            return (RemoteLock.decode(object.body), object.eTag ?? "")
        } catch let error as AWSError where error.code == "NoSuchKey" || (error.kind == .notFound && error.code != "NoSuchBucket") {
            return nil
        }
    }

    public func currentLock() async throws -> RemoteLock? {
        try await currentLockObject()?.0
    }

    /// Removes the lock whoever holds it (`sandbox state unlock`); returns what it was.
    public func forceUnlock() async throws -> RemoteLock?? {
        guard let (held, _) = try await currentLockObject() else { return nil }
        try await s3.deleteObject(bucket: bucket, key: lockKey)
        return .some(held)
    }
}

/// A held remote lock: renewed while working, released at the end, and checked before every upload.
public final class RemoteLockHandle: @unchecked Sendable {
    let backend: S3StateBackend
    private let mutex = NSLock()
    private var lock: RemoteLock
    private var eTag: String?
    /// The expired lock this one replaced, for the "took over" message.
    public let tookOver: RemoteLock?
    /// The lock object this handle replaced could not be read as a lock.
    public let replacedUnreadable: Bool

    init(backend: S3StateBackend, lock: RemoteLock, eTag: String?, tookOver: RemoteLock?, replacedUnreadable: Bool = false) {
        self.replacedUnreadable = replacedUnreadable
        self.backend = backend
        self.lock = lock
        self.eTag = eTag
        self.tookOver = tookOver
    }

    /// Extends the expiry; fails when the lock is no longer ours (it expired and someone took it over).
    public func renew() async throws {
        let (current, tag) = mutex.withLock { (lock, eTag) }
        var renewed = current
        renewed.expires = backend.clock.now().addingTimeInterval(backend.lockTTL)
        do {
            let newTag = try await backend.s3.putObject(bucket: backend.bucket, key: backend.lockKey, body: try renewed.encoded(),
                                                        contentType: "application/json", ifNoneMatch: tag == nil ? "*" : nil, ifMatch: tag)
            mutex.withLock {
                lock = renewed
                eTag = newTag
            }
        } catch let error as AWSError where S3StateBackend.isPrecondition(error) {
            if let (held, tag) = try? await backend.currentLockObject(), let held, held.token == current.token {
                // A renewal whose answer was lost and was retried: the lock object is still ours.
                mutex.withLock {
                    lock = held
                    eTag = tag
                }
                return
            }
            let holder = (try? await backend.currentLock()).flatMap { $0 }
            throw RemoteConflictError(location: backend.location,
                                      reason: "this process lost its lock\(holder.map { " to \($0)" } ?? ""); its changes were not uploaded")
        }
    }

    /// Deletes the lock if it is still ours.
    public func release() async {
        let token = mutex.withLock { lock.token }
        guard let current = try? await backend.currentLockObject(), current.0?.token == token else { return }
        // Conditional on the ETag just read: a takeover between the read and the delete fails the condition and
        // the new holder's lock stays.
        try? await backend.s3.deleteObject(bucket: backend.bucket, key: backend.lockKey, ifMatch: current.1.isEmpty ? nil : current.1)
    }
}
