import Foundation
import SandboxCore
import XCTest

/// JSON values as state, plans and reports store them: round trips, integer rendering, accessors.
final class JSONValueTests: XCTestCase {
    func testParsesEveryKindAndRoundTrips() throws {
        let text = #"{"a":"x","b":3,"c":2.5,"d":true,"e":null,"f":[1,"two",false],"g":{"h":{}}}"#
        let value = try XCTUnwrap(JSONValue.parse(text))
        XCTAssertEqual(value["a"], .string("x"))
        XCTAssertEqual(value["b"], .number(3))
        XCTAssertEqual(value["c"], .number(2.5))
        XCTAssertEqual(value["d"], .bool(true))
        XCTAssertEqual(value["e"], .null)
        XCTAssertEqual(value["f"], .array([.number(1), .string("two"), .bool(false)]))
        XCTAssertEqual(value["g"]?["h"], .object([:]))
        XCTAssertEqual(value.compactJSON, text, "keys sorted, integers without a fraction")
        XCTAssertEqual(JSONValue.parse(value.compactJSON), value)
    }

    func testBooleansStayBooleansAndNumbersStayNumbers() throws {
        // JSONDecoder would read `true` as 1 if numbers were tried first; and "1" must stay a string.
        XCTAssertEqual(JSONValue.parse("[true,1,\"1\"]"), .array([.bool(true), .number(1), .string("1")]))
    }

    func testRejectsInvalidJSON() {
        for text in ["", "{", "{\"a\":}", "[1 2]", "nul"] {
            XCTAssertNil(JSONValue.parse(text), text)
        }
    }

    func testIntegersEncodeWithoutFractionLargeOnesAsDoubles() {
        XCTAssertEqual(JSONValue.number(42).compactJSON, "42")
        XCTAssertEqual(JSONValue.number(-7).compactJSON, "-7")
        XCTAssertEqual(JSONValue.number(0.5).compactJSON, "0.5")
        XCTAssertEqual(JSONValue.number(1e16).description, "1e+16", "beyond Int64-safe range stays a double")
        XCTAssertEqual(JSONValue.number(3).description, "3")
        XCTAssertEqual(JSONValue.number(3.25).description, "3.25")
    }

    func testAccessorsReturnNilForOtherKinds() {
        let string = JSONValue.string("s")
        XCTAssertEqual(string.stringValue, "s")
        XCTAssertNil(string.numberValue)
        XCTAssertNil(string.boolValue)
        XCTAssertNil(string.arrayValue)
        XCTAssertNil(string.objectValue)
        XCTAssertNil(string["key"])
        XCTAssertEqual(JSONValue.number(4).intValue, 4)
        XCTAssertNil(JSONValue.number(4.5).intValue, "no silent truncation")
        XCTAssertEqual(JSONValue.bool(false).boolValue, false)
        XCTAssertEqual(JSONValue.array([.null]).arrayValue, [.null])
    }

    func testDescriptionIsForHumans() {
        XCTAssertEqual(JSONValue.string("plain").description, "plain", "strings bare, no quotes")
        XCTAssertEqual(JSONValue.bool(true).description, "true")
        XCTAssertEqual(JSONValue.null.description, "null")
        XCTAssertEqual(JSONValue.object(["b": .number(1), "a": .string("/x")]).description, #"{"a":"/x","b":1}"#, "slashes unescaped")
    }
}
