import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which process on which host is asking for a lock; injected so tests can pose as another process.
public struct ProcessIdentity: Sendable, Hashable {
    public var pid: Int32
    public var host: String

    public init(pid: Int32, host: String) {
        self.pid = pid
        self.host = host
    }

    /// This process on this host.
    public static var current: ProcessIdentity {
        ProcessIdentity(pid: getpid(), host: hostName())
    }

    /// False only when `pid` certainly names no process on this host (`kill(pid, 0)` fails with ESRCH).
    @Sendable
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        // EPERM: it exists but belongs to someone else.
        return errno != ESRCH
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
