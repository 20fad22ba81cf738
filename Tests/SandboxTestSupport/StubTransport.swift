import Foundation
import SandboxAWS
import SandboxCore

/// A transport that checks each request against an expected sequence and answers with canned responses
/// (like boto3's Stubber). Unexpected or missing calls fail the test through `verify()`.
public final class StubTransport: HTTPTransport, @unchecked Sendable {
    public struct Expectation: Sendable {
        public let check: @Sendable (HTTPRequest) -> String?
        public let answer: @Sendable (HTTPRequest) throws -> HTTPResponse
    }

    private let lock = NSLock()
    private var expectations: [Expectation] = []
    private var problems: [String] = []
    public private(set) var received: [HTTPRequest] = []

    public init() {}

    /// Expects a request whose `X-Amz-Target` or Query `Action` or method+path matches `operation`, and answers it.
    @discardableResult
    public func expect(_ operation: String? = nil, status: Int = 200, headers: [String: String] = [:], body: String = "",
                       check: (@Sendable (HTTPRequest) -> String?)? = nil) -> StubTransport {
        let data = Data(body.utf8)
        return expect(check: { request in
            if let operation, !Self.matches(request, operation: operation) {
                return "expected \(operation), got \(Self.describe(request))"
            }
            return check?(request)
        }, answer: { _ in HTTPResponse(status: status, headers: headers, body: data) })
    }

    /// Expects a request and throws `error` instead of answering (connection refused, timeouts).
    @discardableResult
    public func expectFailure(_ error: Error & Sendable) -> StubTransport {
        expect(check: { _ in nil }, answer: { _ in throw error })
    }

    @discardableResult
    public func expect(check: @escaping @Sendable (HTTPRequest) -> String?, answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) -> StubTransport {
        lock.lock(); defer { lock.unlock() }
        expectations.append(Expectation(check: check, answer: answer))
        return self
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let next: Expectation? = {
            lock.lock(); defer { lock.unlock() }
            received.append(request)
            guard !expectations.isEmpty else {
                problems.append("unexpected request \(Self.describe(request))")
                return nil
            }
            return expectations.removeFirst()
        }()
        guard let next else {
            return HTTPResponse(status: 599, body: Data("unexpected request in stub".utf8))
        }
        if let problem = next.check(request) {
            lock.withLock { problems.append(problem) }
        }
        return try next.answer(request)
    }

    /// Problems seen so far plus any expectation never used; empty when the exchange went exactly as scripted.
    public func verify() -> [String] {
        lock.lock(); defer { lock.unlock() }
        return problems + (expectations.isEmpty ? [] : ["\(expectations.count) expected request(s) never sent"])
    }

    public var requestCount: Int {
        lock.lock(); defer { lock.unlock() }
        return received.count
    }

    static func matches(_ request: HTTPRequest, operation: String) -> Bool {
        if let target = request.headers["X-Amz-Target"], target.hasSuffix(".\(operation)") { return true }
        let body = String(decoding: request.body, as: UTF8.self)
        if body.hasPrefix("Action=\(operation)&") || body == "Action=\(operation)" { return true }
        return "\(request.method) \(request.url.path)" == operation || request.method == operation
    }

    static func describe(_ request: HTTPRequest) -> String {
        let body = String(decoding: request.body.prefix(80), as: UTF8.self)
        return "\(request.method) \(request.url.absoluteString) \(request.headers["X-Amz-Target"] ?? "") \(body)"
    }
}

/// A clock fixed at a given instant that tests can move forward.
public final class FixedClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ date: Date = Date(timeIntervalSince1970: 1_700_000_000)) { current = date }

    public func now() -> Date {
        lock.lock(); defer { lock.unlock() }
        return current
    }

    public func advance(by seconds: TimeInterval) {
        lock.lock(); defer { lock.unlock() }
        current = current.addingTimeInterval(seconds)
    }
}

/// Records requested sleeps instead of sleeping, and advances an optional clock by them.
public final class RecordingSleeper: Sleeper, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []
    private let clock: FixedClock?

    public init(clock: FixedClock? = nil) { self.clock = clock }

    public func sleep(seconds: Double) async throws {
        lock.withLock { recorded.append(seconds) }
        clock?.advance(by: seconds)
    }

    public var sleeps: [Double] {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }
}
