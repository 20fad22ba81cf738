import Foundation

/// Paces DeleteObjects to what S3 admits: slow start, then additive increase while deletes succeed, multiplicative decrease on a
/// SlowDown, on both a send rate (keys a second, a token bucket of one batch) and a window of batches in flight,
/// as the AWS SDKs' adaptive retry mode does. Pure value with times passed in, so tests drive it with a fake clock.
///
/// S3 limits DELETE to about 3,500 keys a second per prefix partition and answers 503 SlowDown above it; a
/// 1,000-key DeleteObjects counts 1,000. There is no rate until the first throttle: the window alone bounds sending.
public struct AdaptiveDeleteRate: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Batches in flight at the start, and the most ever.
        public var initialWindow: Int
        public var maxWindow: Int
        /// Share of the measured rate kept after a throttle (and of the window).
        public var decrease: Double
        /// Growth of the rate per second of success, as a share of the rate set at the last decrease.
        public var increasePerSecond: Double
        /// The rate never goes below this many keys a second.
        public var minRate: Double
        /// Seconds without one key deleted, while throttled, after which cleanup stops (exit 4).
        public var stallTimeout: Double

        public init(initialWindow: Int = 4, maxWindow: Int = 16, decrease: Double = 0.8, increasePerSecond: Double = 0.12,
                    minRate: Double = 20, stallTimeout: Double = 300) {
            self.initialWindow = max(1, initialWindow)
            self.maxWindow = max(self.initialWindow, maxWindow)
            self.decrease = min(0.95, max(0.1, decrease))
            self.increasePerSecond = max(0.001, increasePerSecond)
            self.minRate = max(1, minRate)
            self.stallTimeout = max(1, stallTimeout)
        }
    }

    public let settings: Settings
    /// Batches that may be in flight now; never below one.
    public private(set) var window: Int
    /// Keys a second the sender is held to; nil until S3 first throttles.
    public private(set) var rate: Double?
    public private(set) var throttles = 0
    public private(set) var keysDeleted = 0
    private let started: Double
    private var nextSend: Double
    private var lastDecrease = -Double.infinity
    private var lastUpdate: Double
    private var rateAtDecrease = 0.0
    private var lastProgress: Double
    private var successesAtWindow = 0
    /// Successful deletes of the last second: (time, keys), oldest first; a handful of entries.
    private var recent: [(Double, Int)] = []

    public init(settings: Settings = Settings(), now: Double) {
        self.settings = settings
        self.window = settings.initialWindow
        self.started = now
        self.nextSend = now
        self.lastUpdate = now
        self.lastProgress = now
    }

    /// Reserves a send of `keys` and returns how many seconds to wait before sending it.
    public mutating func reserve(keys: Int, now: Double) -> Double {
        guard let rate else { return 0 }
        let start = max(now, nextSend)
        nextSend = start + Double(keys) / rate
        return start - now
    }

    /// A DeleteObjects that deleted `keys` came back.
    public mutating func succeeded(keys: Int, now: Double) {
        keysDeleted += keys
        if keys > 0 { lastProgress = now }
        recent.append((now, keys))
        recent.removeAll { now - $0.0 > 1 }
        if let current = rate {
            let step = settings.increasePerSecond * max(rateAtDecrease, settings.minRate)
            rate = current + step * max(0, now - lastUpdate)
        }
        lastUpdate = now
        successesAtWindow += 1
        // Until S3 first throttles, one more per success (the window doubles each round, as TCP's slow start), so a
        // 100k-key run reaches full width in a few rounds; after it, one more per window of successes.
        if rate == nil || successesAtWindow >= window, window < settings.maxWindow {
            window += 1
            successesAtWindow = 0
        }
    }

    /// A request sent at `sentAt` was throttled. One decrease per reaction: throttles of requests sent before the
    /// last decrease are counted but do not lower the rate again.
    public mutating func throttled(sentAt: Double, now: Double) {
        throttles += 1
        guard sentAt >= lastDecrease else { return }
        lastDecrease = now
        let measured = measuredRate(now: now)
        let base = measured > 0 ? measured : (rate ?? Double(settings.initialWindow) * 1000)
        let lowered = max(settings.minRate, min(base, rate ?? base) * settings.decrease)
        rate = lowered
        rateAtDecrease = lowered
        lastUpdate = now
        nextSend = max(nextSend, now)
        window = max(1, Int((Double(window) * settings.decrease).rounded(.down)))
        successesAtWindow = 0
    }

    /// Keys deleted a second over the last second (or since the start, if younger).
    public func measuredRate(now: Double) -> Double {
        let keys = recent.filter { now - $0.0 <= 1 }.reduce(0) { $0 + $1.1 }
        let span = min(1, max(now - started, 0.25))
        return Double(keys) / span
    }

    /// True when nothing was deleted for `stallTimeout` seconds: the only way throttling ends a cleanup.
    public func stalled(now: Double) -> Bool {
        now - lastProgress > settings.stallTimeout
    }

    /// Seconds since the controller started.
    public func elapsed(now: Double) -> Double { max(0, now - started) }

    /// Keys deleted a second since the start.
    public func effectiveRate(now: Double) -> Double {
        let span = now - started
        return span > 0 ? Double(keysDeleted) / span : 0
    }
}
