import Foundation
import SandboxCleanup
import SandboxCore
import SandboxReport
import SandboxState
import SandboxTestSupport
import XCTest

/// The cleanup entry point: verdicts, what is recorded in state, the shared-database refusal, and one whole session
/// against moto (sweep, report on disk, records in a real state file).
final class CleanupSessionTests: MotoTestCase {
    static let target = "run-20250301T101500Z"
    var directory: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
        try super.tearDownWithError()
    }

    func store() throws -> StateStore {
        try StateStore.open(path: directory.appendingPathComponent("state.sqlite").path, writerVersion: SandboxVersion.current)
    }

    func inputs(_ scope: RunScope, existing: RunRecord? = nil, workspace: String? = "ci", dryRun: Bool = false,
                secrets: Set<String> = []) -> CleanupSession.Inputs {
        CleanupSession.Inputs(scope: scope, accountId: "123456789012", region: "us-east-1", stackFile: "stack.yaml",
                              stackSHA256: String(repeating: "0", count: 64), workspace: workspace, existing: existing, tests: nil,
                              knownSecrets: secrets, reportDirectory: directory.appendingPathComponent("reports").path, dryRun: dryRun)
    }

    func testVerdictFollowsTheResult() throws {
        var proven = CleanupResult()
        XCTAssertEqual(CleanupVerdict(proven), .done)
        proven.alreadyClean = true
        XCTAssertEqual(CleanupVerdict(proven), .done)

        var left = CleanupResult()
        left.remaining.objects = 3
        XCTAssertEqual(CleanupVerdict(left), .notProven, "data left without an error: exit 1, not an AWS failure")
        left.keyFailures = [try JSONDecoder().decode(KeyFailure.self, from: Data(#"{"key":"k","code":"AccessDenied","message":"no"}"#.utf8))]
        left.remaining.objects = 0
        XCTAssertEqual(CleanupVerdict(left), .notProven)

        var stopped = CleanupResult()
        stopped.error = "SlowDown for 300 s"
        stopped.errorCategory = .aws
        XCTAssertEqual(CleanupVerdict(stopped), .stopped(.aws))
        stopped.errorCategory = nil
        XCTAssertEqual(CleanupVerdict(stopped), .notProven, "an error without a category is a failed cleanup")

        var dry = CleanupResult()
        dry.dryRun = true
        dry.remaining.objects = 9
        XCTAssertEqual(CleanupVerdict(dry), .done, "a dry run proves nothing and fails only on an error")
        dry.error = "listing failed"
        XCTAssertEqual(CleanupVerdict(dry), .stopped(.infrastructure))
        dry.errorCategory = .credentials
        XCTAssertEqual(CleanupVerdict(dry), .stopped(.credentials))
    }

    func testRecorderRecordsANewRunAndItsCleanup() throws {
        let scope = try testScope(Self.target)
        var result = CleanupResult()
        result.objectsDeleted = 12
        result.bytesDeleted = 1_024
        result.requests = 5
        result.databaseDeleted = true
        let report = report(scope, result)
        let started = Date(timeIntervalSince1970: 1_740_000_000)
        let store = try store()
        try CleanupRecorder(scope: scope, result: result, report: report, reportPath: "/r/x.json", workspace: nil,
                            started: started, finished: started.addingTimeInterval(3)).record(in: store)
        let run = try XCTUnwrap(try store.run(id: scope.runId))
        XCTAssertEqual(run.status, .cleaned)
        XCTAssertEqual(run.workspace, "unknown", "no workspace named and none recorded")
        XCTAssertEqual(run.s3Prefix, scope.prefix)
        XCTAssertEqual(run.glueDatabase, scope.database)
        XCTAssertEqual(run.startedAt, RunIdentifier.timestamp(in: Self.target), "the time in the id, not the cleanup's start")
        XCTAssertEqual(run.reportPath, "/r/x.json")
        let cleanups = try store.cleanups(run: scope.runId)
        XCTAssertEqual(cleanups.count, 1)
        XCTAssertEqual(cleanups.first?.outcome, .cleaned)
        XCTAssertEqual(cleanups.first?.counts["objects"], 12)
        XCTAssertEqual(cleanups.first?.counts["bytes"], 1_024)
        XCTAssertEqual(cleanups.first?.counts["database"], 1)
        XCTAssertEqual(cleanups.first?.counts["remaining_objects"], 0)
        XCTAssertEqual(cleanups.first?.startedAt, started)
    }

    func testRecorderUpdatesARecordedRunAndKeepsItsWorkspace() throws {
        let scope = try testScope(Self.target)
        let store = try store()
        let opened = Date(timeIntervalSince1970: 1_740_000_000)
        try store.recordRun(RunRecord(runId: scope.runId, workspace: "job-7", s3Prefix: scope.prefix, glueDatabase: scope.database,
                                      startedAt: opened, testResult: .object(["count": .number(4)])))
        var failed = CleanupResult()
        failed.remaining.objects = 2
        try CleanupRecorder(scope: scope, result: failed, report: report(scope, failed), reportPath: "/r/1.json", workspace: "other",
                            started: opened, finished: opened).record(in: store)
        var again = CleanupResult()
        again.alreadyClean = true
        try CleanupRecorder(scope: scope, result: again, report: report(scope, again), reportPath: "/r/2.json", workspace: nil,
                            started: opened, finished: opened).record(in: store)
        let run = try XCTUnwrap(try store.run(id: scope.runId))
        XCTAssertEqual(run.workspace, "job-7")
        XCTAssertEqual(run.startedAt, opened)
        XCTAssertEqual(run.status, .cleaned)
        XCTAssertEqual(run.reportPath, "/r/2.json")
        XCTAssertEqual(run.testResult?["count"]?.intValue, 4, "no JUnit given: the recorded test result stays")
        XCTAssertEqual(try store.cleanups(run: scope.runId).map(\.outcome), [.failed, .alreadyClean])
    }

    func testSharedDatabaseIsRefusedWhileTheOtherRunIsNotCleaned() throws {
        // run-...Z and a case variant allowed by a loose pattern name one database.
        let scope = try RunScope(runId: RunID("Run-A", matching: ".+"), bucket: testBucket, root: testRoot, gluePrefix: testGluePrefix)
        let twin = try RunID("run_a", matching: ".+")
        var other = RunRecord(runId: twin, workspace: "w", glueDatabase: scope.database, startedAt: Date())
        XCTAssertThrowsError(try CleanupRecorder.refuseSharedDatabase(scope, recorded: [other])) { error in
            XCTAssertEqual(error.failureCategory, .usage)
            XCTAssertEqual(error.oneLine, "run Run-A and run run_a (recorded in state, open) share Glue database sbx_run_a: nothing was deleted; clean run_a first, or use run ids that differ in more than case and '-' versus '_'")
        }
        other.status = .cleaned
        XCTAssertNoThrow(try CleanupRecorder.refuseSharedDatabase(scope, recorded: [other]))
        let itself = RunRecord(runId: scope.runId, workspace: "w", glueDatabase: scope.database, startedAt: Date())
        XCTAssertNoThrow(try CleanupRecorder.refuseSharedDatabase(scope, recorded: [itself]))
    }

    func testASessionCleansWritesTheReportAndRecords() async throws {
        let prefix = "runs/\(Self.target)/"
        var seed = Seed()
        for n in 0..<25 { seed.add(prefix + "t/part-\(n).parquet") }
        seed.add("runs/\(Self.target)-2/keep.txt")
        seed.databases = ["sbx_run_20250301t101500z": ["t1"]]
        _ = try Witness.seed(seed, endpoint: endpoint)
        let scope = try testScope(Self.target)
        let store = try store()
        let clock = FixedClock(Date(timeIntervalSince1970: 1_741_000_000))

        let dry = try await CleanupSession(inputs(scope, dryRun: true), engine: makeEngine(scope, endpoint: endpoint), clock: clock)
            .run(updateState: { change in try change(store) })
        XCTAssertEqual(dry.verdict, .done)
        XCTAssertEqual(dry.result.before?.objects, 25)
        XCTAssertNil(dry.problem)
        XCTAssertNil(try store.run(id: scope.runId), "a dry run records nothing")

        let done = try await CleanupSession(inputs(scope), engine: makeEngine(scope, endpoint: endpoint), clock: clock)
            .run(updateState: { change in try change(store) })
        XCTAssertEqual(done.verdict, .done)
        XCTAssertNil(done.problem)
        XCTAssertEqual(done.result.objectsDeleted, 25)
        XCTAssertTrue(done.result.databaseDeleted)
        XCTAssertEqual(done.report.runId, scope.runId)
        XCTAssertEqual(done.report.workspace, "ci")
        let json = try ValidationReport.decode(try String(contentsOfFile: done.written.jsonPath, encoding: .utf8))
        XCTAssertEqual(json.runId, scope.runId, "the report on disk is the one returned")
        XCTAssertEqual(json.cleanup.objectsDeleted, 25)
        XCTAssertTrue(FileManager.default.fileExists(atPath: done.written.markdownPath))
        XCTAssertEqual(try store.run(id: scope.runId)?.status, .cleaned)
        XCTAssertEqual(try store.run(id: scope.runId)?.reportPath, done.written.jsonPath)
        XCTAssertEqual(try store.cleanups(run: scope.runId).map(\.outcome), [.cleaned])
        let after = try Witness.snapshot(endpoint: endpoint, versioned: false)
        XCTAssertEqual(after.entries.map(\.key), ["runs/\(Self.target)-2/keep.txt"], "only the neighbour is left")
    }

    func testASecretInTheInputsStopsTheSessionBeforeAnything() async throws {
        var seed = Seed()
        seed.add("runs/\(Self.target)/a.txt")
        _ = try Witness.seed(seed, endpoint: endpoint)
        let scope = try testScope(Self.target)
        let store = try store()
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY1"
        do {
            _ = try await CleanupSession(inputs(scope, workspace: "ws-\(secret)", secrets: [secret]), engine: makeEngine(scope, endpoint: endpoint),
                                         clock: FixedClock()).run(updateState: { change in try change(store) })
            XCTFail("a workspace holding a credential was accepted")
        } catch {
            XCTAssertEqual(error.failureCategory, .usage)
            XCTAssertTrue(error.oneLine.contains("nothing was written and nothing deleted"), error.oneLine)
        }
        XCTAssertEqual(try Witness.snapshot(endpoint: endpoint, versioned: false).entries.map(\.key), ["runs/\(Self.target)/a.txt"])
        XCTAssertNil(try store.run(id: scope.runId))
    }

    func report(_ scope: RunScope, _ result: CleanupResult) -> ValidationReport {
        ReportBuilder(scope: scope, accountId: "123456789012", region: "us-east-1", sandboxVersion: "0.1.0", stackFile: "stack.yaml",
                      stackSHA256: String(repeating: "0", count: 64))
            .report(result: result, workspace: "ci", startedAt: nil, finishedAt: Date(timeIntervalSince1970: 1_740_000_000), tests: nil)
    }
}
