import Foundation
@testable import SandboxCheck
import SandboxCore
import SandboxState
import SandboxTestSupport
import XCTest

final class StateCheckTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "sandbox-check-state-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func state(_ records: [ResourceRecord]) throws -> String {
        let path = directory + "/state.db"
        let store = try StateStore.open(path: path, writerVersion: "test")
        for record in records { try store.upsert(record) }
        return path
    }

    func record(_ name: String, _ status: ResourceStatus = .created) -> ResourceRecord {
        ResourceRecord(address: ResourceAddress(type: "s3_bucket", name: name), physicalId: "bucket-\(name)",
                       attributes: ["name": .string("bucket-\(name)")], status: status)
    }

    func testNoStateFails() {
        let (result, records) = StateCheck(path: directory + "/absent.db", remoteLock: nil).verdict(now: Date())
        XCTAssertEqual(result.status, .fail)
        XCTAssertEqual(result.detail, "no state at \(directory)/absent.db")
        XCTAssertEqual(result.fix, "run sandbox apply (or pass --state)")
        XCTAssertEqual(result.category, .state)
        XCTAssertTrue(records.isEmpty)
    }

    func testAnEmptyStateFails() throws {
        let path = try state([])
        let (result, _) = StateCheck(path: path, remoteLock: nil).verdict(now: Date())
        XCTAssertEqual(result.status, .fail)
        XCTAssertEqual(result.detail, "\(path) records no resources")
    }

    func testCreatedResourcesPassAndReachTheStackCheck() async throws {
        let path = try state([record("data"), record("logs")])
        let outcome = try await StateCheck(path: path, remoteLock: nil).run(try CheckFixtures.context(StubTransport()))
        XCTAssertEqual(outcome.result?.status, .pass)
        XCTAssertEqual(outcome.result?.detail, "2 resources, serial 2, schema current")
        XCTAssertEqual(outcome.findings.records?.map(\.address.name).sorted(), ["data", "logs"])
    }

    func testAnInterruptedApplyFails() throws {
        let (result, records) = StateCheck(path: try state([record("data"), record("logs", .pending)]), remoteLock: nil).verdict(now: Date())
        XCTAssertEqual(result.status, .fail)
        XCTAssertEqual(result.detail, "1 resource(s) left pending by an interrupted apply")
        XCTAssertEqual(records.count, 2, "the records still reach the stack evaluation")
    }

    func testARemoteLockWarnsWhileHeldAndFailsWhenUnreadable() throws {
        let path = try state([record("data")])
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let held = StateCheck(path: path, remoteLock: ("s3://state/sandbox.db", .held("ci (pid 7, apply)", expires: now.addingTimeInterval(60))))
        XCTAssertEqual(held.verdict(now: now).0, CheckResult(name: "state", status: .warn, detail: "1 resources; s3://state/sandbox.db locked by ci (pid 7, apply)"))
        let expired = StateCheck(path: path, remoteLock: ("s3://state/sandbox.db", .held("ci", expires: now.addingTimeInterval(-1))))
        XCTAssertEqual(expired.verdict(now: now).0.detail, "1 resources; s3://state/sandbox.db lock expired: ci; the next writer takes it over")
        let unreadable = StateCheck(path: path, remoteLock: ("s3://state/sandbox.db", .unreadable("AccessDenied")))
        XCTAssertEqual(unreadable.verdict(now: now).0.status, .fail)
        XCTAssertEqual(unreadable.verdict(now: now).0.category, .infrastructure)
        XCTAssertEqual(StateCheck(path: path, remoteLock: ("s3://state/sandbox.db", .free)).verdict(now: now).0.status, .pass)
    }

    func testStateNeedsTheAccountCheck() {
        XCTAssertEqual(StateCheck(path: "x", remoteLock: nil).requires, [.account])
    }
}
