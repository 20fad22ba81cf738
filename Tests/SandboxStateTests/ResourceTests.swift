import Foundation
import SandboxCore
import XCTest
@testable import SandboxState

final class ResourceTests: StateTestCase {
    func testRoundTripWithJSONAttributes() throws {
        let store = try openStore()
        let attributes: [String: JSONValue] = [
            "arn": "arn:aws:s3:::sbx-data-1234",
            "versioning": true,
            "object_count": 42,
            "ratio": 0.25,
            "tags": ["owner": "alice", "ttl": "24h"],
            "rules": [["id": "expire", "days": 7], "plain", nil, false],
            "deleted_at": nil,
        ]
        let record = ResourceRecord(
            address: address("s3_bucket.data"), physicalId: "sbx-data-1234", attributes: attributes,
            dependencies: [address("iam_role.writer"), address("kms_key.main")], status: .created)
        let stored = try store.upsert(record)
        XCTAssertEqual(stored.updatedAt, clock.now())

        let read = try XCTUnwrap(try store.resource(address("s3_bucket.data")))
        XCTAssertEqual(read, stored)
        XCTAssertEqual(read.attributes["rules"]?.arrayValue?.first?["days"]?.intValue, 7)
        XCTAssertEqual(read.attributes["versioning"], .bool(true), "booleans do not become numbers")
        XCTAssertEqual(read.attributes["deleted_at"], .null)
        XCTAssertNil(try store.resource(address("s3_bucket.other")))
    }

    func testUpsertReplacesAndEveryChangeBumpsSerial() throws {
        let store = try openStore()
        var record = ResourceRecord(address: address("glue_database.results"), physicalId: nil, status: .pending)
        try store.upsert(record)
        XCTAssertEqual(try store.serial, 1)

        clock.advance(by: 30)
        record.physicalId = "sbx_results"
        record.status = .created
        try store.upsert(record)
        XCTAssertEqual(try store.serial, 2)

        let read = try XCTUnwrap(try store.resource(record.address))
        XCTAssertEqual(read.physicalId, "sbx_results")
        XCTAssertEqual(read.status, .created)
        XCTAssertEqual(read.updatedAt, clock.now())
        XCTAssertEqual(try store.resources().count, 1)

        XCTAssertTrue(try store.remove(record.address))
        XCTAssertEqual(try store.serial, 3)
        XCTAssertFalse(try store.remove(record.address))
        XCTAssertEqual(try store.serial, 3, "removing nothing is not a change")
        XCTAssertEqual(try store.resources(), [])
    }

    func testResourcesAreSortedByAddressAndKeepEveryStatus() throws {
        let store = try openStore()
        for (index, status) in ResourceStatus.allCases.enumerated().reversed() {
            try store.upsert(ResourceRecord(address: address("s3_bucket.b\(index)"), physicalId: "p\(index)", status: status))
        }
        let all = try store.resources()
        XCTAssertEqual(all.map(\.address.description), ["s3_bucket.b0", "s3_bucket.b1", "s3_bucket.b2", "s3_bucket.b3"])
        XCTAssertEqual(all.map(\.status), ResourceStatus.allCases)
    }

    func testJSONFormWritesAddressesAsText() throws {
        let record = ResourceRecord(
            address: address("s3_bucket.data"), physicalId: "b", attributes: ["n": 3],
            dependencies: [address("iam_role.writer")], status: .tainted)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(record), as: UTF8.self)
        XCTAssertEqual(
            text,
            #"{"address":"s3_bucket.data","attributes":{"n":3},"dependencies":["iam_role.writer"],"physical_id":"b","status":"tainted"}"#)
        XCTAssertEqual(try JSONDecoder().decode(ResourceRecord.self, from: Data(text.utf8)), record)
    }

    func testOutputsAreReplacedWholeAndBumpTheSerialOnlyOnChange() throws {
        let store = try openStore()
        XCTAssertEqual(try store.outputs(), [:])
        try store.setOutputs(["bucket": "sbx-data", "arn": "arn:aws:s3:::sbx-data", "tables": ["a", "b"]])
        XCTAssertEqual(try store.serial, 1)
        try store.setOutputs(["tables": ["a", "b"], "bucket": "sbx-data", "arn": "arn:aws:s3:::sbx-data"])
        XCTAssertEqual(try store.serial, 1, "same outputs, no change")
        try store.setOutputs(["bucket": "sbx-data"])
        XCTAssertEqual(try store.outputs(), ["bucket": "sbx-data"])
        XCTAssertEqual(try store.serial, 2)
        try store.setOutputs([:])
        XCTAssertEqual(try store.outputs(), [:])
        XCTAssertEqual(try store.serial, 3)
    }

