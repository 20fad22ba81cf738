@testable import SandboxCleanup
import XCTest

/// The split points a long listing is cut at: inside the range, ascending, in the prefix, never straddling a
/// common prefix of a delimited listing.
final class KeyRangeSplitTests: XCTestCase {
    func assertWellFormed(_ points: [String], prefix: String, last: String, upper: String?, delimited: Bool,
                          file: StaticString = #filePath, line: UInt = #line) {
        for (a, b) in zip(points, points.dropFirst()) {
            XCTAssertTrue(KeyRangeSplit.precedes(a, b), "\(a) !< \(b)", file: file, line: line)
        }
        for point in points {
            XCTAssertTrue(point.hasPrefix(prefix), point, file: file, line: line)
            XCTAssertTrue(KeyRangeSplit.precedes(last, point), "\(point) is not after \(last)", file: file, line: line)
            if let upper { XCTAssertTrue(KeyRangeSplit.precedes(point, upper), "\(point) is not before \(upper)", file: file, line: line) }
            if delimited { XCTAssertFalse(point.dropFirst(prefix.count).contains("/"), point, file: file, line: line) }
        }
    }

    func testACounterIsSplitAtItsDigits() {
        let points = KeyRangeSplit.points(prefix: "runs/r/", first: "runs/r/part-01000.parquet", last: "runs/r/part-01999.parquet",
                                          upper: nil, delimited: false, count: 20)
        XCTAssertEqual(points, ["runs/r/part-02", "runs/r/part-03", "runs/r/part-04", "runs/r/part-05", "runs/r/part-06",
                                "runs/r/part-07", "runs/r/part-08", "runs/r/part-09", "runs/r/part-1", "runs/r/part-2",
                                "runs/r/part-3", "runs/r/part-4", "runs/r/part-5", "runs/r/part-6", "runs/r/part-7",
                                "runs/r/part-8", "runs/r/part-9"])
        let few = KeyRangeSplit.points(prefix: "runs/r/", first: "runs/r/part-01000.parquet", last: "runs/r/part-01999.parquet",
                                       upper: nil, delimited: false, count: 4)
        XCTAssertEqual(few.count, 4)
        assertWellFormed(few, prefix: "runs/r/", last: "runs/r/part-01999.parquet", upper: nil, delimited: false)
    }

    func testPointsStayBeforeTheRangesEnd() {
        let points = KeyRangeSplit.points(prefix: "runs/r/", first: "runs/r/part-01000", last: "runs/r/part-01999",
                                          upper: "runs/r/part-05", delimited: false, count: 15)
        XCTAssertEqual(points, ["runs/r/part-02", "runs/r/part-03", "runs/r/part-04"])
    }

    func testHashesAreSplitInTheirAlphabet() {
        let points = KeyRangeSplit.points(prefix: "p/", first: "p/00a1c3", last: "p/03ff91", upper: nil, delimited: false, count: 15)
        XCTAssertEqual(points.count, 15)
        assertWellFormed(points, prefix: "p/", last: "p/03ff91", upper: nil, delimited: false)
        XCTAssertTrue(points.allSatisfy { $0.dropFirst(2).allSatisfy(\.isHexDigit) }, "\(points)")
    }

    func testADelimitedListingIsNeverSplitInsideACommonPrefix() {
        let points = KeyRangeSplit.points(prefix: "runs/r/", first: "runs/r/t000/", last: "runs/r/t041/", upper: nil, delimited: true, count: 15)
        XCTAssertFalse(points.isEmpty)
        assertWellFormed(points, prefix: "runs/r/", last: "runs/r/t041/", upper: nil, delimited: true)
    }

    func testKeysOutsideEveryAlphabetStillGiveValidPoints() {
        let last = "runs/r/データ/ñ-2"
        let points = KeyRangeSplit.points(prefix: "runs/r/", first: "runs/r/データ/ñ-0", last: last, upper: nil, delimited: false, count: 15)
        assertWellFormed(points, prefix: "runs/r/", last: last, upper: nil, delimited: false)
        XCTAssertEqual(KeyRangeSplit.points(prefix: "runs/r/", first: "runs/r/", last: "runs/r/", upper: nil, delimited: false, count: 15), [])
    }

    /// S3 orders by UTF-8 bytes: "é" (C3 A9) sorts after "z", and a precomposed letter is not its decomposition.
    func testOrderIsByteOrder() {
        XCTAssertTrue(KeyRangeSplit.precedes("z", "é"))
        XCTAssertTrue(KeyRangeSplit.precedes("e\u{301}", "\u{e9}"))
        XCTAssertFalse(KeyRangeSplit.precedes("\u{e9}", "e\u{301}"))
    }
}
