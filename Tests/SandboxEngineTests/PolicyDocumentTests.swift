import SandboxCore
import XCTest
@testable import SandboxEngine

/// IAM documents compare by meaning, the way IAM itself treats them.
final class PolicyDocumentTests: XCTestCase {
    private func doc(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> JSONValue {
        guard let value = JSONValue.parse(text) else {
            XCTFail("not JSON: \(text)", file: file, line: line)
            return .null
        }
        return value
    }

    /// The fingerprint of a policy holding `document`, as plan and apply take it (canonical by the policy's kind).
    private func fingerprint(_ document: JSONValue) -> String {
        Fingerprint.of(["name": .string("p"), "path": .string("/"), "document": document], provider: KindCatalogue.standard.provider(for: IAMPolicyKind.name))
    }

    private let reference = """
        {"Version":"2012-10-17","Statement":[
          {"Sid":"A","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/runs/*"},
          {"Sid":"B","Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}
        """

    func testStatementAndActionOrderDoNotMatter() {
        let reordered = doc("""
            {"Statement":[
              {"Resource":"*","Action":["sts:GetCallerIdentity"],"Effect":"Allow","Sid":"B"},
              {"Effect":"Allow","Sid":"A","Resource":["arn:aws:s3:::b/runs/*"],"Action":["s3:PutObject","s3:GetObject"]}],
             "Version":"2012-10-17"}
            """)
        XCTAssertTrue(PolicyDocument.equivalent(doc(reference), reordered))
        XCTAssertEqual(PolicyDocument.canonicalText(doc(reference)), PolicyDocument.canonicalText(reordered))
    }

    func testStringAndSingleElementListAreTheSame() {
        let a = doc(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3:::x"}]}"#)
        let b = doc(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket"],"NotResource":["arn:aws:s3:::x"]}]}"#)
        XCTAssertTrue(PolicyDocument.equivalent(a, b))
    }

    func testDuplicateActionsCollapse() {
        let a = doc(#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetObject"],"Resource":"*"}]}"#)
        let b = doc(#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#)
        XCTAssertTrue(PolicyDocument.equivalent(a, b))
    }

    func testSingleStatementObjectEqualsOneElementList() {
        let object = doc(#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#)
        let list = doc(#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}"#)
        XCTAssertTrue(PolicyDocument.equivalent(object, list))
        XCTAssertEqual(fingerprint(object), fingerprint(list))
    }

    func testURLEncodedDocumentAsIAMReturnsIt() throws {
        // GetPolicyVersion returns the document RFC 3986-encoded.
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Sid%22%3A%22B%22%2C%22Effect%22%3A%22Allow%22%2C"
            + "%22Action%22%3A%22sts%3AGetCallerIdentity%22%2C%22Resource%22%3A%22%2A%22%7D%2C%7B%22Sid%22%3A%22A%22%2C%22Effect%22%3A%22Allow%22%2C"
            + "%22Action%22%3A%5B%22s3%3APutObject%22%2C%22s3%3AGetObject%22%5D%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab%2Fruns%2F%2A%22%7D%5D%7D"
        let parsed = try XCTUnwrap(PolicyDocument.parse(encoded))
        XCTAssertTrue(PolicyDocument.equivalent(parsed, doc(reference)))
    }

    func testURLEncodedDocumentKeepsPlusSignsAndSpaces() throws {
        // A literal '+' is sent as %2B; a space may come back as '+' (form encoding) or %20.
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Sid%22%3A%22a+b%22%2C%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C"
            + "%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ax%2Fc%2Bd%20e%22%7D%5D%7D"
        let parsed = try XCTUnwrap(PolicyDocument.parse(encoded))
        let statement = try XCTUnwrap(parsed["Statement"]?.arrayValue?.first)
        XCTAssertEqual(statement["Sid"], .string("a b"))
        XCTAssertEqual(statement["Resource"], .string("arn:aws:s3:::x/c+d e"))
    }

    func testPlainJSONTextParsesDirectly() throws {
        let parsed = try XCTUnwrap(PolicyDocument.parse(reference))
        XCTAssertEqual(parsed, doc(reference))
        XCTAssertNil(PolicyDocument.parse("not a document"))
    }

    func testMeaningfulDifferencesAreDifferences() {
        let base = doc(reference)
        let widened = doc(reference.replacingOccurrences(of: "b/runs/*", with: "b/*"))
        let denied = doc(reference.replacingOccurrences(of: #""Sid":"B","Effect":"Allow""#, with: #""Sid":"B","Effect":"Deny""#))
        let extraAction = doc(reference.replacingOccurrences(of: #""s3:PutObject"]"#, with: #""s3:PutObject","s3:DeleteObject"]"#))
        for other in [widened, denied, extraAction] {
            XCTAssertFalse(PolicyDocument.equivalent(base, other), other.compactJSON)
            XCTAssertNotEqual(fingerprint(base), fingerprint(other))
        }
    }
}

/// A saved plan compares fingerprints of what it read; they must not depend on dictionary or statement order.
final class FingerprintTests: XCTestCase {
    func testAbsentIsItsOwnValue() {
        XCTAssertEqual(Fingerprint.of(nil), "absent")
        XCTAssertNotEqual(Fingerprint.of([:]), "absent")
    }

    func testStableAcrossKeyOrderAndRepeatedCalls() {
        var a: Attributes = [:]
        a["name"] = .string("b")
        a["tags"] = .object(["Owner": .string("me"), "ManagedBy": .string("sandbox")])
        a["expiration_days"] = .number(3)
        var b: Attributes = [:]
        b["expiration_days"] = .number(3.0)
        b["tags"] = .object(["ManagedBy": .string("sandbox"), "Owner": .string("me")])
        b["name"] = .string("b")
        XCTAssertEqual(Fingerprint.of(a), Fingerprint.of(b))
        XCTAssertEqual(Fingerprint.of(a), Fingerprint.of(a))
        XCTAssertEqual(Fingerprint.of(a).count, 64)
    }

    func testEveryValueCounts() {
        let base: Attributes = ["bucket": .string("b"), "block_public_acls": .bool(true)]
        XCTAssertNotEqual(Fingerprint.of(base), Fingerprint.of(["bucket": .string("b"), "block_public_acls": .bool(false)]))
        XCTAssertNotEqual(Fingerprint.of(base), Fingerprint.of(["bucket": .string("c"), "block_public_acls": .bool(true)]))
        XCTAssertNotEqual(Fingerprint.of(base), Fingerprint.of(base.merging(["extra": .null]) { a, _ in a }))
    }
}