    func testMalformedAddressesAreRejected() throws {
        let store = try openStore()
        let bad = ResourceRecord(address: ResourceAddress(type: "s3", name: "a.b"), physicalId: nil, status: .pending)
        assertStateError(try store.upsert(bad), .invalid("resource address \"s3.a.b\" is not TYPE.NAME"))
        let badDependency = ResourceRecord(
            address: address("s3_bucket.ok"), physicalId: nil, dependencies: [ResourceAddress(type: "", name: "x")], status: .pending)
        XCTAssertThrowsError(try store.upsert(badDependency))
        XCTAssertEqual(try store.serial, 0)
    }

    func testNonFiniteNumbersAreRejectedNotStored() throws {
        let store = try openStore()
        let record = ResourceRecord(address: address("s3_bucket.x"), physicalId: nil, attributes: ["n": .number(.nan)], status: .pending)
        XCTAssertThrowsError(try store.upsert(record)) { XCTAssertEqual($0.failureCategory, .state) }
        XCTAssertEqual(try store.resources(), [])
    }
}

final class RunAndCleanupTests: StateTestCase {
    func testRecordReadListAndUpdateRuns() throws {
        let store = try openStore()
        let started = clock.now()
        let run = RunRecord(runId: try RunID("r-1"), workspace: "alice", s3Prefix: "runs/r-1/", glueDatabase: "sbx_r_1", startedAt: started)
        try store.recordRun(run)
        try store.recordRun(RunRecord(runId: try RunID("r-2"), workspace: "alice", startedAt: started.addingTimeInterval(60)))
        XCTAssertEqual(try store.serial, 2)
        XCTAssertEqual(try store.run(id: try RunID("r-1")), run)
        XCTAssertNil(try store.run(id: try RunID("r-9")))
        XCTAssertEqual(try store.runs().map(\.runId.rawValue), ["r-1", "r-2"])

        assertStateError(try store.recordRun(run), .conflict("run r-1"))

        var finished = run
        finished.status = .cleanupFailed
        finished.finishedAt = started.addingTimeInterval(300)
        finished.reportPath = "reports/r-1.md"
        finished.testResult = ["tests": 12, "failures": 1, "failed": ["test_join"]]
        try store.updateRun(finished)
        XCTAssertEqual(try store.run(id: try RunID("r-1")), finished)
        XCTAssertEqual(try store.runs(status: .cleanupFailed).map(\.runId.rawValue), ["r-1"])
        XCTAssertEqual(try store.runs(status: .open).map(\.runId.rawValue), ["r-2"])
        XCTAssertEqual(try store.serial, 3)

        let updated = try store.updateRun(id: try RunID("r-2")) { $0.status = .cleaned }
        XCTAssertEqual(updated.status, .cleaned)
        XCTAssertEqual(try store.run(id: try RunID("r-2"))?.status, .cleaned)

        assertStateError(try store.updateRun(RunRecord(runId: try RunID("r-9"), workspace: "w", startedAt: started)), .notFound("run r-9"))
        assertStateError(try store.updateRun(id: try RunID("r-9")) { _ in }, .notFound("run r-9"))
        assertStateError(try store.updateRun(id: try RunID("r-2")) { $0.runId = try RunID("r-3") }, .invalid("a run's id cannot change (r-2)"))
        XCTAssertEqual(try store.serial, 4)
    }

