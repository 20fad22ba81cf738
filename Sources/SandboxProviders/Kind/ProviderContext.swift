import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// Everything a provider needs to talk to AWS for one stack.
public struct ProviderContext: Sendable {
    public let client: AWSClient
    public let s3: S3Client
    public let iam: IAMClient
    public let glue: GlueClient
    public let budgets: BudgetsClient
    public let accountId: String
    public let region: String
    /// Tags every taggable resource carries (the stack's tags plus ManagedBy=sandbox).
    public let commonTags: [String: String]
    public let consistency: ConsistencyPolicy

    public init(client: AWSClient, accountId: String, region: String, commonTags: [String: String], consistency: ConsistencyPolicy) {
        self.client = client
        s3 = S3Client(client)
        iam = IAMClient(client)
        glue = GlueClient(client)
        budgets = BudgetsClient(client)
        self.accountId = accountId
        self.region = region
        self.commonTags = commonTags
        self.consistency = consistency
    }
}

/// Bounded polling for AWS's eventual consistency: read back after a write until it matches.
/// No waiting at all when the first read already matches.
public struct ConsistencyPolicy: Sendable {
    public let attempts: Int
    public let firstDelay: Double
    public let maxDelay: Double
    public let sleeper: Sleeper

    public init(attempts: Int = 8, firstDelay: Double = 0.25, maxDelay: Double = 4, sleeper: Sleeper = TaskSleeper()) {
        self.attempts = max(1, attempts)
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.sleeper = sleeper
    }

    /// Reads until `matches` holds; returns the last value read and whether it matched.
    public func poll<T: Sendable>(_ read: @Sendable () async throws -> T, until matches: @Sendable (T) -> Bool) async throws -> (value: T, matched: Bool) {
        var delay = firstDelay
        var value = try await read()
        var attempt = 1
        while !matches(value), attempt < attempts {
            try await sleeper.sleep(seconds: delay)
            delay = min(maxDelay, delay * 2)
            value = try await read()
            attempt += 1
        }
        return (value, matches(value))
    }
}
