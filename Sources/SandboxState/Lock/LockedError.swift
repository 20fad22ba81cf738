import Foundation
import SandboxCore

/// The state file is locked by a live process; category `.state`.
public struct LockedError: SandboxError, Equatable {
    /// The state file.
    public let path: String
    /// Who holds the lock.
    public let lock: LockInfo
    /// How long the caller waited before giving up; 0 when it did not wait.
    public let waited: TimeInterval

    public init(path: String, lock: LockInfo, waited: TimeInterval = 0) {
        self.path = path
        self.lock = lock
        self.waited = waited
    }

    public var category: FailureCategory { .state }

    public var userMessage: String {
        let after = waited > 0 ? " after waiting \(Self.seconds(waited))" : ""
        return "state file \(path) is locked by \(lock)\(after); wait, or run `sandbox state unlock` if that process is gone"
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value))s" : String(format: "%.1fs", value)
    }
}

/// A lock found stale and broken while acquiring; the caller shows `description` to the user.
public struct BrokenLock: Sendable, Hashable, CustomStringConvertible {
    /// The lock that was broken.
    public let lock: LockInfo
    /// Why it was judged stale.
    public let reason: String

    public init(lock: LockInfo, reason: String) {
        self.lock = lock
        self.reason = reason
    }

    /// `alice (pid 42 on build-7, operation "apply", since …): process 42 on build-7 is gone`.
    public var description: String { "\(lock): \(reason)" }

    /// The whole sentence: `broke stale lock held by alice (pid 42 on build-7, …): process 42 on build-7 is gone`.
    public var message: String { "broke stale lock held by \(description)" }
}
