import Foundation
import SandboxCore
import XCTest

/// The run id's two checks: the generic rule every run id meets, and a stack's `id_pattern` on top.
final class RunIDTests: XCTestCase {
    let referencePattern = "^floe-provider-[0-9]{8}T[0-9]{6}Z$"

    func testAcceptsIdsAndKeepsThemAsWritten() throws {
        let id = try RunID("floe-provider-20250102T030405Z", matching: referencePattern)
        XCTAssertEqual(id.rawValue, "floe-provider-20250102T030405Z")
        XCTAssertEqual("\(id)", "floe-provider-20250102T030405Z")
        XCTAssertEqual(try RunID("Run_1.a+b=c@d:e").rawValue, "Run_1.a+b=c@d:e", "the generic rule is a charset, not a pattern")
        XCTAssertLessThan(try RunID("run-1"), try RunID("run-2"))
        XCTAssertEqual(Set([try RunID("a"), try RunID("a"), try RunID("b")]).count, 2)
    }

    func testRejectsIdsThatAreNotOneRunFolder() {
        let cases: [(String, String)] = [
            ("", "run id is empty; pass --run RUN_ID"),
            ("*", "contains '*'; run ids are a single path segment"),
            ("../x", "'/'"),
            ("runs", "does not match the stack's pattern ^floe-provider-[0-9]{8}T[0-9]{6}Z$"),
            ("a/b", "'/'"),
            ("floe-provider-20250102T030405Z/", "'/'"),
            ("floe-provider-20250102T030405Z\n", "contains spaces, control characters or non-ASCII characters"),
            ("floe-provider-20250102T030405Z ", "spaces"),
            (" floe-provider-20250102T030405Z", "spaces"),
            ("floe provider-20250102T030405Z", "spaces"),
            ("floe-provider-20250102T030405Ž", "non-ASCII"),
            ("floe-provider-2025０102T030405Z", "non-ASCII"),
            ("floe-provider-20250102T030405Z%2F", "'%'"),
            ("floe-provider-%32%30250102T030405Z", "'%'"),
            ("floe-provider-20250102T030405", "does not match"),
            ("xfloe-provider-20250102T030405Z", "does not match"),
            ("floe-provider-20250102T030405Zx", "does not match"),
            ("floe-provider-20250102t030405z", "does not match"),
            (".", "run id \".\" is not a run id"),
            ("..", "'..'"),
            ("floe-provider-20250102T030405Z\\", "'\\'"),
            ("floe-provider-2025010?T030405Z", "'?'"),
            ("floe-provider-20250102T030405Z\u{0}", "control characters"),
            (String(repeating: "a", count: 129), "run id is 129 characters; at most 128"),
        ]
        for (id, expected) in cases {
            XCTAssertThrowsError(try RunID(id, matching: referencePattern), id.debugDescription) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(id.debugDescription): \(error)")
                XCTAssertEqual(error.failureCategory, .usage, id.debugDescription)
            }
        }
    }

    func testGenericRuleComesBeforeThePattern() {
        // An id breaking both rules is named for the generic one: the message tells how to fix the id itself.
        XCTAssertThrowsError(try RunID("a b", matching: "^x$")) { error in
            XCTAssertTrue("\(error)".contains("spaces"), "\(error)")
        }
        XCTAssertNoThrow(try RunID("runs"), "without a pattern only the generic rule applies")
    }

    func testErrorLinesCarryNoControlCharacters() {
        for id in ["run\u{1B}[31m", "run\u{85}x", "run\u{2028}x", "run\r\n"] {
            XCTAssertThrowsError(try RunID(id)) { error in
                let line = error.oneLine
                XCTAssertFalse(line.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == "\u{2028}" },
                               "\(id.debugDescription): \(line.debugDescription)")
            }
        }
    }

    func testLongIdsUpToTheLimit() throws {
        let pattern = "^r-[a-z0-9-]+$"
        XCTAssertEqual(RunID.maxLength, 128)
        XCTAssertNoThrow(try RunID("r-" + String(repeating: "a", count: 126), matching: pattern))
        XCTAssertThrowsError(try RunID("r-" + String(repeating: "a", count: 127), matching: pattern))
    }

    func testPatternIsAnchoredWhateverTheStackWrote() throws {
        XCTAssertNoThrow(try RunID("run-1", matching: "run-[0-9]"))
        XCTAssertThrowsError(try RunID("xrun-1", matching: "run-[0-9]"))
        XCTAssertThrowsError(try RunID("run-12", matching: "run-[0-9]"))
        XCTAssertNoThrow(try RunID("b", matching: "^a|b$"))
        XCTAssertThrowsError(try RunID("ab", matching: "^a|b$"))
        XCTAssertThrowsError(try RunID("run-1", matching: "run-[0-9")) { error in
            XCTAssertEqual(error.oneLine, "the stack's run id pattern 'run-[0-9' is not a valid regular expression")
        }
    }

    func testCodesAsTheBareStringAndChecksWhenDecoding() throws {
        struct Record: Codable, Equatable { let runId: RunID }
        let record = Record(runId: try RunID("run-20260101T000000Z"))
        let data = try JSONEncoder().encode(record)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"runId":"run-20260101T000000Z"}"#, "same JSON as a plain String field")
        XCTAssertEqual(try JSONDecoder().decode(Record.self, from: data), record)
        for bad in [#"{"runId":"a/b"}"#, #"{"runId":""}"#, #"{"runId":7}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(Record.self, from: Data(bad.utf8)), bad) { error in
                XCTAssertTrue(error is DecodingError, "\(bad): \(error)")
            }
        }
        XCTAssertThrowsError(try JSONDecoder().decode(Record.self, from: Data(#"{"runId":"a/b"}"#.utf8))) { error in
            XCTAssertTrue("\(error)".contains("contains '/'"), "the decoding error says why: \(error)")
        }
    }
}
