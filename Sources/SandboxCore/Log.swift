import Foundation

/// Severity of a log line; `SANDBOX_LOG=debug|info|warn|error|off` chooses the threshold.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug = 0, info, warn, error, off

    public init?(name: String) {
        switch name.lowercased() {
        case "debug", "trace": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        case "off", "none": self = .off
        default: return nil
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A destination for log lines; the CLI writes to stderr, tests capture in memory.
public protocol LogSink: Sendable {
    func write(_ line: String)
}

/// Writes lines to standard error.
public struct StandardErrorSink: LogSink {
    public init() {}
    public func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A small structured logger. Secrets never reach it by construction; `Redactor` is a second fence.
public struct Log: Sendable {
    public let level: LogLevel
    let sink: LogSink
    let redactor: Redactor

    public init(level: LogLevel, sink: LogSink = StandardErrorSink(), redactor: Redactor = Redactor()) {
        self.level = level
        self.sink = sink
        self.redactor = redactor
    }

    /// A logger that drops everything.
    public static let silent = Log(level: .off)

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard level >= self.level, self.level != .off else { return }
        let stamp = Date().formatted(.iso8601)
        sink.write("\(stamp) \(String(describing: level).uppercased()) \(redactor.redact(message()))")
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warn(_ message: @autoclosure () -> String) { log(.warn, message()) }
}

/// Replaces known secret values with a mask wherever they would appear in text meant for humans or files.
public final class Redactor: @unchecked Sendable {
    private let lock = NSLock()
    private var secrets: Set<String> = []

    public init() {}

    /// Registers a value that must never be written anywhere.
    public func register(_ secret: String?) {
        guard let secret, secret.count >= 4 else { return }
        lock.lock(); defer { lock.unlock() }
        secrets.insert(secret)
    }

    public var knownSecrets: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return secrets
    }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in knownSecrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "****")
        }
        return out
    }

    /// True when the text contains a registered secret.
    public func leaks(_ text: String) -> Bool {
        knownSecrets.contains { text.contains($0) }
    }
}
