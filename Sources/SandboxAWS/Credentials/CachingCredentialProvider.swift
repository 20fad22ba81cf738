import Foundation
import SandboxCore

/// Reuses the credentials of another provider until `refreshMargin` seconds before they expire.
/// Concurrent callers share one refresh, so a burst of requests makes one STS call, not one each.
public actor CachingCredentialProvider: CredentialProvider {
    private let base: CredentialProvider
    private let clock: WallClock
    private let refreshMargin: TimeInterval
    private var cached: ResolvedCredentials?
    private var pending: Task<ResolvedCredentials?, Error>?
    // Bumped by invalidate() so a refresh already in flight does not repopulate the cache with what was just dropped.
    private var generation = 0

    /// Caches `base`, refreshing `refreshMargin` seconds before expiry by `clock`.
    public init(_ base: CredentialProvider, clock: WallClock, refreshMargin: TimeInterval = 300) {
        self.base = base
        self.clock = clock
        self.refreshMargin = refreshMargin
    }

    public func resolve() async throws -> ResolvedCredentials? {
        if let cached, !cached.credentials.expires(within: refreshMargin, of: clock.now()) {
            return cached
        }
        if let pending {
            return try await pending.value
        }
        let base = self.base
        let task = Task { try await base.resolve() }
        let started = generation
        pending = task
        do {
            let result = try await task.value
            if generation == started {
                cached = result
                pending = nil
            }
            return result
        } catch {
            if generation == started { pending = nil }
            throw error
        }
    }

    public func invalidate() async {
        cached = nil
        pending = nil
        generation += 1
        await base.invalidate()
    }
}
