import Foundation

/// Lets a caller that paces its own requests (cleanup's adaptive delete rate) hear about every throttled attempt,
/// including those the retry loop would absorb, and take over retrying them.
///
/// Set for a task with `ThrottleFeedback.$current.withValue(feedback) { ... }`; the client reads it per attempt.
public struct ThrottleFeedback: Sendable {
    /// Called once per throttled attempt (SlowDown, throttling codes, HTTP 503), before any retry decision.
    public let onThrottle: @Sendable (AWSError) -> Void
    /// When true, a throttled attempt is thrown at once instead of retried: the caller re-queues it at its own rate.
    public let callerRetriesThrottles: Bool

    public init(callerRetriesThrottles: Bool, onThrottle: @escaping @Sendable (AWSError) -> Void) {
        self.callerRetriesThrottles = callerRetriesThrottles
        self.onThrottle = onThrottle
    }

    @TaskLocal public static var current: ThrottleFeedback?

    /// S3 answers SlowDown (503); other services throttling codes or 429; a bare 503 is a request to slow down too.
    public static func isThrottle(_ error: AWSError) -> Bool {
        error.kind == .throttled || error.status == 503
    }
}
