import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxTestSupport
import XCTest

final class S3BucketKindTests: XCTestCase {
    let provider = adapter(S3BucketKind.self)
    let tagging = "<Tagging><TagSet><Tag><Key>ManagedBy</Key><Value>sandbox</Value></Tag></TagSet></Tagging>"

    func testReadReturnsNameTagsArnAndRegion() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?tagging", tagging)], sent: sent)
        let live = try await provider.read(["name": .string("b"), "name_prefix": .string("p")], context: stubContext(stub))
        XCTAssertEqual(live, ["name": .string("b"), "name_prefix": .string("p"), "arn": .string("arn:aws:s3:::b"), "region": .string("us-east-1"),
                              "tags": .object(["ManagedBy": .string("sandbox")])])
        XCTAssertStubDone(stub)
    }

    func testReadOfAMissingBucketIsNilAndWithoutANameSendsNothing() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /gone?tagging", status: 404, s3Error("NoSuchBucket"))], sent: sent)
        let context = try stubContext(stub)
        let gone = try await provider.read(["name": .string("gone")], context: context)
        XCTAssertNil(gone)
        let unnamed = try await provider.read([:], context: context)
        XCTAssertNil(unnamed)
        XCTAssertEqual(sent.operations, ["GET /gone?tagging"])
        XCTAssertStubDone(stub)
    }

    func testReadAccessDeniedAndAMalformedAnswerThrow() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?tagging", status: 403, s3Error("AccessDenied", "no")),
                            Answer("GET /b?tagging", "<Tagging><TagSet><Tag><Key>k</Key>")], sent: sent)
        let context = try stubContext(stub)
        let denied = await thrown { _ = try await self.provider.read(["name": .string("b")], context: context) }
        XCTAssertEqual((denied as? AWSError)?.kind, .accessDenied)
        let malformed = await thrown { _ = try await self.provider.read(["name": .string("b")], context: context) }
        XCTAssertNotNil(malformed)
        XCTAssertStubDone(stub)
    }

    func testCreateTagsAndReadsBack() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("PUT /b"), Answer("PUT /b?tagging"), Answer("GET /b?tagging", tagging)], sent: sent)
        let created = try await provider.create(["name": .string("b"), "tags": .object(["ManagedBy": .string("sandbox")])], context: stubContext(stub))
        XCTAssertEqual(created["arn"], .string("arn:aws:s3:::b"))
        XCTAssertEqual(created["region"], .string("us-east-1"))
        XCTAssertTrue(sent.requests[1].bodyText.contains("<Key>ManagedBy</Key><Value>sandbox</Value>"), sent.requests[1].bodyText)
        XCTAssertStubDone(stub)
    }

    func testCreateThatCannotBeReadBackFails() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("PUT /b"), Answer("GET /b?tagging", status: 404, s3Error("NoSuchBucket"))], sent: sent)
        let error = await thrown { _ = try await self.provider.create(["name": .string("b")], context: try stubContext(stub, consistencyAttempts: 1)) }
        XCTAssertEqual((error as? ProviderError)?.category, .infrastructure)
        XCTAssertStubDone(stub)
    }

    func testUpdatePutsTheWholeTagSet() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("PUT /b?tagging")], sent: sent)
        let out = try await provider.update(["name": .string("b"), "tags": .object(["a": .string("1")])], live: ["name": .string("b")], context: stubContext(stub))
        XCTAssertEqual(out["arn"], .string("arn:aws:s3:::b"))
        XCTAssertTrue(sent.requests[0].bodyText.contains("<Key>a</Key><Value>1</Value>"))
        XCTAssertStubDone(stub)
    }

    func testDeleteChecksEmptinessThenDeletes() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?versions", "<ListVersionsResult><IsTruncated>false</IsTruncated></ListVersionsResult>"), Answer("DELETE /b")], sent: sent)
        try await provider.delete(["name": .string("b")], context: stubContext(stub), options: DeleteOptions())
        XCTAssertStubDone(stub)
    }

    func testDeleteOfANonEmptyBucketIsRefusedAndAGoneBucketIsNotAnError() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?versions", """
            <ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>k</Key><VersionId>v</VersionId><IsLatest>true</IsLatest></Version></ListVersionsResult>
            """), Answer("GET /gone?versions", status: 404, s3Error("NoSuchBucket"))], sent: sent)
        let context = try stubContext(stub)
        let error = await thrown { try await self.provider.delete(["name": .string("b")], context: context, options: DeleteOptions()) }
        XCTAssertEqual((error as? ProviderError)?.category, .usage)
        XCTAssertTrue("\(error.map { ($0 as? SandboxError)?.userMessage ?? "" } ?? "")".contains("--empty-bucket"))
        try await provider.delete(["name": .string("gone")], context: context, options: DeleteOptions())
        XCTAssertEqual(sent.operations, ["GET /b?versions", "GET /gone?versions"], "no DeleteBucket for either")
        XCTAssertStubDone(stub)
    }

    func testDeleteWithEmptyBucketRemovesVersionsFirst() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([
            Answer("GET /b?versions", "<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>k</Key><VersionId>v</VersionId></Version></ListVersionsResult>"),
            Answer("POST /b?delete", "<DeleteResult><Deleted><Key>k</Key><VersionId>v</VersionId></Deleted></DeleteResult>"),
            Answer("GET /b?uploads", "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"),
            Answer("DELETE /b"),
        ], sent: sent)
        try await provider.delete(["name": .string("b")], context: stubContext(stub), options: DeleteOptions(emptyBucket: true))
        XCTAssertStubDone(stub)
    }

    func testNormalizeDerivesTheDefaultNameAndRefusesOneTooLong() {
        let facts = StackFacts(stackName: "Tests", accountId: "123456789012", region: "us-east-1")
        var attributes: Attributes = [:]
        XCTAssertEqual(provider.normalize(&attributes, unknown: [], facts: facts), [])
        XCTAssertEqual(attributes["name"], .string("tests-123456789012-us-east-1"))
        var long: Attributes = ["name_prefix": .string(String(repeating: "x", count: 50))]
        let problems = provider.normalize(&long, unknown: [], facts: facts)
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems[0].contains("the default bucket name"), problems[0])
        var pending: Attributes = [:]
        XCTAssertEqual(provider.normalize(&pending, unknown: ["name_prefix"], facts: facts), [])
        XCTAssertNil(pending["name"], "no default name while the prefix is unknown")
    }

    func testDifferencesCompareNameAndTheWholeTagSet() {
        let desired: Attributes = ["name": .string("b"), "tags": .object(["a": .string("1")])]
        XCTAssertEqual(provider.differences(desired: desired, live: desired), [])
        let changes = provider.differences(desired: desired, live: ["name": .string("c"), "tags": .object([:])])
        XCTAssertEqual(changes.map(\.name), ["name", "tags"])
        XCTAssertEqual(changes.map(\.forcesReplacement), [true, false])
    }

    func testPlannedImportAndIdentity() throws {
        let context = try stubContext(StubTransport())
        XCTAssertEqual(provider.plannedAttributes(["name": .string("b")], context: context),
                       ["name": .string("b"), "arn": .string("arn:aws:s3:::b"), "region": .string("us-east-1")])
        XCTAssertEqual(provider.importAttributes(id: "b", context: context), ["name": .string("b")])
        XCTAssertEqual(provider.physicalId(["name": .string("b")]), "b")
        XCTAssertTrue(provider.isStandalone)
        XCTAssertEqual(provider.readCalls(["name": .string("b")], context: context).map(\.action), ["s3:GetBucketTagging"])
    }
}
