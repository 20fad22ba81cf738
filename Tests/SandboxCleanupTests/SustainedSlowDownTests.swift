import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SandboxAWS
import SandboxCleanup
import SandboxServices
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// Cleanup against the synthetic S3 (`bench/synthetic_s3.py`) with S3's per-prefix DELETE limit modelled tightly:
/// with the default settings it finishes under sustained SlowDown and leaves nothing.
final class SustainedSlowDownTests: XCTestCase {
    func testCleanupFinishesUnderSustainedSlowDownWithDefaults() async throws {
        let server = try SyntheticS3(arguments: ["--delete-rate", "4000"])
        defer { server.stop() }
        let endpoint = server.endpoint
        let runId = "run-20250401T000000Z"
        let keys = 20_000
        try await server.post("/_seed?bucket=\(testBucket)&prefix=runs/\(runId)/&count=\(keys)&fanout=8")
        try await server.post("/_seed?bucket=\(testBucket)&prefix=runs/\(runId)-2/&count=10&fanout=1")

        let started = Date()
        let result = try await makeEngine(try testScope(runId), endpoint: endpoint).run()
        let seconds = Date().timeIntervalSince(started)

        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven, "\(result.remaining)")
        XCTAssertEqual(result.objectsDeleted, keys)
        XCTAssertGreaterThan(result.throttles, 0, "the token bucket must have answered SlowDown")
        XCTAssertGreaterThan(result.deleteRate, 0)
        let stats = try await server.stats()
        XCTAssertEqual(stats["remaining"] as? Int, 10, "only the neighbour run's keys are left")
        XCTAssertEqual(stats["deletes"] as? Int, keys / 1000, "every accepted DeleteObjects carried 1,000 keys")
        XCTAssertGreaterThan(stats["slowdowns"] as? Int ?? 0, 0)
        // Not a timing assertion: the floor is 5 s at 4,000 keys/s; the log line helps read a slow CI run.
        print("sustained SlowDown: \(keys) keys in \(String(format: "%.1f", seconds)) s, \(result.throttles) throttles, \(Int(result.deleteRate)) keys/s, \(result.requests) requests")
    }
}
