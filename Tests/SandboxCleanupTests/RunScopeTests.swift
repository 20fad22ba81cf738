import Foundation
import SandboxCleanup
import SandboxCore
import SandboxTestSupport
import XCTest

final class RunScopeTests: XCTestCase {
    let referencePattern = "^floe-provider-[0-9]{8}T[0-9]{6}Z$"

    func scope(_ runId: String, pattern: String? = nil, root: String = "runs/", gluePrefix: String = "floe_provider_") throws -> RunScope {
        try RunScope(runId: RunID(runId, matching: pattern ?? referencePattern), bucket: "floe-provider-tests-123456789012-eu-west-1",
                     root: root, gluePrefix: gluePrefix)
    }

    func testDerivesPrefixAndDatabaseExactly() throws {
        let s = try scope("floe-provider-20250102T030405Z")
        XCTAssertEqual(s.runId.rawValue, "floe-provider-20250102T030405Z")
        XCTAssertEqual(s.bucket, "floe-provider-tests-123456789012-eu-west-1")
        XCTAssertEqual(s.root, "runs/")
        XCTAssertEqual(s.prefix, "runs/floe-provider-20250102T030405Z/")
        XCTAssertEqual(s.gluePrefix, "floe_provider_")
        XCTAssertEqual(s.database, "floe_provider_floe_provider_20250102t030405z")
        XCTAssertEqual(s.s3URI, "s3://floe-provider-tests-123456789012-eu-west-1/runs/floe-provider-20250102T030405Z/")

        let nested = try scope("run-20250101T000000Z-2", pattern: testPattern, root: "ci/provider/runs/", gluePrefix: "sbx_")
        XCTAssertEqual(nested.prefix, "ci/provider/runs/run-20250101T000000Z-2/")
        XCTAssertEqual(nested.database, "sbx_run_20250101t000000z_2")
        XCTAssertEqual(RunScope.databaseName(gluePrefix: "p_", runId: "A-B-c"), "p_a_b_c")
    }

    func testRejectsIdsThatGiveNoValidDatabase() {
        // Valid run ids as far as RunID goes; the scope is what refuses them.
        for id in ["run.1", "run+1", "run=1", "run@1", "run:1"] {
            XCTAssertNoThrow(try RunID(id, matching: ".*"), id)
        }
        // S3 would take these, Glue would not: refuse before touching either.
        for id in ["run.1", "run+1", "run=1", "run@1", "run:1"] {
            XCTAssertThrowsError(try scope(id, pattern: ".*"), id)
        }
    }

    func testRejectsInvalidBucketRootAndGluePrefix() {
        let id = "floe-provider-20250102T030405Z"
        XCTAssertThrowsError(try RunScope(runId: RunID(id, matching: referencePattern), bucket: "Bad_Bucket", root: "runs/", gluePrefix: "p_"))
        for root in ["", "/runs/", "runs", "../runs/", "runs//", "a/*/"] {
            XCTAssertThrowsError(try scope(id, root: root), root)
        }
        for prefix in ["", "Floe_", "floe", "floe-provider_"] {
            XCTAssertThrowsError(try scope(id, gluePrefix: prefix), prefix)
        }
    }

    func testContainsOnlyKeysUnderThePrefixByteForByte() throws {
        let s = try scope("run-20250101T000000Z", pattern: testPattern)
        for key in ["runs/run-20250101T000000Z/", "runs/run-20250101T000000Z/a", "runs/run-20250101T000000Z/a/b/c d",
                    "runs/run-20250101T000000Z/\u{301}leading-combining-mark", "runs/run-20250101T000000Z/😀"] {
            XCTAssertTrue(s.contains(key: key), key.debugDescription)
        }
        for key in ["runs/run-20250101T000000Z", "runs/run-20250101T000000Z-2/a", "runs/run-20250101T000000Zx/a",
                    "runs/run-20250101T000000Z\u{301}/a", "runs/run-20250101t000000z/a", "RUNS/run-20250101T000000Z/a",
                    "run-20250101T000000Z/a", "", "runs/", "runs/run-20250101T000000Z/a\u{0}b"] {
            XCTAssertFalse(s.contains(key: key), key.debugDescription)
        }
    }

    func testContainsDoesNotTreatCanonicallyEquivalentTextAsEqual() throws {
        // U+212A KELVIN SIGN is canonically equivalent to "K": Swift's String.hasPrefix says the key is inside, S3 does not.
        let s = try scope("run-K1", pattern: "^run-[A-Z0-9]+$")
        XCTAssertTrue("runs/run-\u{212A}1/x".hasPrefix(s.prefix), "precondition: String comparison is canonical")
        XCTAssertFalse(s.contains(key: "runs/run-\u{212A}1/x"))
        XCTAssertTrue(s.contains(key: "runs/run-K1/x"))
    }

    /// No two distinct valid run ids have overlapping scopes, however alike (fixed seed).
    func testDistinctRunsNeverOverlap() throws {
        var rng = SeededGenerator(seed: 42)
        var ids = Set<String>()
        while ids.count < 150 {
            let base = String(format: "run-2025%02d%02dT%02d%02d%02dZ", Int.random(in: 1...2, using: &rng), Int.random(in: 1...2, using: &rng),
                              Int.random(in: 0...1, using: &rng), Int.random(in: 0...1, using: &rng), Int.random(in: 0...1, using: &rng))
            ids.insert(Bool.random(using: &rng) ? base : base + "-\(Int.random(in: 0...12, using: &rng))")
        }
        let scopes = try ids.map { try scope($0, pattern: testPattern) }
        for a in scopes {
            for b in scopes where a.runId != b.runId {
                XCTAssertFalse(a.contains(key: b.prefix), "\(a.runId) contains \(b.runId)")
                XCTAssertFalse(a.contains(key: b.prefix + "x"), "\(a.runId) contains \(b.runId)")
                XCTAssertNotEqual(a.database, b.database)
            }
        }
    }
}
