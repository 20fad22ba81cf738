import Foundation
import SandboxCore

/// What to do after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    case retry(afterSeconds: Double)
    case stop
}

/// AWS "standard" retry mode: it only decides; the loop that sleeps lives in `AWSClient`.
public struct RetryPolicy: Sendable {
    public let maxAttempts: Int
    public let baseDelay: Double
    public let maxBackoff: Double
    /// Returns a number in [0, 1); injected so tests can pin the jitter.
    public let jitter: @Sendable () -> Double

    public init(maxAttempts: Int = 3, baseDelay: Double = 1, maxBackoff: Double = 20, jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxBackoff = maxBackoff
        self.jitter = jitter
    }

    /// Reads `AWS_MAX_ATTEMPTS` (a flag wins over it); rejects anything but a positive integer.
    public static func attempts(flag: Int?, environment: [String: String]) throws -> Int {
        if let flag {
            guard flag >= 1, flag <= 20 else { throw SimpleError(.usage, "--max-attempts must be between 1 and 20, got \(flag)") }
            return flag
        }
        guard let raw = environment["AWS_MAX_ATTEMPTS"], !raw.isEmpty else { return 3 }
        guard let value = Int(raw), value >= 1, value <= 20 else {
            throw SimpleError(.usage, "AWS_MAX_ATTEMPTS must be an integer between 1 and 20, got '\(raw)'")
        }
        return value
    }

    /// - Parameters:
    ///   - attempt: how many attempts have been made so far (1 after the first failure).
    public func decide(after error: Error, attempt: Int) -> RetryDecision {
        guard attempt < maxAttempts, Self.isRetryable(error) else { return .stop }
        return .retry(afterSeconds: backoff(attempt: attempt))
    }

    /// Full jitter: a random share of an exponentially growing cap, never above `maxBackoff`.
    public func backoff(attempt: Int) -> Double {
        let exponent = min(max(attempt - 1, 0), 30)
        let cap = min(maxBackoff, baseDelay * pow(2, Double(exponent)))
        return jitter() * cap
    }

    public static func isRetryable(_ error: Error) -> Bool {
        switch error {
        case let aws as AWSError:
            switch aws.kind {
            case .throttled, .transient, .clockSkew: return true
            default: return false
            }
        case let transport as TransportError:
            return transport.isRetryable
        case let malformed as MalformedResponseError:
            // A truncated or garbled answer to a 5xx is a transient failure; to a 2xx it could be a proxy page.
            return malformed.status >= 500
        default:
            return false
        }
    }
}
