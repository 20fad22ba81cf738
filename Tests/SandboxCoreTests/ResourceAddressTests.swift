import Foundation
import SandboxCore
import XCTest

final class ResourceAddressTests: XCTestCase {
    func testParsesTypeDotName() throws {
        let address = try XCTUnwrap(ResourceAddress(parsing: "s3_bucket.data"))
        XCTAssertEqual(address, ResourceAddress(type: "s3_bucket", name: "data"))
        XCTAssertEqual(address.description, "s3_bucket.data")
        XCTAssertEqual(ResourceAddress(parsing: address.description), address, "description parses back")
    }

    func testRejectsTextThatIsNotOneTypeAndOneName() {
        for text in ["", "bucket", ".data", "s3_bucket.", "a.b.c", "."] {
            XCTAssertNil(ResourceAddress(parsing: text), text)
        }
    }

    func testOrdersByTextAndCodesAsAnObject() throws {
        let addresses = ["s3_bucket.z", "iam_policy.a", "s3_bucket.a"].compactMap { ResourceAddress(parsing: $0) }
        XCTAssertEqual(addresses.sorted().map(\.description), ["iam_policy.a", "s3_bucket.a", "s3_bucket.z"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(ResourceAddress(type: "glue_database", name: "runs"))
        XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"name":"runs","type":"glue_database"}"#)
        XCTAssertEqual(try JSONDecoder().decode(ResourceAddress.self, from: data), ResourceAddress(type: "glue_database", name: "runs"))
    }
}
