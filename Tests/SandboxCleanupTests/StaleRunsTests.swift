import Foundation
import SandboxCleanup
import SandboxCore
import XCTest

/// Which leftovers `cleanup --stale` takes, decided without AWS.
final class StaleRunsTests: XCTestCase {
    func testOlderThanTheCutoffByTheEarlierOfIdAndState() throws {
        let cutoff = Date(timeIntervalSince1970: 1_750_000_000)
        let old = try RunID("run-old"), young = try RunID("run-young"), recordedOld = try RunID("run-recorded-old"),
            timeless = try RunID("run-timeless"), mixed = try RunID("run-mixed")
        let leftovers = [
            Leftover(runId: old, startedAt: cutoff.addingTimeInterval(-1), hasPrefix: true, hasDatabase: false),
            Leftover(runId: young, startedAt: cutoff.addingTimeInterval(60), hasPrefix: true, hasDatabase: true),
            Leftover(runId: recordedOld, startedAt: nil, hasPrefix: false, hasDatabase: true),
            Leftover(runId: timeless, startedAt: nil, hasPrefix: true, hasDatabase: false),
            Leftover(runId: mixed, startedAt: cutoff.addingTimeInterval(60), hasPrefix: true, hasDatabase: false),
        ]
        let recorded = [recordedOld: cutoff.addingTimeInterval(-3600), mixed: cutoff.addingTimeInterval(-5), young: cutoff.addingTimeInterval(1)]
        let selected = StaleRuns.select(leftovers, recorded: recorded, before: cutoff).map(\.runId)
        XCTAssertEqual(selected, [old, recordedOld, mixed], "a run with no known start is never stale; the earlier time wins")
        XCTAssertEqual(StaleRuns.select(leftovers, recorded: recorded, before: cutoff.addingTimeInterval(-1)).map(\.runId), [recordedOld, mixed],
                       "the cutoff is exclusive")
    }
}
