import Foundation
import GRDB
import SandboxCore
import XCTest
@testable import SandboxState

/// A clock tests move by hand.
final class FakeClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_750_000_000)) {
        current = start
    }

    func now() -> Date {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    func advance(by seconds: TimeInterval) {
        lock.lock(); defer { lock.unlock() }
        current = current.addingTimeInterval(seconds)
    }
}

/// A sleeper that advances a fake clock instead of sleeping, and runs a hook after each sleep.
final class FakeSleeper: Sleeper, @unchecked Sendable {
    private let lock = NSLock()
    private let clock: FakeClock
    private let onSleep: @Sendable (Int) -> Void
    private var count = 0

    init(clock: FakeClock, onSleep: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.clock = clock
        self.onSleep = onSleep
    }

    var sleeps: Int {
        lock.lock(); defer { lock.unlock() }
        return count
    }

    func sleep(seconds: Double) async throws {
        clock.advance(by: seconds)
        let n = lock.withLock {
            count += 1
            return count
        }
        onSleep(n)
    }
}

/// A fresh directory per test, removed afterwards.
class StateTestCase: XCTestCase {
    var directory: URL!
    var clock: FakeClock!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sandbox-state-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = FakeClock()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func statePath(_ name: String = "stack.sqlite") -> String {
        directory.appendingPathComponent(name).path
    }

    func openStore(_ path: String? = nil, version: String = "0.1.0") throws -> StateStore {
        try StateStore.open(path: path ?? statePath(), writerVersion: version, clock: clock)
    }

    /// Runs raw SQL on the file behind the store's back, as another tool or a newer sandbox would.
    func rawWrite(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: sql) }
    }

    func assertStateError(
        _ expression: @autoclosure () throws -> some Any, _ kind: StateError.Kind,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try expression(), file: file, line: line) { error in
            guard let error = error as? StateError else {
                return XCTFail("expected StateError, got \(type(of: error)): \(error)", file: file, line: line)
            }
            XCTAssertEqual(error.kind, kind, file: file, line: line)
            XCTAssertEqual(error.category, .state, file: file, line: line)
            XCTAssertFalse(error.userMessage.contains("\n"), file: file, line: line)
        }
    }
}

/// Starts `/bin/sh -c script` and returns the running process.
func startShell(_ script: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    try process.run()
    return process
}

/// The pid of a process that has already exited and been reaped.
func deadPid() throws -> Int32 {
    for _ in 0..<5 {
        let process = try startShell("exit 0")
        process.waitUntilExit()
        if !ProcessIdentity.isAlive(process.processIdentifier) { return process.processIdentifier }
    }
    throw XCTSkip("could not find a dead pid: every exited child's pid was reused at once")
}

func address(_ text: String) -> ResourceAddress {
    ResourceAddress(parsing: text)!
}

// Literals keep the tests readable; the library itself does not need them.
extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}
