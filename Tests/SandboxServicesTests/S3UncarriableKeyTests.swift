import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

/// Keys XML 1.0 cannot carry never reach a DeleteObjects body (S3 would reject the whole batch as MalformedXML).
final class S3UncarriableKeyTests: XCTestCase {
    func testCarriableText() {
        XCTAssertTrue(XMLText.isCarriable("plain/key.parquet"))
        XCTAssertTrue(XMLText.isCarriable("tab\tlf\ncr\r ü \u{FFFD} \u{10000}"))
        XCTAssertFalse(XMLText.isCarriable("a\u{01}b"))
        XCTAssertFalse(XMLText.isCarriable("\u{00}"))
        XCTAssertFalse(XMLText.isCarriable("x\u{1F}"))
        XCTAssertFalse(XMLText.isCarriable("x\u{FFFE}"))
        XCTAssertFalse(XMLText.isCarriable("x\u{FFFF}y"))
    }

    func testEscapingIsByteWiseSoCombiningMarksAndCRLFStayWellFormed() {
        XCTAssertEqual(XMLNode.escape("&\u{0301}<\r\n"), "&amp;\u{0301}&lt;&#13;&#10;")
    }

    func testUncarriableKeysAreDeletedOneByOneWithTheKeyInTheURL() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: #"<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>"#)
        stub.answer(capture, status: 204)
        stub.answer(capture, status: 403, body: s3Error("AccessDenied", "Access Denied"))
        let s3 = S3Client(try stubClient(stub))
        let result = try await s3.deleteObjects(bucket: "bkt", [
            ObjectIdentifier("runs/r/ok"),
            ObjectIdentifier(key: "runs/r/bad\u{01}key", versionId: "v1"),
            ObjectIdentifier("runs/r/also\u{FFFF}"),
        ])
        XCTAssertStubDone(stub)
        let requests = capture.requests
        XCTAssertEqual(requests.count, 3)
        XCTAssertEqual(requests[0].method, "POST")
        XCTAssertTrue(requests[0].bodyText.contains("<Key>runs/r/ok</Key>"))
        XCTAssertFalse(requests[0].bodyText.contains("bad"))
        XCTAssertFalse(requests[0].bodyText.contains("also"))
        XCTAssertEqual(requests[1].method, "DELETE")
        XCTAssertEqual(requests[1].url.absoluteString, "http://stub.test:4566/bkt/runs/r/bad%01key?versionId=v1")
        XCTAssertEqual(requests[2].method, "DELETE")
        XCTAssertEqual(requests[2].url.absoluteString, "http://stub.test:4566/bkt/runs/r/also%EF%BF%BF")
        XCTAssertEqual(result.errors, [DeleteObjectError(key: "runs/r/also\u{FFFF}", code: "AccessDenied", message: "Access Denied")])
    }

    func testOnlyUncarriableKeysSendNoBatch() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, status: 204)
        let s3 = S3Client(try stubClient(stub))
        let result = try await s3.deleteObjects(bucket: "bkt", [ObjectIdentifier("k\u{02}")])
        XCTAssertStubDone(stub)
        XCTAssertEqual(capture.requests.map(\.method), ["DELETE"])
        XCTAssertEqual(result, DeleteObjectsResult())
    }
}
