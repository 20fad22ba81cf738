import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxServices
import SandboxTestSupport
import XCTest

/// Keys holding characters XML 1.0 cannot carry (U+0001, U+001F, U+FFFF) are cleaned up with DeleteObject, one by
/// one, while the rest of the batch goes through DeleteObjects; nothing of the run remains, neighbours stay.
final class UncarriableKeyCleanupTests: MotoTestCase {
    static let target = "run-20250301T000000Z"
    var prefix: String { "runs/\(Self.target)/" }

    func testControlCharacterKeysAreDeletedOneByOne() async throws {
        // Unversioned only: moto 5.2 answers 500 to ListObjectVersions (boto3's too) once such a key exists.
        for versioned in [false] {
            try server.reset()
            var seed = Seed()
            seed.versioned = versioned
            seed.bulk = [Seed.Bulk(pattern: prefix + "data/part-{i}.parquet", count: 30, size: 3)]
            let odd = [prefix + "ctl\u{01}key", prefix + "unit\u{1F}sep/x", prefix + "nonchar\u{FFFF}"]
            for key in odd { seed.add(key) }
            seed.add("runs/\(Self.target)-2/ctl\u{01}neighbour")
            if versioned { seed.overwrite = [odd[0]] }
            let before = try Witness.seed(seed, endpoint: endpoint)
            XCTAssertEqual(before.entries(under: prefix).count, 33 + (versioned ? 1 : 0))

            let scope = try testScope(Self.target)
            let result = try await makeEngine(scope, endpoint: endpoint).run()

            let after = try Witness.snapshot(endpoint: endpoint, versioned: versioned)
            XCTAssertEqual(after.entries(under: prefix), [], "versioned: \(versioned)")
            XCTAssertEqual(after.entries.map(\.key), ["runs/\(Self.target)-2/ctl\u{01}neighbour"])
            XCTAssertNil(result.error, "versioned: \(versioned)")
            XCTAssertTrue(result.proven, "versioned: \(versioned): \(result.remaining)")
            XCTAssertEqual(result.keyFailures, [])
            XCTAssertEqual(result.objectsDeleted + result.versionsDeleted, 33 + (versioned ? 1 : 0))
        }
    }
}
