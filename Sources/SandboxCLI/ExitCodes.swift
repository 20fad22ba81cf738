import ArgumentParser
import SandboxCore

/// Exit codes, documented in the README.
public enum SandboxExit {
    public static let success: Int32 = 0
    /// The command ran but the outcome is negative: not ready, apply had failures, cleanup left data.
    public static let failure: Int32 = 1
    /// Usage or stack error (bad flags, invalid stack, bad variable); `plan --detailed-exitcode` uses 2 for "changes".
    public static let usage: Int32 = 2
    /// Credentials or setup: none found, expired, rejected, malformed config files.
    public static let credentials: Int32 = 3
    /// AWS refused or failed (access denied, throttled past retries, endpoint unreachable).
    public static let aws: Int32 = 4
    /// State problem: locked by another process, stale plan, newer schema.
    public static let state: Int32 = 5

    public static func code(for category: FailureCategory) -> Int32 {
        switch category {
        case .usage: return usage
        case .credentials: return credentials
        case .aws, .infrastructure: return aws
        case .state: return state
        case .internal: return failure
        }
    }
}