    func testCleanupsAreRecordedPerRunInOrder() throws {
        let store = try openStore()
        try store.recordRun(RunRecord(runId: try RunID("r-1"), workspace: "w", startedAt: clock.now()))
        try store.recordRun(RunRecord(runId: try RunID("r-2"), workspace: "w", startedAt: clock.now()))

        let first = CleanupRecord(
            runId: try RunID("r-1"), startedAt: clock.now(), finishedAt: clock.now().addingTimeInterval(5), outcome: .partial,
            counts: ["s3_objects_deleted": 10, "glue_tables_left": 1], reportPath: "reports/cleanup-1.md")
        let id1 = try store.recordCleanup(first)
        let id2 = try store.recordCleanup(CleanupRecord(runId: try RunID("r-1"), startedAt: clock.now(), outcome: .cleaned))
        let id3 = try store.recordCleanup(CleanupRecord(runId: try RunID("r-2"), startedAt: clock.now(), outcome: .failed))
        try store.recordCleanup(CleanupRecord(runId: try RunID("r-2"), startedAt: clock.now(), outcome: .alreadyClean))
        XCTAssertLessThan(id1, id2)
        XCTAssertLessThan(id2, id3)

        let cleanups = try store.cleanups(run: try RunID("r-1"))
        XCTAssertEqual(cleanups.map(\.id), [id1, id2])
        var expected = first
        expected.id = id1
        XCTAssertEqual(cleanups.first, expected)
        XCTAssertEqual(try store.cleanups(run: try RunID("r-2")).map(\.outcome), [.failed, .alreadyClean])
        XCTAssertEqual(try store.cleanups(run: try RunID("r-9")), [])
        XCTAssertEqual(try store.serial, 6)

        assertStateError(try store.recordCleanup(CleanupRecord(runId: try RunID("r-9"), startedAt: clock.now(), outcome: .cleaned)), .notFound("run r-9"))
        XCTAssertEqual(try store.serial, 6)
    }
}

final class JournalTests: StateTestCase {
    func testJournalKeepsOrderAndLinksOutcomesToStarts() throws {
        let store = try openStore()
        let a = try store.journalStart(operation: "S3:CreateBucket", target: "s3_bucket.data")
        clock.advance(by: 1)
        let b = try store.journalStart(operation: "Glue:CreateDatabase", target: "glue_database.results")
        clock.advance(by: 1)
        let bDone = try store.journalFinish(id: b, outcome: .failed, requestId: "req-b", detail: "AccessDenied: not allowed")
        clock.advance(by: 1)
        let aDone = try store.journalFinish(id: a, outcome: .ok, requestId: "req-a")

        let journal = try store.journal(limit: 10)
        XCTAssertEqual(journal.map(\.id), [a, b, bDone, aDone])
        XCTAssertEqual(journal.map(\.outcome), [.started, .started, .failed, .ok])
        XCTAssertEqual(journal[2].operation, "Glue:CreateDatabase")
        XCTAssertEqual(journal[2].target, "glue_database.results")
        XCTAssertEqual(journal[2].startId, b)
        XCTAssertEqual(journal[2].requestId, "req-b")
        XCTAssertEqual(journal[2].detail, "AccessDenied: not allowed")
        XCTAssertEqual(journal[3].startId, a)
        XCTAssertEqual(journal.map(\.at), (0..<4).map { clock.now().addingTimeInterval(Double($0 - 3)) })

        XCTAssertEqual(try store.journal(limit: 2).map(\.id), [bDone, aDone], "the newest lines, oldest first")
        XCTAssertEqual(try store.serial, 0, "the journal records attempts, not state")
    }

    func testUnfinishedCallsAreListed() throws {
        let store = try openStore()
        let a = try store.journalStart(operation: "S3:CreateBucket", target: "a")
        let b = try store.journalStart(operation: "S3:DeleteBucket", target: "b")
        try store.journalFinish(id: a, outcome: .ok)
        XCTAssertEqual(try store.unfinishedJournal().map(\.id), [b])
        XCTAssertEqual(try store.snapshot().unfinishedJournal.map(\.target), ["b"])
    }

    func testMisuseIsRejected() throws {
        let store = try openStore()
        let a = try store.journalStart(operation: "S3:CreateBucket", target: "a")
        assertStateError(try store.journalFinish(id: a, outcome: .started), .invalid("journal entry \(a) must finish as ok or failed, not started"))
        let done = try store.journalFinish(id: a, outcome: .ok)
        assertStateError(try store.journalFinish(id: a, outcome: .failed), .invalid("journal entry \(a) is already finished"))
        assertStateError(try store.journalFinish(id: done, outcome: .ok), .invalid("journal entry \(done) is an outcome, not a start"))
        assertStateError(try store.journalFinish(id: 999, outcome: .ok), .notFound("journal entry 999"))
    }

