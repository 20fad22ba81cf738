import Foundation
import SandboxCore

/// The lock object kept next to a remote state (`KEY.lock`), created with `If-None-Match: *`.
public struct RemoteLock: Sendable, Codable, Equatable, CustomStringConvertible {
    public let holder: String
    public let pid: Int32
    public let host: String
    public let operation: String
    public let since: Date
    public var expires: Date
    /// A random token so a holder can tell its own lock from one that replaced it.
    public let token: String

    public var description: String {
        "\(holder) (pid \(pid) on \(host), \(operation) since \(since.formatted(.iso8601)), expires \(expires.formatted(.iso8601)))"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func encoded() throws -> Data { try Self.encoder.encode(self) }

    static func decode(_ data: Data) -> RemoteLock? { try? decoder.decode(RemoteLock.self, from: data) }
}

/// Another process holds the remote lock.
public struct RemoteLockedError: SandboxError {
    public let location: String
    public let lock: RemoteLock?
    public let category: FailureCategory = .state

    public var userMessage: String {
        let who = lock.map(\.description) ?? "another process (its lock object is unreadable)"
        return "state \(location) is locked by \(who); wait, pass --lock-timeout, or run sandbox state unlock if that process is gone"
    }
}

/// The remote state or lock changed under us: we refuse to overwrite rather than lose someone's update.
public struct RemoteConflictError: SandboxError {
    public let location: String
    public let reason: String
    public let category: FailureCategory = .state

    public var userMessage: String { "state \(location): \(reason); nothing was overwritten" }
}
