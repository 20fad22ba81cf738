import Foundation
import SandboxCleanup
import XCTest

/// The delete rate controller, driven by an injected clock (plain numbers of seconds).
final class AdaptiveDeleteRateTests: XCTestCase {
    func testNoRateUntilTheFirstThrottleThenSlowDownLowersIt() {
        var rate = AdaptiveDeleteRate(settings: .init(initialWindow: 4), now: 0)
        XCTAssertNil(rate.rate)
        XCTAssertEqual(rate.reserve(keys: 1000, now: 0), 0)
        for step in 1...8 { rate.succeeded(keys: 1000, now: Double(step) * 0.25) }
        rate.throttled(sentAt: 2, now: 2)
        let lowered = try? XCTUnwrap(rate.rate)
        XCTAssertEqual(lowered ?? 0, 4000, accuracy: 1, "80% of the 5,000 keys deleted in the last second (1.0 s to 2.0 s)")
        XCTAssertEqual(rate.throttles, 1)
        XCTAssertEqual(rate.window, 9, "slow start widened 4 to 12 in 8 successes; the throttle keeps 80%")
        // Sends are now spaced at the lowered rate: 1,000 keys every 1/4 s.
        XCTAssertEqual(rate.reserve(keys: 1000, now: 2), 0, accuracy: 1e-9)
        XCTAssertEqual(rate.reserve(keys: 1000, now: 2), 0.25, accuracy: 1e-6)
    }

    func testSuccessRaisesTheRateAgain() {
        var rate = AdaptiveDeleteRate(settings: .init(), now: 0)
        rate.succeeded(keys: 1000, now: 0.5)
        rate.throttled(sentAt: 0.5, now: 1)
        let after = rate.rate ?? 0
        for step in 1...10 { rate.succeeded(keys: 500, now: 1 + Double(step) * 0.5) }
        XCTAssertGreaterThan(rate.rate ?? 0, after * 1.5, "5 s of success at 12%/s of the lowered rate")
    }

    func testOneDecreasePerReaction() {
        var rate = AdaptiveDeleteRate(settings: .init(), now: 0)
        rate.succeeded(keys: 1000, now: 1)
        rate.throttled(sentAt: 1, now: 1.1)
        let once = rate.rate
        // Requests sent before that decrease come back throttled too: counted, not lowered again.
        rate.throttled(sentAt: 1.05, now: 1.2)
        rate.throttled(sentAt: 0.9, now: 1.3)
        XCTAssertEqual(rate.rate, once)
        XCTAssertEqual(rate.throttles, 3)
    }

    func testNeverBelowOneInFlightNorBelowTheMinimumRate() {
        var rate = AdaptiveDeleteRate(settings: .init(initialWindow: 8, minRate: 20), now: 0)
        for step in 1...200 { rate.throttled(sentAt: Double(step), now: Double(step)) }
        XCTAssertEqual(rate.window, 1)
        XCTAssertEqual(rate.rate ?? 0, 20, accuracy: 1e-9)
        XCTAssertEqual(rate.throttles, 200)
    }

    func testSlowStartUntilTheFirstThrottleThenOneMorePerWindow() {
        var rate = AdaptiveDeleteRate(settings: .init(initialWindow: 4, maxWindow: 64), now: 0)
        for step in 1...4 { rate.succeeded(keys: 1000, now: Double(step) * 0.01) }
        XCTAssertEqual(rate.window, 8, "one more per success before any throttle")
        rate.throttled(sentAt: 0.04, now: 0.05)
        XCTAssertEqual(rate.window, 6)
        for step in 1...5 { rate.succeeded(keys: 1000, now: 0.05 + Double(step) * 0.01) }
        XCTAssertEqual(rate.window, 6, "after a throttle, one more only once a whole window succeeded")
        rate.succeeded(keys: 1000, now: 0.2)
        XCTAssertEqual(rate.window, 7)
    }

    func testWindowWidensWhileDeletesSucceed() {
        var rate = AdaptiveDeleteRate(settings: .init(initialWindow: 2, maxWindow: 6), now: 0)
        for step in 1...100 { rate.succeeded(keys: 1000, now: Double(step) * 0.01) }
        XCTAssertEqual(rate.window, 6)
    }

    func testNeverGivesUpWhileMakingProgress() {
        var rate = AdaptiveDeleteRate(settings: .init(stallTimeout: 60), now: 0)
        // An hour of mostly SlowDown, with one success every 50 s: never stalled.
        var now = 0.0
        while now < 3600 {
            now += 10
            rate.throttled(sentAt: now - 1, now: now)
            XCTAssertFalse(rate.stalled(now: now), "stalled at \(now)s while deletes still succeed")
            if Int(now) % 50 == 0 { rate.succeeded(keys: 1000, now: now) }
        }
        XCTAssertGreaterThan(rate.keysDeleted, 0)
    }

    func testGivesUpOnlyAfterTheBoundedNoProgressTime() {
        var rate = AdaptiveDeleteRate(settings: .init(stallTimeout: 60), now: 0)
        rate.succeeded(keys: 1000, now: 5)
        rate.throttled(sentAt: 5, now: 6)
        XCTAssertFalse(rate.stalled(now: 64))
        XCTAssertTrue(rate.stalled(now: 65.5))
        XCTAssertEqual(rate.effectiveRate(now: 10), 100, accuracy: 1e-9)
    }
}
