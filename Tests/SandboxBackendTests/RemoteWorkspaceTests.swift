import Foundation
import SandboxAWS
import SandboxBackend
import SandboxCore
import SandboxServices
import SandboxSigV4
import SandboxState
import SandboxTestSupport
import XCTest

/// The S3 backend against moto, which enforces If-None-Match and If-Match like S3.
final class RemoteWorkspaceTests: XCTestCase {
    var server: MotoServer!
    var client: AWSClient!
    let bucket = "state-bucket"

    override func setUp() async throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        server = try MotoServer.shared()
        try server.reset()
        client = AWSClient(region: try Region("us-east-1"), endpoints: EndpointResolver(global: server.endpoint),
                           credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                                                                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSENTINELKEY")),
                           transport: AsyncHTTPClientTransport())
        try await S3Client(client).createBucket(bucket)
    }

    func backend(ttl: TimeInterval = 120) -> S3StateBackend {
        S3StateBackend(bucket: bucket, key: "state/test.sqlite", client: client, lockTTL: ttl)
    }

    func testLockIsExclusiveAndReleased() async throws {
        let first = try await backend().lock(holder: "a", operation: "apply", timeout: 0)
        do {
            _ = try await backend().lock(holder: "b", operation: "apply", timeout: 0)
            XCTFail("a second holder got the lock")
        } catch let error as RemoteLockedError {
            XCTAssertTrue(error.userMessage.contains("locked by a"), error.userMessage)
            XCTAssertTrue(error.userMessage.contains("sandbox state unlock"), error.userMessage)
        }
        await first.release()
        let second = try await backend().lock(holder: "b", operation: "apply", timeout: 0)
        XCTAssertNil(second.tookOver)
        await second.release()
        let leftover = try await backend().currentLock()
        XCTAssertNil(leftover)
    }

    func testExpiredLockIsTakenOverWithAMessage() async throws {
        _ = try await backend(ttl: -1).lock(holder: "crashed", operation: "apply", timeout: 0)
        let taker = try await backend().lock(holder: "next", operation: "apply", timeout: 0)
        XCTAssertEqual(taker.tookOver?.holder, "crashed")
        await taker.release()
    }

    func testWaitingForTheLockWithATimeout() async throws {
        let holder = try await backend().lock(holder: "a", operation: "apply", timeout: 0)
        let started = Date()
        do {
            _ = try await backend().lock(holder: "b", operation: "apply", timeout: 1)
            XCTFail("got a held lock")
        } catch is RemoteLockedError {
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9)
        }
        await holder.release()
    }

    func testAWriterWhoseLockWasTakenOverFailsInsteadOfOverwriting() async throws {
        let workspace = RemoteWorkspace(backend: backend(), writerVersion: "test")
        // A first writer creates the state.
        try await workspace.withLock(holder: "seed", operation: "apply", timeout: 0) { path in
            _ = try StateStore.open(path: path, writerVersion: "test").upsert(ResourceRecord(
                address: ResourceAddress(type: "s3_bucket", name: "seed"), physicalId: "seed", attributes: [:], dependencies: [], status: .created))
        }
        let before = try await backend().fetch()
        let thief = backend()
        do {
            try await workspace.withLock(holder: "slow", operation: "apply", timeout: 0) { path in
                _ = try StateStore.open(path: path, writerVersion: "test").upsert(ResourceRecord(
                    address: ResourceAddress(type: "s3_bucket", name: "lost"), physicalId: "lost", attributes: [:], dependencies: [], status: .created))
                // Another process takes the lock over (as if ours had expired) while we work.
                _ = try await thief.forceUnlock()
                _ = try await thief.lock(holder: "thief", operation: "apply", timeout: 0)
            }
            XCTFail("a writer that lost its lock uploaded")
        } catch let error as RemoteConflictError {
            XCTAssertTrue(error.userMessage.contains("lost its lock"), error.userMessage)
        }
        let after = try await backend().fetch()
        XCTAssertEqual(after?.eTag, before?.eTag, "the state was overwritten by a writer without the lock")
    }

    func testConcurrentRecordUpdatesAreAllKept() async throws {
        let workspace = RemoteWorkspace(backend: backend(), writerVersion: "test")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await workspace.update { store in
                        try store.recordRun(RunRecord(runId: try RunID("run-\(index)"), workspace: "w\(index)", s3Prefix: "runs/run-\(index)/", glueDatabase: nil,
                                                      startedAt: Date(), status: .open, finishedAt: nil, reportPath: nil, testResult: nil))
                    }
                }
            }
            try await group.waitForAll()
        }
        let runs = try await workspace.withCopy { path in try path.map { try StateStore.openExisting(path: $0).runs() } ?? [] }
        XCTAssertEqual(Set(runs.map(\.runId.rawValue)), Set((0..<8).map { "run-\($0)" }))
    }

    func testLockHolderMergesRunRecordsWrittenMeanwhile() async throws {
        let workspace = RemoteWorkspace(backend: backend(), writerVersion: "test")
        try await workspace.withLock(holder: "apply", operation: "apply", timeout: 0) { path in
            _ = try StateStore.open(path: path, writerVersion: "test").upsert(ResourceRecord(
                address: ResourceAddress(type: "s3_bucket", name: "bucket"), physicalId: "b", attributes: ["name": .string("b")],
                dependencies: [], status: .created))
            // A cleanup on another runner records its run while the apply holds the lock.
            try await workspace.update { store in
                try store.recordRun(RunRecord(runId: try RunID("run-x"), workspace: "ci", s3Prefix: "runs/run-x/", glueDatabase: nil, startedAt: Date(),
                                              status: .cleaned, finishedAt: Date(), reportPath: nil, testResult: nil))
            }
        }
        let (resources, runs) = try await workspace.withCopy { path -> ([ResourceRecord], [RunRecord]) in
            let store = try StateStore.openExisting(path: path ?? "")
            return (try store.resources(), try store.runs())
        }
        XCTAssertEqual(resources.map(\.address.description), ["s3_bucket.bucket"])
        XCTAssertEqual(runs.map(\.runId.rawValue), ["run-x"])
    }

    func testLocationParsing() throws {
        XCTAssertEqual(try StateLocation.parse("s3://b-1/state/x.sqlite"), .s3(bucket: "b-1", key: "state/x.sqlite"))
        XCTAssertEqual(try StateLocation.parse("State/x.sqlite"), .local(path: "State/x.sqlite"))
        for bad in ["s3://bucket", "s3://bucket/", "s3:///key", "s3://Bucket/key", "s3://b/../x", ""] {
            XCTAssertThrowsError(try StateLocation.parse(bad), bad)
        }
    }
}
