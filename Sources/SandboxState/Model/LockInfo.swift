import Foundation

/// Who holds a state lock, from where, and since when.
public struct LockInfo: Sendable, Codable, Hashable, CustomStringConvertible {
    /// Who asked for the lock, such as `alice` or `ci-job-123`.
    public var holder: String
    /// The holding process's id on `host`.
    public var pid: Int32
    /// The host the holding process runs on.
    public var host: String
    /// What the holder is doing, such as `apply` or `cleanup`.
    public var operation: String
    /// When the lock was taken.
    public var since: Date
    /// When the holder last said it was alive.
    public var heartbeat: Date

    public init(holder: String, pid: Int32, host: String, operation: String, since: Date, heartbeat: Date) {
        self.holder = holder
        self.pid = pid
        self.host = host
        self.operation = operation
        self.since = since
        self.heartbeat = heartbeat
    }

    /// `alice (pid 42 on build-7, operation "apply", since 2025-01-01T10:00:00.000Z)`.
    public var description: String {
        "\(holder) (pid \(pid) on \(host), operation \"\(operation)\", since \(Timestamp.string(since)))"
    }
}
