import Foundation
import SandboxCore
import SandboxCleanup
import XCTest

/// Minting and parsing run ids from a stack's `id_template`.
final class RunIdentifierTests: XCTestCase {
    func testMintUsesUTCTimestamp() {
        let date = Date(timeIntervalSince1970: 1_767_225_600) // 2026-01-01T00:00:00Z
        XCTAssertEqual(RunIdentifier.mint(template: "floe-provider-{timestamp}", at: date), "floe-provider-20260101T000000Z")
    }

    func testTimestampRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_767_225_600 + 3_723)
        let id = RunIdentifier.mint(template: "run-{timestamp}-x", at: date)
        XCTAssertEqual(RunIdentifier.timestamp(in: id), date)
        XCTAssertNil(RunIdentifier.timestamp(in: "no-time-here"))
    }

    func testMintedIdsFormValidScopes() throws {
        let id = RunIdentifier.mint(template: "floe-provider-{timestamp}", at: Date())
        let scope = try RunScope(runId: RunID(id, matching: "^floe-provider-[0-9]{8}T[0-9]{6}Z$"), bucket: "bucket-name", root: "runs/", gluePrefix: "floe_provider_")
        XCTAssertEqual(scope.prefix, "runs/\(id)/")
        XCTAssertEqual(scope.database, "floe_provider_" + id.lowercased().replacingOccurrences(of: "-", with: "_"))
    }
}
