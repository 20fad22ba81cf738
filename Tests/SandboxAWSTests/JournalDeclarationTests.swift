import Foundation
@testable import SandboxAWS
import SandboxTestSupport
import XCTest

/// The observer hears exactly what the request declares: never what its body or operation name suggest.
final class JournalDeclarationTests: XCTestCase {
    func harness(_ observer: RecordingCallObserver) throws -> (ClientHarness, AWSClient) {
        let harness = try ClientHarness()
        return (harness, harness.client.with(observer: observer))
    }

    func testMutatingCallIsJournalledWithItsDeclaredTargetNotTheBodys() async throws {
        let observer = RecordingCallObserver()
        let (harness, client) = try harness(observer)
        harness.transport.expect("AttachUserPolicy", status: 200, headers: ["x-amzn-RequestId": "REQ-1"],
                                 body: "<AttachUserPolicyResponse><ResponseMetadata/></AttachUserPolicyResponse>")
        // The body names another policy and a user: the old observer would have journalled the body's PolicyArn.
        _ = try await client.query(.iam, action: "AttachUserPolicy",
                                   parameters: [("UserName", "ci"), ("PolicyArn", "arn:aws:iam::1:policy/in-body")],
                                   journal: .mutating(target: "declared-target"))
        XCTAssertEqual(observer.journal, ["IAM:AttachUserPolicy declared-target"])
        XCTAssertEqual(observer.finished, [.init(token: 1, succeeded: true, requestId: "REQ-1")])
        harness.assertScriptFollowed()
    }

    func testReadIsNotJournalledWhateverItsName() async throws {
        let observer = RecordingCallObserver()
        let (harness, client) = try harness(observer)
        harness.transport.expect("SimulateCustomPolicy", body: "<SimulateCustomPolicyResponse><SimulateCustomPolicyResult/></SimulateCustomPolicyResponse>")
        harness.transport.expect("GetDatabases", body: "{}")
        // Neither name starts with Get/List/Describe/Head for the first; the declaration alone decides.
        _ = try await client.query(.iam, action: "SimulateCustomPolicy", journal: .read)
        let _: EmptyShape = try await client.json(.glue, operation: "GetDatabases", input: EmptyShape(), journal: .read)
        XCTAssertEqual(observer.started, [])
        XCTAssertEqual(observer.finished, [])
        harness.assertScriptFollowed()
    }

    func testDeclaredMutationIsJournalledEvenWhenItsNameLooksLikeARead() async throws {
        let observer = RecordingCallObserver()
        let (harness, client) = try harness(observer)
        harness.transport.expect("GET /report.csv", status: 200)
        _ = try await client.send(AWSRequest(operation: "GetObject", journal: .mutating(target: "sandbox-data/report.csv"), method: "GET",
                                             bucket: "sandbox-data", path: "/report.csv"), to: .s3)
        XCTAssertEqual(observer.journal, ["S3:GetObject sandbox-data/report.csv"])
        harness.assertScriptFollowed()
    }

    func testFailedMutationIsJournalledAsFailedWithTheRequestId() async throws {
        let observer = RecordingCallObserver()
        let (harness, client) = try harness(observer)
        harness.transport.expect("DeleteDatabase", status: 400, body: Answers.jsonError("AccessDeniedException"))
        do {
            let _: EmptyShape = try await client.json(.glue, operation: "DeleteDatabase", input: ["Name": "db"], journal: .mutating(target: "db"))
            XCTFail("expected AccessDeniedException")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "AccessDeniedException")
        }
        XCTAssertEqual(observer.journal, ["Glue:DeleteDatabase db"])
        XCTAssertEqual(observer.finished.map(\.succeeded), [false])
        harness.assertScriptFollowed()
    }

    func testOneJournalEntryPerCallAcrossRetriesAndTheRedirect() async throws {
        let observer = RecordingCallObserver()
        let harness = try ClientHarness(region: "us-east-1")
        let client = harness.client.with(observer: observer)
        harness.transport.expect("DELETE /report.csv", status: 301, headers: ["x-amz-bucket-region": "eu-central-1"],
                                 body: Answers.s3Error("PermanentRedirect"))
        harness.transport.expect("DELETE /report.csv", status: 500, body: Answers.s3Error("InternalError"))
        harness.transport.expect("DELETE /report.csv", status: 204)
        _ = try await client.send(AWSRequest(operation: "DeleteObject", journal: .mutating(target: "sandbox-data/report.csv"), method: "DELETE",
                                             bucket: "sandbox-data", path: "/report.csv"), to: .s3)
        XCTAssertEqual(observer.journal, ["S3:DeleteObject sandbox-data/report.csv"])
        XCTAssertEqual(observer.finished.map(\.succeeded), [true])
        XCTAssertEqual(harness.transport.requestCount, 3)
        harness.assertScriptFollowed()
    }

    func testJournalDescriptor() {
        XCTAssertFalse(Journal.read.isMutating)
        XCTAssertNil(Journal.read.target)
        XCTAssertTrue(Journal.mutating(target: "t").isMutating)
        XCTAssertEqual(Journal.mutating(target: "t").target, "t")
    }
}
