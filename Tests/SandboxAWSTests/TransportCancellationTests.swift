import Foundation
import XCTest
@testable import SandboxAWS
import SandboxTestSupport

/// URLSession's async `data(for:)` on Linux deadlocked when a request's task was cancelled as its answer arrived
/// (the cancellation handler waits for the session's queue while holding the task's status lock; the session's queue,
/// delivering the answer, waits for that lock). `sandbox check` hung for good when an `async let` was cancelled by a
/// sibling's error. Requests are cancelled here at random moments around their completion, hundreds of times.
final class TransportCancellationTests: XCTestCase {
    func testCancellingRequestsAsTheyCompleteNeverDeadlocks() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        // A cheap answer (moto refuses GET /moto-api/reset with 400 at once), so cancellations land around completions.
        let url = try MotoServer.shared().endpoint.appendingPathComponent("moto-api/reset")
        let transport = AsyncHTTPClientTransport(timeout: 10)
        let finished = DispatchSemaphore(value: 0)
        let counts = Counts()
        // Cancellations must land around completions on this machine, however loaded: one uncancelled request first
        // (it must be answered) gives the time an answer takes, and the delays before cancelling spread over 0...4x it.
        let warmUp = DispatchSemaphore(value: 0)
        let firstAnswer = AnswerTime()
        Task.detached {
            let started = Date()
            if (try? await transport.send(HTTPRequest(method: "GET", url: url))) != nil {
                firstAnswer.set(Date().timeIntervalSince(started))
            }
            warmUp.signal()
        }
        XCTAssertEqual(warmUp.wait(timeout: .now() + 30), .success, "the first request was never answered")
        let answerNanos = try XCTUnwrap(firstAnswer.nanoseconds, "the first request failed")
        Task.detached {
            for round in 0..<300 {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            do {
                                _ = try await transport.send(HTTPRequest(method: "GET", url: url))
                                counts.add(answered: 1)
                            } catch {
                                counts.add(cancelled: 1)
                            }
                        }
                    }
                    try? await Task.sleep(nanoseconds: UInt64(answerNanos * (round % 11) * 4 / 10))
                    group.cancelAll()
                }
            }
            finished.signal()
        }
        // A plain semaphore, not async/await: a deadlock stops every Swift task, the test's own included.
        XCTAssertEqual(finished.wait(timeout: .now() + 180), .success, "requests cancelled as they completed deadlocked (\(counts))")
        XCTAssertGreaterThan(counts.answered, 0, "\(counts)")
        XCTAssertGreaterThan(counts.cancelled, 0, "\(counts)")
    }
}

private final class AnswerTime: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: TimeInterval?
    func set(_ value: TimeInterval) { lock.withLock { seconds = value } }
    var nanoseconds: Int? { lock.withLock { seconds.map { max(1_000_000, Int($0 * 1_000_000_000)) } } }
}

private final class Counts: @unchecked Sendable, CustomStringConvertible {
    private let lock = NSLock()
    private(set) var answered = 0
    private(set) var cancelled = 0
    func add(answered a: Int = 0, cancelled c: Int = 0) { lock.withLock { answered += a; cancelled += c } }
    var description: String { lock.withLock { "\(answered) answered, \(cancelled) cancelled" } }
}