    func testJournalIsAppendOnly() throws {
        let store = try openStore()
        try store.journalStart(operation: "S3:CreateBucket", target: "a")
        XCTAssertThrowsError(try rawWrite(store.path, "UPDATE journal SET target = 'b'"))
        XCTAssertThrowsError(try rawWrite(store.path, "DELETE FROM journal"))
        XCTAssertEqual(try store.journal().map(\.target), ["a"])
    }
}

final class InspectionTests: StateTestCase {
    func testSnapshotReadsEverythingAndWritesNothing() throws {
        let store = try openStore()
        try store.upsert(ResourceRecord(address: address("s3_bucket.data"), physicalId: "b", status: .created))
        try store.recordRun(RunRecord(runId: try RunID("r-1"), workspace: "w", startedAt: clock.now()))
        let handle = try store.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 60)

        let snapshot = try store.snapshot()
        XCTAssertEqual(snapshot.path, store.path)
        XCTAssertEqual(snapshot.meta.lineage, store.lineage)
        XCTAssertEqual(snapshot.meta.serial, 2)
        XCTAssertEqual(snapshot.resources.map(\.physicalId), ["b"])
        XCTAssertEqual(snapshot.runs.map(\.runId.rawValue), ["r-1"])
        XCTAssertEqual(snapshot.lock, handle.info)
        XCTAssertEqual(try store.serial, 2)
    }

    func testDumpHasEveryTextValueAndNoSecret() throws {
        let redactor = Redactor()
        let secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        redactor.register(secretKey)
        redactor.register("FwoGZXIvYXdzEJr//////////session-token")

        let store = try openStore()
        try store.upsert(ResourceRecord(
            address: address("iam_role.writer"), physicalId: "arn:aws:iam::123456789012:role/sbx-writer",
            attributes: ["policy": ["Effect": "Allow", "Action": "s3:PutObject"]], status: .created))
        try store.recordRun(RunRecord(
            runId: try RunID("r-1"), workspace: "alice", s3Prefix: "runs/r-1/", startedAt: clock.now(), testResult: ["suite": "smoke"]))
        try store.recordCleanup(CleanupRecord(runId: try RunID("r-1"), startedAt: clock.now(), outcome: .cleaned, counts: ["objects": 3]))
        try store.setOutputs(["bucket": "sbx-data-1234"])
        let id = try store.journalStart(operation: "IAM:CreateRole", target: "iam_role.writer")
        try store.journalFinish(id: id, outcome: .ok, requestId: "req-123", detail: "created")
        _ = try store.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 60)

        let dump = try store.dumpAllText()
        for expected in [
            "resources.physical_id: arn:aws:iam::123456789012:role/sbx-writer", "s3:PutObject", "runs.s3_prefix: runs/r-1/",
            "\"suite\":\"smoke\"", "cleanups.counts: {\"objects\":3}", "journal.request_id: req-123", "lock.holder: alice",
            "meta.lineage: \(store.lineage)", "outputs.value: \"sbx-data-1234\"",
        ] {
            XCTAssertTrue(dump.contains(expected), "dump lacks \(expected)")
        }
        XCTAssertFalse(redactor.leaks(dump))
    }
}

final class ConcurrentWriterTests: StateTestCase {
    func testTwoStoresWritingAtOnceLoseNoUpdate() throws {
        let path = statePath()
        let stores = [try openStore(path), try openStore(path)]
        try stores[0].recordRun(RunRecord(runId: try RunID("r-1"), workspace: "w", startedAt: clock.now(), testResult: ["count": 0]))
        let perWriter = 40
        let failures = LockedBox<[String]>([])

        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            let store = stores[writer]
            for i in 0..<perWriter {
                do {
                    try store.upsert(ResourceRecord(address: address("s3_bucket.w\(writer)_\(i)"), physicalId: "p", status: .created))
                    try store.updateRun(id: try RunID("r-1")) { run in
                        let count = run.testResult?["count"]?.intValue ?? 0
                        run.testResult = ["count": .number(Double(count + 1))]
                    }
                } catch {
                    failures.mutate { $0.append(error.oneLine) }
                }
            }
        }

        XCTAssertEqual(failures.value, [])
        XCTAssertEqual(try stores[1].resources().count, 2 * perWriter)
        XCTAssertEqual(try stores[0].run(id: try RunID("r-1"))?.testResult?["count"]?.intValue, 2 * perWriter)
        XCTAssertEqual(try stores[0].serial, 1 + 4 * perWriter)
    }
}
