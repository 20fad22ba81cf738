import Foundation
import SandboxTestSupport
import XCTest

/// Two writers on one state, two cleanups side by side, and a cleanup racing a test that is still writing.
final class ConcurrencyTests: XCTestCase {
    var rig: ReliabilityRig!

    override func setUpWithError() throws {
        rig = try ReliabilityRig()
    }

    override func tearDownWithError() throws {
        rig?.remove()
    }

    /// Runs `body` on another thread; the returned closure waits for its result.
    func background(_ body: @escaping @Sendable () throws -> CommandRunner.Result) -> () -> CommandRunner.Result? {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: CommandRunner.Result?
        DispatchQueue.global().async {
            result = try? body()
            done.signal()
        }
        return {
            _ = done.wait(timeout: .now() + 180)
            return result
        }
    }

    func testSecondApplyFailsAtOnceNamingTheHolderOrWaitsForIt() throws {
        // The first apply holds the lock while the proxy holds its 3rd request (a planning read, after STS and the lock).
        try rig.proxy.configure(holdAt: 3, holdAfterForwarding: false)
        let patient = rig.patient
        let first = background { try patient.run(["apply", "--auto-approve"]) }
        var holding = false
        for _ in 0..<600 where !holding {
            holding = try rig.proxy.stats().held
            if !holding { Thread.sleep(forTimeInterval: 0.05) }
        }
        XCTAssertTrue(holding, "the first apply never reached its 3rd request")

        let started = Date()
        let second = try rig.direct.run(["apply", "--auto-approve"])
        XCTAssertEqual(second.status, 5, second.output)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "fails at once without --lock-timeout")
        XCTAssertTrue(second.stderr.contains("is locked by"), second.stderr)
        XCTAssertTrue(second.stderr.contains("operation \"apply\""), "names the holder's operation: \(second.stderr)")
        XCTAssertTrue(second.stderr.range(of: #"\(pid [0-9]+ on "#, options: .regularExpression) != nil, "names the holder's pid: \(second.stderr)")
        XCTAssertTrue(try rig.snapshot().records.isEmpty, "the refused apply changed nothing")

        // With --lock-timeout the third waits, and goes once the first finishes.
        let direct = rig.direct
        let third = background { try direct.run(["apply", "--auto-approve", "--lock-timeout", "60"]) }
        Thread.sleep(forTimeInterval: 1)
        try rig.proxy.release()  // the held request is dropped; the first apply retries it and carries on
        let firstResult = try XCTUnwrap(first())
        XCTAssertEqual(firstResult.status, 0, firstResult.output)
        XCTAssertTrue(firstResult.stdout.contains("8 applied"), firstResult.stdout)
        let thirdResult = try XCTUnwrap(third())
        XCTAssertEqual(thirdResult.status, 0, thirdResult.output)
        XCTAssertTrue(thirdResult.stdout.contains("0 applied, 8 unchanged"), "the waiter planned after the first finished:\n\(thirdResult.stdout)")
        try rig.assertStateTellsTheTruth(rig.snapshot(), applySucceeded: true, "after both applies")
    }

    func testCleanupsOfDifferentRunsRunSideBySide() throws {
        try rig.must(["apply", "--auto-approve"])
        let junit = try rig.passingJUnit()
        let (a, b, c) = (ReliabilityRig.runId(11), ReliabilityRig.runId(22), ReliabilityRig.runId(33))
        try rig.seedRun(a, objects: 1_100, tables: 4)
        try rig.seedRun(b, objects: 1_100, tables: 4)
        try rig.seedRun(c, objects: 9, tables: 2)
        let direct = rig.direct
        let first = background { try direct.run(["cleanup", "--run", a, "--json", "--junit", junit]) }
        let second = background { try direct.run(["cleanup", "--run", b, "--json", "--junit", junit]) }
        for (runId, result) in [(a, first()), (b, second())] {
            let result = try XCTUnwrap(result)
            XCTAssertEqual(result.status, 0, "\(runId): \(result.output)")
            let report = try XCTUnwrap(ReliabilityRig.report(result), result.output)
            XCTAssertEqual(report["status"] as? String, "PASS", "\(runId)")
            XCTAssertEqual((report["cleanup"] as? [String: Any])?["objectsDeleted"] as? Int, 1_100, "\(runId)")
            let left = try rig.remains(runId)
            XCTAssertTrue(left.keys == 0 && !left.database, "\(runId): \(left)")
        }
        let other = try rig.remains(c)
        XCTAssertEqual(other.keys, 9, "the third run's data is intact")
        XCTAssertTrue(other.database)
        let runs = try rig.snapshot().runs
        XCTAssertEqual(runs[a], "cleaned")
        XCTAssertEqual(runs[b], "cleaned")
    }

    /// S3 lists "runs/ID/\u{301}x" under "runs/ID/"; cleanup used to refuse it (a character-wise prefix test) and
    /// its verification skipped it too, so it reported PASS with the object still there.
    func testCleanupRemovesKeysThatStartWithACombiningMark() throws {
        try rig.must(["apply", "--auto-approve"])
        let runId = ReliabilityRig.runId(808)
        try rig.seedRun(runId, objects: 3, tables: 1, extraKeys: ["runs/\(runId)/\u{301}accent", "runs/\(runId)/\u{20DD}x/part-0"])
        XCTAssertEqual(try rig.remains(runId).keys, 5)
        let result = try rig.must(["cleanup", "--run", runId, "--json", "--junit", try rig.passingJUnit()])
        let report = try XCTUnwrap(ReliabilityRig.report(result), result.output)
        XCTAssertEqual(report["status"] as? String, "PASS", result.output)
        XCTAssertEqual((report["cleanup"] as? [String: Any])?["objectsDeleted"] as? Int, 5, result.output)
        XCTAssertEqual(try rig.remains(runId), ReliabilityRig.Remains(keys: 0, database: false, status: "cleaned"))
    }

    func testCleanupRacingAWriterTellsTheTruthAboutWhatRemains() throws {
        try rig.must(["apply", "--auto-approve"])
        let junit = try rig.passingJUnit()
        let runId = ReliabilityRig.runId(555)
        try rig.seedRun(runId, objects: 50)
        let stop = rig.path("stop-writer")
        let counter = rig.path("writer-count")
        // A test still writing under the run's prefix, until told to stop (or 60 s at most).
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        writer.arguments = ["python3", "-c", #"""
            import boto3, os, sys, time
            s3 = boto3.client("s3")
            bucket, run, stop, counter = sys.argv[1:5]
            deadline, i = time.time() + 60, 0
            while not os.path.exists(stop) and time.time() < deadline:
                s3.put_object(Bucket=bucket, Key=f"runs/{run}/late/part-{i:06d}", Body=b"z")
                i += 1
                with open(counter + ".tmp", "w") as f:
                    f.write(str(i))
                os.replace(counter + ".tmp", counter)  # atomic: a reader never sees a half-written count
            """#, ReliabilityRig.bucket, runId, stop, counter]
        writer.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "testing",
                              "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
                              "AWS_ENDPOINT_URL": rig.moto.endpoint.absoluteString, "HOME": rig.directory.path]
        try writer.run()
        addTeardownBlock { if writer.isRunning { kill(writer.processIdentifier, SIGKILL) } }
        func written() -> Int { Int((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "0") ?? 0 }
        let deadline = Date().addingTimeInterval(30)
        while written() < 20, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertGreaterThanOrEqual(written(), 20, "the writer is running")

        let before = written()
        let racing = try rig.direct.run(["cleanup", "--run", runId, "--json", "--junit", junit])
        let during = written() - before
        _ = FileManager.default.createFile(atPath: stop, contents: Data())
        writer.waitUntilExit()
        XCTAssertGreaterThan(during, 0, "the writer kept writing during the cleanup")
        let report = try XCTUnwrap(ReliabilityRig.report(racing), racing.output)
        let cleanup = report["cleanup"] as? [String: Any] ?? [:]
        let reportedRemaining = cleanup["objectsRemaining"] as? Int ?? -1
        let nowRemaining = try rig.remains(runId).keys
        // The report's count was true when it was taken: the writer only adds, so now there are at least as many.
        XCTAssertGreaterThanOrEqual(nowRemaining, reportedRemaining, "\(cleanup)")
        if reportedRemaining > 0 {
            XCTAssertEqual(racing.status, 1, racing.output)
            XCTAssertNotEqual(report["status"] as? String, "PASS")
            XCTAssertTrue((cleanup["sentence"] as? String ?? "").contains("NOT fully removed"), "\(cleanup)")
        } else {
            XCTAssertEqual(racing.status, 0, racing.output)
            XCTAssertEqual(report["status"] as? String, "PASS")
        }
        XCTAssertEqual(try rig.snapshot().runs[runId], racing.status == 0 ? "cleaned" : "cleanup-failed")

        // The writer has stopped: now cleanup proves the prefix empty.
        let settled = try rig.must(["cleanup", "--run", runId, "--json", "--junit", junit])
        let final = try XCTUnwrap(ReliabilityRig.report(settled))
        XCTAssertEqual(final["status"] as? String, "PASS")
        XCTAssertEqual((final["cleanup"] as? [String: Any])?["objectsRemaining"] as? Int, 0)
        XCTAssertEqual(try rig.remains(runId).keys, 0)
        print("ConcurrencyTests: the writer added \(during) objects during the racing cleanup; it reported \(reportedRemaining) remaining")
    }
}
