import Foundation

/// A source of the current time, injected so tests can fix it.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// Waits for a duration; injected so retry and polling tests never really sleep.
public protocol Sleeper: Sendable {
    func sleep(seconds: Double) async throws
}

/// Sleeps with `Task.sleep`.
public struct TaskSleeper: Sleeper {
    public init() {}
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
