import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices
import SandboxSigV4
import SandboxState
import SandboxTestSupport
import XCTest
@testable import SandboxEngine

/// What a journaled client leaves in state: one started line and one outcome per declared mutation, none for reads.
final class JournalObserverTests: XCTestCase {
    func testDeclaredMutationsReachTheStateJournalAndReadsDoNot() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StateStore.open(path: directory.appendingPathComponent("stack.sqlite").path, writerVersion: "test")
        let stub = StubTransport()
        let client = AWSClient(region: try Region("us-east-1"), endpoints: EndpointResolver(global: URL(string: "http://stub.test:4566")),
                               credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIDSTUB", secretAccessKey: "secret")),
                               transport: stub, retryPolicy: RetryPolicy(maxAttempts: 1), clock: FixedClock(), sleeper: RecordingSleeper())
            .with(observer: JournalObserver(store: store))
        let s3 = S3Client(client)
        stub.expect("PUT /sandbox-data", headers: ["x-amz-request-id": "REQ-CREATE"])
        stub.expect("HEAD /sandbox-data")
        stub.expect("DELETE /sandbox-data/runs/r1/a.txt", status: 403, headers: ["x-amz-request-id": "REQ-DENIED"],
                    body: "<Error><Code>AccessDenied</Code><Message>no</Message></Error>")

        try await s3.createBucket("sandbox-data")
        try await s3.headBucket("sandbox-data")
        do {
            try await s3.deleteObject(bucket: "sandbox-data", key: "runs/r1/a.txt")
            XCTFail("expected AccessDenied")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "AccessDenied")
        }

        let journal = try store.journal()
        XCTAssertEqual(journal.map { "\($0.operation) \($0.target) \($0.outcome.rawValue)" }, [
            "S3:CreateBucket sandbox-data started",
            "S3:CreateBucket sandbox-data ok",
            "S3:DeleteObject sandbox-data/runs/r1/a.txt started",
            "S3:DeleteObject sandbox-data/runs/r1/a.txt failed",
        ])
        XCTAssertEqual(journal.map(\.requestId), [nil, "REQ-CREATE", nil, "REQ-DENIED"])
        XCTAssertEqual(try store.unfinishedJournal(), [])
        XCTAssertEqual(stub.verify(), [])
    }
}
