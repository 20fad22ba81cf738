import Foundation
import SandboxAWS
import XCTest

/// Expected instants are what botocore 1.x parses for the same text:
/// `botocore.utils.parse_timestamp(text).timestamp()` (naive results read as GMT, as HTTP dates are).
final class HTTPDateTests: XCTestCase {
    /// 2026-12-02, so two-digit years resolve the way they would today.
    let now = Date(timeIntervalSince1970: 1_796_169_600)

    func testParsesWhatBotocoreParses() {
        let cases: [(String, TimeInterval)] = [
            ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),  // IMF-fixdate
            ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),  // obsolete RFC 850
            ("Sun Nov  6 08:49:37 1994", 784_111_777),  // obsolete asctime
            ("Tue, 14 Nov 2023 22:28:20 GMT", 1_700_000_900),
            ("Wed, 01 May 2024 12:00:00 GMT", 1_714_564_800),
            ("Sun, 6 Nov 1994 08:49:37 GMT", 784_111_777),
            ("Sun, 06 Nov 1994 08:49:37 UTC", 784_111_777),
            ("Sun, 06 Nov 1994 08:49:37 +0000", 784_111_777),
            ("Sun, 06 Nov 1994 10:49:37 +0200", 784_111_777),
            ("Sun, 06 Nov 1994 08:49:37 -0130", 784_117_177),
            ("06 Nov 1994 08:49:37 GMT", 784_111_777),
            ("Sun, 06 Nov 1994 08:49:37", 784_111_777),
            ("Sun, 06 Nov 1994 08:49 GMT", 784_111_740),
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
            ("Mon, 29 Feb 2016 23:59:59 GMT", 1_456_790_399),
            ("Friday, 31-Dec-99 23:59:59 GMT", 946_684_799),
            ("Thu Jan  1 00:00:00 1970", 0),
            ("Tue Nov 14 22:28:20 2023", 1_700_000_900),
        ]
        for (text, seconds) in cases {
            XCTAssertEqual(HTTPDate.parse(text, now: now), Date(timeIntervalSince1970: seconds), text)
        }
    }

    func testRejectsWhatBotocoreRejects() {
        for text in ["yesterday", "", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                     "Sun, 06 Nov 1994 25:49:37 GMT", "Tue, 29 Feb 2023 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37:01 GMT",
                     "Sun, 06 Nov 1994 08:49:37 GMT extra"] {
            XCTAssertNil(HTTPDate.parse(text, now: now), text)
        }
    }

    func testTwoDigitYearsAreReadAsBotocoreReadsThem() {
        // In 2026: "75" is 2075; "76" would be 50 years ahead, so it is 1976 (RFC 7231 7.1.1.1, by year as dateutil).
        XCTAssertEqual(HTTPDate.parse("Wednesday, 01-Jan-75 00:00:00 GMT", now: now), Date(timeIntervalSince1970: 3_313_526_400))
        XCTAssertEqual(HTTPDate.parse("Thursday, 01-Jan-76 00:00:00 GMT", now: now), Date(timeIntervalSince1970: 189_302_400))
        XCTAssertEqual(HTTPDate.parse("Saturday, 01-Jan-77 00:00:00 GMT", now: now), Date(timeIntervalSince1970: 220_924_800))
    }
}
