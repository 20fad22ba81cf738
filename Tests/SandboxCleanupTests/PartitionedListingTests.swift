import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxServices
import SandboxTestSupport
import XCTest

/// A flat run prefix (no common prefixes to fan out over) is listed as key ranges side by side: every key is
/// deleted exactly once, nothing outside the run is touched, and listings stay near one per 1,000 keys.
final class PartitionedListingTests: XCTestCase {
    func testAFlatPrefixIsListedInKeyRangesAndEveryKeyDeletedOnce() async throws {
        let server = try SyntheticS3()
        defer { server.stop() }
        let runId = "run-20250402T000000Z"
        let flat = 12_000, nested = 3_000
        try await server.post("/_seed?bucket=\(testBucket)&prefix=runs/\(runId)/&count=\(flat)&fanout=0")
        try await server.post("/_seed?bucket=\(testBucket)&prefix=runs/\(runId)/sub/&count=\(nested)&fanout=0")
        try await server.post("/_seed?bucket=\(testBucket)&prefix=runs/\(runId)-2/&count=10&fanout=0")
        try await server.post("/_seed?bucket=\(testBucket)&prefix=runs/\(runId)x&count=10&fanout=0")

        let result = try await makeEngine(try testScope(runId), endpoint: server.endpoint).run()

        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven, "\(result.remaining)")
        XCTAssertEqual(result.objectsDeleted, flat + nested, "a key listed twice would be deleted (and counted) twice")
        let stats = try await server.stats()
        XCTAssertEqual(stats["remaining"] as? Int, 20, "only the neighbours' keys are left")
        XCTAssertEqual(stats["deleted"] as? Int, flat + nested)
        let ranged = stats["ranged_lists"] as? Int ?? 0, lists = stats["lists"] as? Int ?? 0
        XCTAssertGreaterThan(ranged, 0, "the flat prefix was listed in one sequence of pages")
        // Pages at the floor, plus at most one request per key range (32 at most) and the verification listing.
        XCTAssertLessThanOrEqual(lists, flat / 1000 + nested / 1000 + 32 + 1, "\(stats)")
    }
}

/// The same against moto, with boto3 as the witness of what is left.
final class PartitionedListingMotoTests: MotoTestCase {
    func testKeyRangesAgainstMotoMissNothingAndTouchNoNeighbour() async throws {
        let target = "run-20250403T000000Z", prefix = "runs/run-20250403T000000Z/"
        let n = 3_500
        var seed = Seed()
        seed.bulk = [Seed.Bulk(pattern: prefix + "p{i}.parquet", count: n, size: 3)]
        for key in ["runs/\(target)-2/keep", "runs/\(target)x", "runs/\(target)-/x", "keep.txt"] {
            seed.add(key)
        }
        let before = try Witness.seed(seed, endpoint: endpoint)
        let engine = try makeEngine(try testScope(target), endpoint: endpoint)
        let result = await engine.run()
        let after = try Witness.snapshot(endpoint: endpoint, versioned: false)

        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven)
        XCTAssertEqual(result.objectsDeleted, n)
        XCTAssertEqual(after, before.removing(prefix: prefix, database: ""))
        let lists = engine.stats.byOperation.filter { $0.key.hasSuffix("ListObjectsV2") }.values.reduce(0, +)
        XCTAssertGreaterThan(lists, (n + 999) / 1000 + 1, "no key range was listed: \(engine.stats.byOperation)")
        XCTAssertLessThanOrEqual(lists, (n + 999) / 1000 + 32 + 1, "\(engine.stats.byOperation)")
    }
}
