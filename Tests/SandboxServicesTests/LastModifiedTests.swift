import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

/// `Last-Modified` goes through the one HTTP-date parser, so every form botocore reads is read.
final class LastModifiedTests: XCTestCase {
    func testHeadObjectReadsLastModifiedInEachHTTPDateForm() async throws {
        let stub = StubTransport()
        let forms = ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"]
        for form in forms {
            stub.expect("HEAD /sandbox-data/a.txt", headers: ["Last-Modified": form, "Content-Length": "3"])
        }
        let s3 = S3Client(try stubClient(stub))
        for form in forms {
            let head = try await s3.headObject(bucket: "sandbox-data", key: "a.txt")
            XCTAssertEqual(head.lastModified, Date(timeIntervalSince1970: 784_111_777), form)
            XCTAssertEqual(head.size, 3)
        }
        XCTAssertStubDone(stub)
    }
}
