import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class CachingCredentialProviderTests: XCTestCase {
    func temporary(expiringIn seconds: TimeInterval, from now: Date) -> ResolvedCredentials {
        ResolvedCredentials(credentials: Credentials(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "SECRETSENTINEL", sessionToken: "TOKENSENTINEL",
                                                     expiration: now.addingTimeInterval(seconds)), source: .explicit("test"))
    }

    func testConcurrentCallersShareOneFetch() async throws {
        let clock = FixedClock(testNow)
        let answer = temporary(expiringIn: 3600, from: testNow)
        let base = CountingProvider { answer }
        let cache = CachingCredentialProvider(base, clock: clock)
        let results = try await withThrowingTaskGroup(of: ResolvedCredentials?.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.resolve() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(results.count, 20)
        XCTAssertTrue(results.allSatisfy { $0 == answer })
        XCTAssertEqual(base.calls, 1)
    }

    func testLongTermKeysAreKeptUntilInvalidated() async throws {
        let keys = ResolvedCredentials(credentials: Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "SECRETSENTINEL"), source: .explicit("test"))
        let base = CountingProvider { keys }
        let clock = FixedClock(testNow)
        let cache = CachingCredentialProvider(base, clock: clock)
        _ = try await cache.resolve()
        clock.advance(by: 86_400 * 365)
        _ = try await cache.resolve()
        XCTAssertEqual(base.calls, 1)
        await cache.invalidate()
        _ = try await cache.resolve()
        XCTAssertEqual(base.calls, 2)
        XCTAssertEqual(base.invalidated, 1)
    }

    func testNilAndErrorsAreNotCached() async throws {
        let clock = FixedClock(testNow)
        let none = CountingProvider { nil }
        let noneCache = CachingCredentialProvider(none, clock: clock)
        _ = try await noneCache.resolve()
        _ = try await noneCache.resolve()
        XCTAssertEqual(none.calls, 2)

        let failing = CountingProvider { throw CredentialProviderError("boom") }
        let failingCache = CachingCredentialProvider(failing, clock: clock)
        await expectError(["boom"]) { _ = try await failingCache.resolve() }
        await expectError(["boom"]) { _ = try await failingCache.resolve() }
        XCTAssertEqual(failing.calls, 2)
    }

    func testCredentialsAlreadyInsideTheMarginAreFetchedEachTime() async throws {
        let clock = FixedClock(testNow)
        let answer = temporary(expiringIn: 60, from: testNow)
        let base = CountingProvider { answer }
        let cache = CachingCredentialProvider(base, clock: clock, refreshMargin: 300)
        _ = try await cache.resolve()
        _ = try await cache.resolve()
        XCTAssertEqual(base.calls, 2)
    }
}
