import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxTestSupport
import XCTest

final class ErrorParsingTests: XCTestCase {
    static let endpoint = "https://example.amazonaws.com"

    func parse(_ status: Int, _ body: String, headers: [String: String] = [:], service: ServiceDescriptor,
               operation: String = "Op") -> Error {
        ErrorParser.parse(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)),
                          service: service, operation: operation, endpoint: Self.endpoint)
    }

    func awsError(_ error: Error, file: StaticString = #filePath, line: UInt = #line) throws -> AWSError {
        try XCTUnwrap(error as? AWSError, "not an AWSError: \(error)", file: file, line: line)
    }

    // MARK: Wire formats

    func testS3ErrorDocument() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a.txt</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>h</HostId></Error>
            """
        let error = try awsError(parse(404, body, service: .s3, operation: "GetObject"))
        XCTAssertEqual(error.code, "NoSuchKey")
        XCTAssertEqual(error.message, "The specified key does not exist.")
        XCTAssertEqual(error.requestId, "4442587FB7D0A2F9")
        XCTAssertEqual(error.kind, .notFound)
        XCTAssertEqual(error.service, "S3")
        XCTAssertEqual(error.operation, "GetObject")
    }

    func testIAMErrorResponse() throws {
        let body = """
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>
              <RequestId>9a8b7c6d-0000-1111-2222-333344445555</RequestId>
            </ErrorResponse>
            """
        let error = try awsError(parse(404, body, service: .iam, operation: "GetRole"))
        XCTAssertEqual(error.code, "NoSuchEntity")
        XCTAssertEqual(error.message, "The role with name x cannot be found.")
        XCTAssertEqual(error.requestId, "9a8b7c6d-0000-1111-2222-333344445555")
        XCTAssertEqual(error.kind, .notFound)
    }

    func testSTSErrorResponse() throws {
        let body = Answers.queryError("ExpiredToken", message: "The security token included in the request is expired")
        let error = try awsError(parse(403, body, service: .sts, operation: "GetCallerIdentity"))
        XCTAssertEqual(error.code, "ExpiredToken")
        XCTAssertEqual(error.kind, .expiredCredentials)
        XCTAssertEqual(error.requestId, "QUERYREQ")
    }

    func testJSONPlainType() throws {
        let error = try awsError(parse(400, #"{"__type":"EntityNotFoundException","Message":"Database x not found."}"#, service: .glue))
        XCTAssertEqual(error.code, "EntityNotFoundException")
        XCTAssertEqual(error.message, "Database x not found.")
        XCTAssertEqual(error.kind, .notFound)
    }

    func testJSONTypeWithNamespaceHash() throws {
        let error = try awsError(parse(400, #"{"__type":"com.amazonaws.glue#AlreadyExistsException","message":"exists"}"#, service: .glue))
        XCTAssertEqual(error.code, "AlreadyExistsException")
        XCTAssertEqual(error.kind, .conflict)
    }

    func testJSONTypeWithColonSuffix() throws {
        let body = #"{"__type":"ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"bad"}"#
        let error = try awsError(parse(400, body, service: .budgets))
        XCTAssertEqual(error.code, "ValidationException")
        XCTAssertEqual(error.kind, .validation)
    }

    func testJSONTypeWithHashAndColon() throws {
        let body = #"{"__type":"com.amazonaws.budgets#NotFoundException:http://internal.amazon.com/coral/","Message":"gone"}"#
        let error = try awsError(parse(400, body, service: .budgets))
        XCTAssertEqual(error.code, "NotFoundException")
        XCTAssertEqual(error.kind, .notFound)
    }

    func testErrorTypeHeaderWhenBodyHasNoType() throws {
        let error = try awsError(parse(400, #"{"message":"Rate exceeded"}"#,
                                       headers: ["x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"],
                                       service: .glue))
        XCTAssertEqual(error.code, "ThrottlingException")
        XCTAssertEqual(error.message, "Rate exceeded")
        XCTAssertEqual(error.kind, .throttled)
    }

    func testErrorTypeHeaderWithEmptyBody() throws {
        let error = try awsError(parse(400, "", headers: ["X-Amzn-ErrorType": "AccessDeniedException"], service: .budgets))
        XCTAssertEqual(error.code, "AccessDeniedException")
        XCTAssertEqual(error.kind, .accessDenied)
    }

    func testRequestIdFromHeaderForJSON() throws {
        let error = try awsError(parse(400, Answers.jsonError("ValidationException"), headers: ["x-amzn-RequestId": "req-123"], service: .glue))
        XCTAssertEqual(error.requestId, "req-123")
    }

    // MARK: Empty bodies

    func testEmptyHead404IsNotFound() throws {
        let error = try awsError(parse(404, "", service: .s3, operation: "HeadBucket"))
        XCTAssertEqual(error.code, "NotFound")
        XCTAssertEqual(error.kind, .notFound)
    }

    func testEmptyHead403IsAccessDenied() throws {
        let error = try awsError(parse(403, "", service: .s3, operation: "HeadObject"))
        XCTAssertEqual(error.kind, .accessDenied)
    }

    func testEmptyHead404ThroughTheClientIsNotRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("HEAD", status: 404)
        let error = await harness.failure(of: AWSRequest(operation: "HeadBucket", journal: .read, method: "HEAD", bucket: "gone"), to: .s3)
        XCTAssertEqual((error as? AWSError)?.kind, .notFound)
        XCTAssertEqual(harness.transport.requestCount, 1)
    }

    // MARK: Not AWS answers

    func testHTMLPageIsMalformedAndSaysSo() throws {
        let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        let error = try XCTUnwrap(parse(502, page, headers: ["Content-Type": "text/html"], service: .s3) as? MalformedResponseError)
        XCTAssertEqual(error.status, 502)
        XCTAssertTrue(error.userMessage.contains("HTML page"), error.userMessage)
        XCTAssertTrue(error.userMessage.contains(Self.endpoint), error.userMessage)
    }

    func testWellFormedHTMLWithoutContentTypeIsMalformedAndSaysHTML() throws {
        // Well-formed enough for the XML parser: must still not pass as an error document.
        let page = "<html><body><p>Sign in to the proxy</p></body></html>"
        let error = try XCTUnwrap(parse(403, page, service: .iam) as? MalformedResponseError)
        XCTAssertTrue(error.userMessage.contains("HTML page"), error.userMessage)
    }

    func testHTMLPageForJSONServiceIsMalformed() throws {
        let error = try XCTUnwrap(parse(503, "<html><body>Service Unavailable</body></html>", service: .glue) as? MalformedResponseError)
        XCTAssertTrue(error.userMessage.contains("HTML page"), error.userMessage)
    }

    func testTruncatedXMLIsMalformedAndSaysSo() throws {
        let body = String(Answers.s3Error("SlowDown").prefix(60))
        let error = try XCTUnwrap(parse(503, body, headers: ["Content-Type": "application/xml"], service: .s3) as? MalformedResponseError)
        XCTAssertTrue(error.userMessage.contains("truncated"), error.userMessage)
        XCTAssertTrue(error.userMessage.contains("XML"), error.userMessage)
    }

    func testTruncatedXMLDocumentDoesNotParse() {
        XCTAssertNil(XMLNode.parse(Data("<?xml version=\"1.0\"?><Error><Code>SlowDown<".utf8)))
        XCTAssertNil(XMLNode.parse(Data("<ListBucketResult><Contents><Key>a</Key></Contents><Contents>".utf8)))
        XCTAssertEqual(XMLNode.parse(Data("<A><B>x</B></A>".utf8))?.string("B"), "x")
    }

    func testTruncatedJSONIsMalformedAndSaysSo() throws {
        let error = try XCTUnwrap(parse(400, #"{"__type":"Throttl"#, service: .glue) as? MalformedResponseError)
        XCTAssertTrue(error.userMessage.contains("truncated"), error.userMessage)
        XCTAssertTrue(error.userMessage.contains("JSON"), error.userMessage)
    }

    func testJSONWithoutErrorTypeIsMalformed() throws {
        XCTAssertTrue(parse(400, #"{"hello":"world"}"#, service: .glue) is MalformedResponseError)
    }

    func testXMLWithoutErrorCodeIsMalformed() throws {
        XCTAssertTrue(parse(400, "<Error><Message>no code</Message></Error>", service: .s3) is MalformedResponseError)
    }

    func testHTMLPageAnsweringAQueryCallWith200IsMalformed() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("DeleteRole", status: 200, headers: ["Content-Type": "text/html"],
                                 body: "<html><body><p>Welcome to nginx!</p></body></html>")
        do {
            _ = try await harness.client.query(.iam, action: "DeleteRole", parameters: [("RoleName", "r")], journal: .mutating(target: "r"))
            XCTFail("an HTML page must not pass as a successful IAM answer")
        } catch let error as MalformedResponseError {
            XCTAssertTrue(error.userMessage.contains("HTML page"), error.userMessage)
        }
    }

    func testQueryAnswerWithoutResultElementIsAccepted() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("DeleteRole", status: 200,
                                 body: "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteRoleResponse>")
        let node = try await harness.client.query(.iam, action: "DeleteRole", parameters: [("RoleName", "r")], journal: .mutating(target: "r"))
        XCTAssertEqual(node.name, "DeleteRoleResponse")
    }

    func testQueryAnswerReturnsTheResultElement() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GetCallerIdentity", status: 200,
                                 body: "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>")
        let node = try await harness.client.query(.sts, action: "GetCallerIdentity", journal: .read)
        XCTAssertEqual(node.string("Account"), "123456789012")
    }

    // MARK: Categories

    func testCategories() {
        func category(_ code: String, _ status: Int = 400) -> FailureCategory {
            AWSError(service: "Glue", operation: "Op", status: status, code: code, message: "", requestId: nil).category
        }
        XCTAssertEqual(category("AccessDenied", 403), .aws)
        XCTAssertEqual(category("ValidationException"), .aws)
        XCTAssertEqual(category("EntityNotFoundException"), .aws)
        XCTAssertEqual(category("AlreadyExistsException"), .aws)
        XCTAssertEqual(category("ThrottlingException"), .infrastructure)
        XCTAssertEqual(category("InternalError", 500), .infrastructure)
        XCTAssertEqual(category("ExpiredToken", 403), .credentials)
        XCTAssertEqual(category("RequestTimeTooSkewed", 403), .credentials)
    }

    func testMalformedAnswersAreInfrastructureFailures() {
        let error = parse(502, "<html></html>", service: .s3)
        XCTAssertEqual(error.failureCategory, .infrastructure)
    }

    func testClassificationByCode() {
        XCTAssertEqual(AWSError.classify(code: "NoSuchEntity", status: 404), .notFound)
        XCTAssertEqual(AWSError.classify(code: "EntityNotFoundException", status: 400), .notFound)
        XCTAssertEqual(AWSError.classify(code: "AccessDeniedException", status: 400), .accessDenied)
        XCTAssertEqual(AWSError.classify(code: "RequestTimeTooSkewed", status: 403), .clockSkew)
        XCTAssertEqual(AWSError.classify(code: "PermanentRedirect", status: 301), .redirect)
        XCTAssertEqual(AWSError.classify(code: "SomethingNew", status: 418), .other)
    }

    // MARK: User message

    func testAccessDeniedMessageNamesServiceOperationCodeAndFix() {
        let error = AWSError(service: "S3", operation: "PutBucketTagging", status: 403, code: "AccessDenied",
                             message: "Access Denied", requestId: "ABC123")
        let line = error.userMessage
        for part in ["S3", "PutBucketTagging", "AccessDenied", "ABC123", "grant the caller s3:PutBucketTagging"] {
            XCTAssertTrue(line.contains(part), "'\(part)' missing from: \(line)")
        }
    }

    func testUserMessageIsOneLine() {
        let error = AWSError(service: "IAM", operation: "CreateRole", status: 400, code: "MalformedPolicyDocument",
                             message: "line one\nline two\r\nline three", requestId: nil)
        XCTAssertFalse(error.userMessage.contains("\n"), error.userMessage)
        XCTAssertFalse(error.userMessage.contains("\r"), error.userMessage)
        XCTAssertTrue(error.userMessage.contains("IAM CreateRole failed: MalformedPolicyDocument"), error.userMessage)
    }

    func testThrottledMessageSuggestsMaxAttempts() {
        let error = AWSError(service: "Glue", operation: "GetTables", status: 400, code: "ThrottlingException", message: "", requestId: nil)
        XCTAssertTrue(error.userMessage.contains("--max-attempts"), error.userMessage)
    }
}
