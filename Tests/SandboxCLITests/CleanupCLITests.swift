import Foundation
import SandboxTestSupport
import XCTest

/// `sandbox run`, `cleanup` and `report` through the built binary, with sentinel credentials, against moto;
/// boto3 seeds the runs and witnesses what is left.
final class CleanupCLITests: XCTestCase {
    /// One request-counting server for this class, reset before each test.
    nonisolated(unsafe) static var server: MotoServer?

    var server: MotoServer!
    var directory: URL!
    var runner: CommandRunner!
    var bucket = ""
    /// Everything the binary printed in this test, checked for the sentinel credentials at the end.
    var printed = ""

    static let pattern = "^floe-provider-[0-9]{8}T[0-9]{6}Z$"

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard MotoServer.isAvailable else { throw XCTSkip("moto is not installed (python3 -m pip install 'moto[server]')") }
        guard FileManager.default.isExecutableFile(atPath: CommandRunner.binary.path) else {
            throw XCTSkip("no sandbox binary at \(CommandRunner.binary.path); run swift build first")
        }
        if Self.server == nil { Self.server = try MotoServer.start(countRequests: true) }
        server = Self.server
        try server.reset()
        directory = try CommandRunner.temporaryDirectory()
        runner = CommandRunner(endpoint: server.endpoint, directory: directory,
                               extraEnvironment: ["SANDBOX_VAR_owner": "cli-tests", "SANDBOX_VAR_budget_email": "alerts@example.com"])
        try runner.installReferenceStack()
        printed = ""
        try sandbox(["apply", "--auto-approve"], expect: 0)
        bucket = try sandbox(["output", "FLOE_AWS_TEST_BUCKET"], expect: 0).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(bucket, "floe-provider-tests-123456789012-us-east-1")
    }

    override func tearDownWithError() throws {
        if let directory {
            XCTAssertNoLeak(printed, "output")
            XCTAssertNoLeak(try filesText(under: directory), "files under the work directory (state, reports)")
            try? FileManager.default.removeItem(at: directory)
        }
        try super.tearDownWithError()
    }

    // MARK: Helpers

    @discardableResult
    func sandbox(_ arguments: [String], expect status: Int32? = nil, environment: [String: String?] = [:], in other: CommandRunner? = nil,
                 file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try (other ?? runner).run(arguments, environment: environment)
        printed += result.stdout + result.stderr
        if let status {
            XCTAssertEqual(result.status, status, "sandbox \(arguments.joined(separator: " ")):\n\(result.output)", file: file, line: line)
        }
        return result
    }

    func XCTAssertNoLeak(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(text.contains(CommandRunner.secretAccessKey), "\(what) contain the sentinel secret key", file: file, line: line)
        XCTAssertFalse(text.contains(CommandRunner.sessionToken), "\(what) contain the sentinel session token", file: file, line: line)
    }

    /// Every file under `url` as text (SQLite pages included), for leak checks.
    func filesText(under url: URL) throws -> String {
        var text = ""
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return text }
        for case let file as URL in walker {
            if let data = try? Data(contentsOf: file) { text += String(decoding: data, as: UTF8.self) }
        }
        return text
    }

    func json(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text, file: file, line: line)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func database(_ runId: String) -> String { "floe_provider_" + runId.lowercased().replacingOccurrences(of: "-", with: "_") }

    /// Objects under `runs/ID/`, and a Glue database with tables, for each run; plus `extraKeys`.
    func seed(runs: [String: Int], tables: Int = 3, extraKeys: [String] = [], databasesOnly: [String] = []) throws {
        let spec: [String: Any] = ["bucket": bucket, "runs": runs, "tables": tables, "extra": extraKeys, "dbs": databasesOnly]
        let file = try write("seed-\(UUID().uuidString).json", String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self))
        try Boto.run(#"""
from concurrent.futures import ThreadPoolExecutor
spec = json.load(open(sys.argv[1]))
s3, glue = boto3.client("s3"), boto3.client("glue")
keys = [(f"runs/{run}/table_{i % 3}/part-{i:05d}.parquet") for run, n in spec["runs"].items() for i in range(n)] + spec["extra"]
with ThreadPoolExecutor(8) as pool:
    list(pool.map(lambda k: s3.put_object(Bucket=spec["bucket"], Key=k, Body=k.encode()), keys))
for run in spec["runs"]:
    db = "floe_provider_" + run.lower().replace("-", "_")
    glue.create_database(DatabaseInput={"Name": db})
    for t in range(spec["tables"]):
        glue.create_table(DatabaseName=db, TableInput={"Name": f"table_{t}"})
for db in spec["dbs"]:
    glue.create_database(DatabaseInput={"Name": db})
"""#, endpoint: server.endpoint, arguments: [file])
        try FileManager.default.removeItem(atPath: file)
    }

    /// Keys (with ETags) in the bucket and Glue databases, as boto3 sees them.
    func inventory() throws -> (keys: [String: String], databases: Set<String>) {
        let out = try Boto.run(#"""
s3, glue = boto3.client("s3"), boto3.client("glue")
keys = {o["Key"]: o["ETag"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=sys.argv[1]) for o in p.get("Contents", [])}
dbs = [d["Name"] for p in glue.get_paginator("get_databases").paginate() for d in p["DatabaseList"]]
print(json.dumps({"keys": keys, "dbs": dbs}))
"""#, endpoint: server.endpoint, arguments: [bucket])
        let object = try json(out)
        return (object["keys"] as? [String: String] ?? [:], Set(object["dbs"] as? [String] ?? []))
    }

    func reports(for runId: String) throws -> [String] {
        let dir = directory.appendingPathComponent("State/reports")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix(runId + "-") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }

    func runList() throws -> [[String: Any]] {
        let out = try sandbox(["run", "list", "--json"], expect: 0).stdout
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
    }

    func sha256(ofFile path: String) throws -> String {
        try Boto.run("import hashlib\nprint(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())", endpoint: server.endpoint,
                     arguments: [path]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: run new / run list

    func testRunNewPrintsExportsThatEvalInShAndRecordsTheRun() throws {
        let out = try sandbox(["run", "new", "--workspace", "team ws's #1"], expect: 0).stdout
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, out)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("export ") }, out)

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", #"eval "$1" && printf '%s\n%s\n%s\n' "$FLOE_PROVIDER_SPIKE_RUN" "$FLOE_AWS_RUN_PREFIX" "$FLOE_AWS_GLUE_DATABASE""#, "sh", out]
        shell.environment = ["PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        shell.standardOutput = pipe
        try shell.run()
        let evaluated = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n").map(String.init)
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)
        XCTAssertEqual(evaluated.count, 3, "\(evaluated)")
        let runId = try XCTUnwrap(evaluated.first)
        XCTAssertNotNil(runId.range(of: Self.pattern, options: .regularExpression), runId)
        XCTAssertEqual(evaluated.dropFirst().map { $0 }, ["runs/\(runId)/", Self.database(runId)])

        let runs = try runList()
        XCTAssertEqual(runs.count, 1)
        let record = try XCTUnwrap(runs.first)
        XCTAssertEqual(record["runId"] as? String, runId)
        XCTAssertEqual(record["workspace"] as? String, "team ws's #1")
        XCTAssertEqual(record["status"] as? String, "open")
        XCTAssertEqual(record["s3Prefix"] as? String, "runs/\(runId)/")
        XCTAssertEqual(record["glueDatabase"] as? String, Self.database(runId))
        let started = try XCTUnwrap(ISO8601DateFormatter().date(from: try XCTUnwrap(record["startedAt"] as? String)))
        XCTAssertLessThan(abs(started.timeIntervalSinceNow), 120)

        let text = try sandbox(["run", "list"], expect: 0).stdout
        XCTAssertTrue(text.contains(runId) && text.contains("open"), text)
    }

    // MARK: cleanup --run, end to end

    func testCleanupEndToEndWithJUnitReportsAndStepSummary() throws {
        let runId = try XCTUnwrap(try sandbox(["run", "new", "--workspace", "ci-main"], expect: 0).stdout
            .split(separator: "\n").first?.split(separator: "=").last.map(String.init))
        let neighbour = "runs/\(runId)x/keep.parquet"
        try seed(runs: [runId: 120], tables: 4, extraKeys: [neighbour, "runs/\(runId)", "keep.txt"])
        let before = try inventory()

        let pass = try write("pass.xml", #"<testsuite><testcase classname="p" name="ok1"/><testcase classname="p" name="ok2"/><testcase classname="p" name="skip"><skipped/></testcase></testsuite>"#)
        let fail = try write("fail.xml", #"<testsuites><testsuite><testcase classname="tests.test_s3" name="test_get"><failure message="x"/></testcase><testcase classname="tests.test_glue" name="test_db"><error/></testcase><testcase classname="t" name="fine"/></testsuite></testsuites>"#)
        let missing = directory.appendingPathComponent("never-written.xml").path
        let malformed = try write("cut.xml", "<testsuites><testsuite><testcase classname='a' name='b'>")
        let summary = directory.appendingPathComponent("step-summary.md").path  // does not exist yet: GitHub creates it, we must too
        let started = Date()
        let result = try sandbox(["cleanup", "--run", runId, "--junit", pass, "--junit", fail, "--junit", missing, "--junit", malformed],
                                 environment: ["GITHUB_STEP_SUMMARY": summary])
        let finished = Date()
        XCTAssertEqual(result.status, 0, "cleanup proved the run gone: exit 0 whatever the tests said\n\(result.output)")

        // boto3: the run's keys and database are gone, everything else is as it was.
        let after = try inventory()
        XCTAssertEqual(after.keys, before.keys.filter { !$0.key.hasPrefix("runs/\(runId)/") })
        XCTAssertEqual(after.keys.count, 3)
        XCTAssertEqual(after.databases, before.databases.subtracting([Self.database(runId)]))

        let files = try reports(for: runId)
        XCTAssertEqual(files.map { URL(fileURLWithPath: $0).pathExtension }, ["json", "md"], "\(files)")
        let jsonText = try String(contentsOfFile: files[0], encoding: .utf8)
        let markdown = try String(contentsOfFile: files[1], encoding: .utf8)
        let report = try json(jsonText)
        XCTAssertEqual(report["runId"] as? String, runId)
        XCTAssertEqual(report["workspace"] as? String, "ci-main")
        XCTAssertEqual(report["accountId"] as? String, "123456789012")
        XCTAssertEqual(report["region"] as? String, "us-east-1")
        XCTAssertEqual(report["bucket"] as? String, bucket)
        XCTAssertEqual(report["s3TestPrefix"] as? String, "runs/")
        XCTAssertEqual(report["s3RunPrefix"] as? String, "runs/\(runId)/")
        XCTAssertEqual(report["glueDatabasePrefix"] as? String, "floe_provider_")
        XCTAssertEqual(report["glueDatabase"] as? String, Self.database(runId))
        XCTAssertEqual(report["sandboxVersion"] as? String, try sandbox(["--version"], expect: 0).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(report["stackFile"] as? String, "Stacks/aws-provider-tests.yaml")
        XCTAssertEqual(report["stackSHA256"] as? String, try sha256(ofFile: directory.appendingPathComponent("Stacks/aws-provider-tests.yaml").path))
        let iso = ISO8601DateFormatter()
        let startedAt = try XCTUnwrap(iso.date(from: try XCTUnwrap(report["startedAt"] as? String)))
        let finishedAt = try XCTUnwrap(iso.date(from: try XCTUnwrap(report["finishedAt"] as? String)))
        let idTime = try XCTUnwrap(iso.date(from: String(runId.suffix(16)).replacingOccurrences(
            of: #"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$"#, with: "$1-$2-$3T$4:$5:$6Z", options: .regularExpression)))
        XCTAssertLessThanOrEqual(abs(startedAt.timeIntervalSince(idTime)), 1, "started is when run new minted the id")
        XCTAssertTrue(finishedAt >= started.addingTimeInterval(-1) && finishedAt <= finished.addingTimeInterval(1), "\(finishedAt)")

        let tests = try XCTUnwrap(report["tests"] as? [[String: Any]])
        XCTAssertEqual(tests.map { $0["file"] as? String }, [pass, fail, missing, malformed])
        XCTAssertEqual(tests.map { $0["status"] as? String }, ["parsed", "parsed", "never ran", "malformed"])
        XCTAssertEqual(tests.map { $0["tests"] as? Int }, [3, 3, 0, 0])
        XCTAssertEqual(tests.map { $0["failures"] as? Int }, [0, 1, 0, 0])
        XCTAssertEqual(tests.map { $0["errors"] as? Int }, [0, 1, 0, 0])
        XCTAssertEqual(tests.map { $0["skipped"] as? Int }, [1, 0, 0, 0])
        XCTAssertEqual(tests[1]["failing"] as? [String], ["tests.test_s3::test_get", "tests.test_glue::test_db"])

        let cleanup = try XCTUnwrap(report["cleanup"] as? [String: Any])
        XCTAssertEqual(cleanup["objectsDeleted"] as? Int, 120)
        XCTAssertEqual(cleanup["tablesDeleted"] as? Int, 4)
        XCTAssertEqual(cleanup["databaseDeleted"] as? Bool, true)
        XCTAssertEqual(cleanup["uploadsAborted"] as? Int, 0)
        XCTAssertEqual(cleanup["objectsRemaining"] as? Int, 0)
        XCTAssertEqual(cleanup["uploadsRemaining"] as? Int, 0)
        XCTAssertEqual(cleanup["databasePresent"] as? Bool, false)
        XCTAssertEqual(cleanup["remainingSample"] as? [String], [])
        XCTAssertEqual(cleanup["dryRun"] as? Bool, false)
        XCTAssertEqual(cleanup["alreadyClean"] as? Bool, false)
        XCTAssertGreaterThan(cleanup["bytesDeleted"] as? Int ?? 0, 0)
        XCTAssertGreaterThan(cleanup["requests"] as? Int ?? 0, 0)
        XCTAssertNil(cleanup["error"])
        let sentence = "The current run's S3 prefix s3://\(bucket)/runs/\(runId)/ was removed and its Glue database \(Self.database(runId)) was removed."
        XCTAssertEqual(cleanup["sentence"] as? String, sentence)
        XCTAssertEqual(report["status"] as? String, "FAIL")
        XCTAssertEqual(report["classifications"] as? [String], ["product", "credential/setup", "credential/setup"])
        XCTAssertEqual((report["reasons"] as? [String])?.first, "2 test(s) failed or errored")

        XCTAssertTrue(markdown.hasPrefix("# Provider test run \(runId): FAIL\n\n\(sentence)\n"), markdown)
        XCTAssertTrue(markdown.contains("| Stack | Stacks/aws-provider-tests.yaml (sha256 \(report["stackSHA256"] as? String ?? "?")) |"), markdown)
        XCTAssertTrue(result.stdout.contains(sentence), result.stdout)
        XCTAssertTrue(result.stdout.contains("Status: FAIL (product, credential/setup, credential/setup)"), result.stdout)
        XCTAssertEqual(try String(contentsOfFile: summary, encoding: .utf8), markdown + "\n", "GITHUB_STEP_SUMMARY gets the Markdown")

        // State: the run is cleaned and points at the report by an absolute path.
        let record = try XCTUnwrap(try runList().first { $0["runId"] as? String == runId })
        XCTAssertEqual(record["status"] as? String, "cleaned")
        XCTAssertEqual(record["reportPath"] as? String, files[0])

        // report re-renders exactly what was written, and appends Markdown to the step summary.
        XCTAssertEqual(try sandbox(["report", "--run", runId, "--format", "json"], expect: 0).stdout, jsonText + "\n")
        XCTAssertEqual(try sandbox(["report", "--run", runId, "--format", "md"], expect: 0, environment: ["GITHUB_STEP_SUMMARY": summary]).stdout,
                       markdown + "\n")
        XCTAssertEqual(try String(contentsOfFile: summary, encoding: .utf8), markdown + "\n" + markdown + "\n")
        XCTAssertEqual(try sandbox(["report", "--run", runId], expect: 0).stdout, markdown + "\n", "md is the default")

        // ... from another directory too, given the same state.
        let elsewhere = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let other = CommandRunner(endpoint: server.endpoint, directory: elsewhere)
        let state = directory.appendingPathComponent("State/aws-provider-tests.sqlite").path
        let stack = directory.appendingPathComponent("Stacks/aws-provider-tests.yaml").path
        XCTAssertEqual(try sandbox(["report", "--run", runId, "--format", "json", "--state", state, "--stack", stack], expect: 0, in: other).stdout,
                       jsonText + "\n")

        let unknown = try sandbox(["report", "--run", "floe-provider-20200101T000000Z"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("is not recorded"), unknown.stderr)
    }

    func testStatusPassConcernsAndAlreadyClean() throws {
        let passing = "floe-provider-20250101T000001Z", untested = "floe-provider-20250101T000002Z"
        try seed(runs: [passing: 5, untested: 5], tables: 1)
        let junit = try write("ok.xml", #"<testsuite><testcase classname="a" name="b"/></testsuite>"#)

        let first = try sandbox(["cleanup", "--run", passing, "--junit", junit, "--json"], expect: 0)
        let report = try json(first.stdout)
        XCTAssertEqual(report["status"] as? String, "PASS")
        XCTAssertEqual(report["classifications"] as? [String], ["pass"])
        XCTAssertEqual(report["reasons"] as? [String], [])
        XCTAssertNil(report["workspace"], "an unrecorded run has no workspace")

        let second = try json(try sandbox(["cleanup", "--run", untested, "--json", "--workspace", "nightly"], expect: 0).stdout)
        XCTAssertEqual(second["status"] as? String, "DONE_WITH_CONCERNS")
        XCTAssertEqual(second["workspace"] as? String, "nightly")
        XCTAssertEqual(second["reasons"] as? [String], ["no test result was provided (--junit)"])

        // A dry run deletes nothing, reports what would go, and records nothing.
        let dryRunId = "floe-provider-20250101T000009Z"
        try seed(runs: [dryRunId: 7], tables: 2)
        let dry = try json(try sandbox(["cleanup", "--run", dryRunId, "--dry-run", "--json"], expect: 0).stdout)
        let dryCleanup = try XCTUnwrap(dry["cleanup"] as? [String: Any])
        XCTAssertEqual(dryCleanup["dryRun"] as? Bool, true)
        XCTAssertEqual(dryCleanup["objectsRemaining"] as? Int, 7)
        XCTAssertEqual(dryCleanup["databasePresent"] as? Bool, true)
        XCTAssertEqual(dryCleanup["objectsDeleted"] as? Int, 0)
        XCTAssertEqual((dryCleanup["remainingSample"] as? [String])?.count, 7)
        XCTAssertEqual(dry["status"] as? String, "DONE_WITH_CONCERNS")
        XCTAssertEqual(try inventory().keys.filter { $0.key.hasPrefix("runs/\(dryRunId)/") }.count, 7)

        let again = try sandbox(["cleanup", "--run", passing, "--junit", junit], expect: 0)
        XCTAssertTrue(again.stdout.contains("Run \(passing) is already clean."), again.stdout)
        XCTAssertEqual(try reports(for: passing).count, 4, "each cleanup writes its own report")
        let records = try runList()
        XCTAssertEqual(Set(records.compactMap { $0["runId"] as? String }), [passing, untested])
        XCTAssertTrue(records.allSatisfy { $0["status"] as? String == "cleaned" })
    }

    func testCleanupThatCannotListFailsWithExitFourAndSaysWhatIsUnknown() throws {
        let runId = "floe-provider-20250105T000000Z"
        try seed(runs: [:], databasesOnly: [Self.database(runId)])
        // The bucket disappears behind sandbox's back: nothing can be listed or proven.
        try Boto.run(#"""
s3 = boto3.client("s3")
s3.delete_bucket(Bucket=sys.argv[1])
"""#, endpoint: server.endpoint, arguments: [bucket])

        let dry = try sandbox(["cleanup", "--run", runId, "--dry-run"])
        XCTAssertEqual(dry.status, 4, dry.output)
        XCTAssertFalse(dry.stdout.contains("Cleaned run"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("Cleanup of run \(runId) stopped early (dry run: nothing deleted)"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("could NOT be listed"), dry.stdout)
        XCTAssertFalse(dry.stdout.contains("0 object(s), 0 version(s), 0 upload(s) under"), "a dry run that could not list must not claim zero")

        let text = try sandbox(["cleanup", "--run", runId])
        XCTAssertEqual(text.status, 4, text.output)
        XCTAssertFalse(text.stdout.contains("Cleaned run"), text.stdout)
        XCTAssertTrue(text.stdout.contains("Cleanup of run \(runId) stopped early"), text.stdout)

        let result = try sandbox(["cleanup", "--run", runId, "--json"])
        XCTAssertEqual(result.status, 4, result.output)
        let report = try json(result.stdout)
        let cleanup = try XCTUnwrap(report["cleanup"] as? [String: Any])
        XCTAssertEqual(report["status"] as? String, "FAIL")
        XCTAssertEqual(report["classifications"] as? [String], ["infrastructure", "cleanup"])
        XCTAssertEqual(cleanup["remainingUnknown"] as? Bool, true)
        XCTAssertTrue((cleanup["error"] as? String)?.contains("NoSuchBucket") ?? false, "\(cleanup)")
        XCTAssertTrue((report["reasons"] as? [String] ?? []).contains("run data may remain after cleanup: what is left could not be listed"))
        XCTAssertTrue((cleanup["sentence"] as? String ?? "").hasPrefix("It could NOT be verified what remains"), "\(cleanup)")
        let record = try XCTUnwrap(try runList().first { $0["runId"] as? String == runId })
        XCTAssertEqual(record["status"] as? String, "cleanup-failed")
        XCTAssertEqual(try reports(for: runId).count, 6, "every attempt leaves its evidence")
    }

    // MARK: refusals

    func testInvalidRunIdExitsTwoBeforeAnyAWSRequest() throws {
        try server.resetRequestCount()
        for bad in ["", "*", "../x", "runs", "a/b", "floe-provider-20250101T000000Z/", "floe-provider-20250101T000000Z\n",
                    "floe provider-20250101T000000Z", "floe-provider-20250101T000000Ž", "floe-provider-2025%30101T000000Z",
                    "floe-provider-20250101T000000", "floe-provider-20250101T000000Zx", String(repeating: "a", count: 200)] {
            let result = try sandbox(["cleanup", "--run", bad])
            XCTAssertEqual(result.status, 2, "\(bad.debugDescription): \(result.output)")
            XCTAssertTrue(result.stderr.hasPrefix("error: run id"), "\(bad.debugDescription): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
        }
        XCTAssertEqual(try server.requestCount(), 0, "a request reached AWS before the run id was refused")
        XCTAssertNil(try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("State/reports").path))
    }

    func testReportThatWouldHoldTheSecretIsRefusedAndNothingIsWritten() throws {
        let runId = "floe-provider-20250101T000003Z"
        try seed(runs: [runId: 3], tables: 1)
        let summary = directory.appendingPathComponent("summary.md").path
        let stateFile = directory.appendingPathComponent("State/aws-provider-tests.sqlite").path

        let leakyJUnit = try write("leak.xml", """
            <testsuite><testcase classname="t" name="test_\(CommandRunner.secretAccessKey)"><failure/></testcase></testsuite>
            """)
        for (arguments, what) in [(["--workspace", "ws-\(CommandRunner.secretAccessKey)"], "workspace"),
                                  (["--workspace", CommandRunner.sessionToken], "session token as workspace"),
                                  (["--junit", leakyJUnit], "failing test name")] {
            let result = try sandbox(["cleanup", "--run", runId] + arguments, environment: ["GITHUB_STEP_SUMMARY": summary])
            XCTAssertNotEqual(result.status, 0, what)
            XCTAssertTrue(result.stderr.contains("refusing to write the report: it contains the value of a credential in use"), "\(what): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("nothing was written and nothing deleted"), result.stderr)
            XCTAssertEqual(try inventory().keys.keys.filter { $0.hasPrefix("runs/\(runId)/") }.count, 3, "\(what): the run was deleted anyway")
            XCTAssertEqual(try reports(for: runId), [], what)
            XCTAssertFalse(FileManager.default.fileExists(atPath: summary), what)
        }
        XCTAssertTrue(try runList().isEmpty, "nothing recorded for a refused report")
        XCTAssertTrue(FileManager.default.fileExists(atPath: stateFile))
        try FileManager.default.removeItem(atPath: leakyJUnit)  // our own input: the leak check in tearDown covers what sandbox wrote

        // run new refuses to record a workspace that holds a credential.
        let refused = try sandbox(["run", "new", "--workspace", "x" + CommandRunner.secretAccessKey])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("refusing to record the run"), refused.stderr)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertTrue(try runList().isEmpty)
        // tearDown checks state, reports and every line printed for the sentinel values.
    }

    // MARK: stale and parallel

    func testStaleCleanupRemovesOldRunsAndLeavesTheRestAlone() throws {
        let old1 = "floe-provider-20200101T000000Z", old2 = "floe-provider-20210615T120000Z"
        let databaseOnly = "floe_provider_floe_provider_20190101t000000z"
        let fresh = try XCTUnwrap(try sandbox(["run", "new", "--workspace", "fresh"], expect: 0).stdout
            .split(separator: "\n").first?.split(separator: "=").last.map(String.init))
        try seed(runs: [old1: 10, old2: 4, fresh: 6], tables: 2,
                 extraKeys: ["runs/not-a-run/data.bin", "runs/floe-provider-29990101T000000Z/future.bin", "elsewhere/\(old1)/x"],
                 databasesOnly: [databaseOnly, "floe_provider_something_else", "unrelated_db"])
        let before = try inventory()

        let result = try sandbox(["cleanup", "--stale", "--older-than", "1h", "--quiet"], expect: 0)
        XCTAssertTrue(result.stdout.contains("left alone: s3://\(bucket)/runs/not-a-run/ (not a run id)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("left alone: Glue database floe_provider_something_else (not a run id)"), result.stdout)
        XCTAssertTrue(result.stdout.contains(": 3 of 5"), result.stdout)

        let after = try inventory()
        let gone = ["runs/\(old1)/", "runs/\(old2)/"]
        XCTAssertEqual(after.keys, before.keys.filter { key, _ in !gone.contains { key.hasPrefix($0) } })
        XCTAssertEqual(after.keys.filter { $0.key.hasPrefix("runs/\(fresh)/") }.count, 6, "the fresh run is left alone")
        XCTAssertEqual(after.databases, before.databases.subtracting([Self.database(old1), Self.database(old2), databaseOnly]))
        for run in [old1, old2, "floe-provider-20190101T000000Z"] {
            XCTAssertEqual(try reports(for: run).count, 2, run)
        }
        XCTAssertEqual(try reports(for: fresh), [])
        let records = Dictionary(uniqueKeysWithValues: try runList().map { ($0["runId"] as? String ?? "", $0["status"] as? String ?? "") })
        XCTAssertEqual(records, [fresh: "open", old1: "cleaned", old2: "cleaned", "floe-provider-20190101T000000Z": "cleaned"])
    }

    func testStaleCleanupWithJSONPrintsOneDocument() throws {
        let old1 = "floe-provider-20200101T000000Z", old2 = "floe-provider-20210615T120000Z"
        try seed(runs: [old1: 3, old2: 2], tables: 1, extraKeys: ["runs/not-a-run/data.bin"], databasesOnly: [])
        let result = try sandbox(["cleanup", "--stale", "--older-than", "1h", "--json"], expect: 0)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        let runs = try XCTUnwrap(json["runs"] as? [[String: Any]], result.stdout)
        XCTAssertEqual(Set(runs.compactMap { $0["runId"] as? String }), [old1, old2])
        XCTAssertEqual(json["proven"] as? Int, 2)
        XCTAssertEqual(json["leftovers"] as? Int, 2)
        XCTAssertEqual(json["olderThanSeconds"] as? Double, 3600)
        XCTAssertEqual(json["leftAlone"] as? [String], ["s3://\(bucket)/runs/not-a-run/ (not a run id)"])

        // Nothing stale left: still one document, with no runs.
        let again = try sandbox(["cleanup", "--stale", "--older-than", "1h", "--json"], expect: 0)
        let empty = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any], again.stdout)
        XCTAssertEqual((empty["runs"] as? [Any])?.count, 0)
    }

    /// Under a custom pattern that allows both cases, "Run-X" and "run-x" name one Glue database: cleaning one must
    /// not drop the database of the other while that run is open.
    func testRunIdsSharingAGlueDatabaseAreRefused() throws {
        let stack = directory.appendingPathComponent("Stacks/aws-provider-tests.yaml")
        let text = try String(contentsOf: stack, encoding: .utf8)
            .replacingOccurrences(of: #"id_pattern: "^floe-provider-[0-9]{8}T[0-9]{6}Z$""#, with: #"id_pattern: "^[A-Za-z][A-Za-z0-9-]{2,60}$""#)
            .replacingOccurrences(of: #"id_template: "floe-provider-{timestamp}""#, with: #"id_template: "Run-{timestamp}""#)
        try text.write(to: stack, atomically: true, encoding: .utf8)
        let minted = try sandbox(["run", "new", "--workspace", "upper"], expect: 0)
        let upper = try XCTUnwrap(minted.stdout.split(separator: "\n").first?.split(separator: "=").last.map(String.init), minted.stdout)
            .trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        XCTAssertTrue(upper.hasPrefix("Run-"), upper)
        let lower = upper.lowercased()
        try seed(runs: [upper: 3], tables: 1, extraKeys: ["runs/\(lower)/a.bin", "runs/\(lower)/b.bin"])
        let before = try inventory()

        let refused = try sandbox(["cleanup", "--run", lower], expect: 2)
        XCTAssertTrue(refused.stderr.contains("share Glue database \(Self.database(upper))"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("nothing was deleted"), refused.stderr)
        XCTAssertEqual(try inventory().keys, before.keys)
        XCTAssertEqual(try inventory().databases, before.databases)

        // Once the recorded run is cleaned, the other id may be cleaned too (its database is already gone).
        try sandbox(["cleanup", "--run", upper, "--quiet"], expect: 0)
        try sandbox(["cleanup", "--run", lower, "--quiet"], expect: 0)
        XCTAssertFalse(try inventory().keys.keys.contains { $0.hasPrefix("runs/\(lower)/") || $0.hasPrefix("runs/\(upper)/") })
    }

    func testUnwritableReportDirectoryIsRefusedBeforeAnyAWSRequest() throws {
        let runId = "floe-provider-20250101T000004Z"
        try seed(runs: [runId: 2], tables: 0)
        let file = try write("not-a-directory", "x")
        try server.resetRequestCount()
        let result = try sandbox(["cleanup", "--run", runId, "--report-dir", file + "/reports"], expect: 2)
        XCTAssertEqual(result.stderr, "error: cannot write reports to \(file)/reports: \(file) is a file; pass --report-dir DIR\n")
        XCTAssertEqual(try server.requestCount(), 0, "a request reached AWS before the report directory was refused")
        XCTAssertEqual(try inventory().keys.keys.filter { $0.hasPrefix("runs/\(runId)/") }.count, 2)
    }

    func testParallelCleanupsOfDifferentRunsDoNotTouchEachOther() throws {
        let a = "floe-provider-20250102T000000Z", b = "floe-provider-20250102T000001Z", c = "floe-provider-20250102T000002Z"
        try seed(runs: [a: 400, b: 400, c: 5], tables: 3)
        let before = try inventory()
        let results = ResultsBox()
        let runner = self.runner!
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let runId = index == 0 ? a : b
            results.set(index, Result { try runner.run(["cleanup", "--run", runId, "--json"]) })
        }
        var deleted: [Int] = []
        for index in 0..<2 {
            let result = try results.get(index).get()
            printed += result.output
            XCTAssertEqual(result.status, 0, result.output)
            let report = try json(result.stdout)
            XCTAssertEqual(report["runId"] as? String, index == 0 ? a : b)
            let cleanup = try XCTUnwrap(report["cleanup"] as? [String: Any])
            deleted.append(cleanup["objectsDeleted"] as? Int ?? -1)
            XCTAssertEqual(cleanup["tablesDeleted"] as? Int, 3)
            XCTAssertEqual(cleanup["databaseDeleted"] as? Bool, true)
        }
        XCTAssertEqual(deleted, [400, 400])
        let after = try inventory()
        XCTAssertEqual(after.keys, before.keys.filter { !$0.key.hasPrefix("runs/\(a)/") && !$0.key.hasPrefix("runs/\(b)/") })
        XCTAssertEqual(after.keys.count, 5)
        XCTAssertEqual(after.databases, [Self.database(c)])
        let records = Dictionary(uniqueKeysWithValues: try runList().map { ($0["runId"] as? String ?? "", $0["status"] as? String ?? "") })
        XCTAssertEqual(records, [a: "cleaned", b: "cleaned"])
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<CommandRunner.Result, Error>] = [:]
    func set(_ index: Int, _ result: Result<CommandRunner.Result, Error>) { lock.withLock { results[index] = result } }
    func get(_ index: Int) throws -> Result<CommandRunner.Result, Error> {
        try lock.withLock { try XCTUnwrap(results[index]) }
    }
}
