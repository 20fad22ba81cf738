import Foundation
import SandboxTestSupport
import XCTest

/// `scripts/ci-flow.sh` end to end against moto, the way another CI system would run it: check, run new,
/// a fake pytest that writes run data and JUnit XML, and cleanup from the exit trap.
final class CIFlowTests: XCTestCase {
    var sandbox: ReferenceSandbox!

    override func setUpWithError() throws {
        sandbox = try ReferenceSandbox.make()
    }

    override func tearDownWithError() throws {
        sandbox?.remove()
    }

    /// Stands in for pytest: writes objects under the run prefix, a database with a table, then JUnit XML.
    static let fakePytest = #"""
        set -eu
        echo ran > "$FAKE_PYTEST_MARKER"
        python3 - <<'PY'
        import os, boto3
        bucket, prefix, database = os.environ["FLOE_AWS_TEST_BUCKET"], os.environ["FLOE_AWS_RUN_PREFIX"], os.environ["FLOE_AWS_GLUE_DATABASE"]
        s3 = boto3.client("s3")
        for i in range(12):
            s3.put_object(Bucket=bucket, Key=f"{prefix}table/part-{i:03d}.parquet", Body=b"x" * 64)
        glue = boto3.client("glue")
        glue.create_database(DatabaseInput={"Name": database})
        glue.create_table(DatabaseName=database, TableInput={"Name": "table", "StorageDescriptor": {"Location": f"s3://{bucket}/{prefix}table/"}})
        PY
        if [ "${FAKE_PYTEST_FAIL:-0}" = 1 ]; then
          printf '%s' '<testsuites><testsuite name="pytest" tests="2" failures="1"><testcase classname="test_aws_provider_live" name="test_write"/><testcase classname="test_aws_provider_live" name="test_read"><failure message="boom">boom</failure></testcase></testsuite></testsuites>' > "$PROVIDER_TEST_JUNIT"
          exit 1
        fi
        printf '%s' '<testsuites><testsuite name="pytest" tests="2"><testcase classname="test_aws_provider_live" name="test_write"/><testcase classname="test_aws_provider_live" name="test_read"/></testsuite></testsuites>' > "$PROVIDER_TEST_JUNIT"
        """#

    typealias Output = CommandRunner.Result

    struct Flow {
        let result: Output
        let runId: String?
    }

    /// Runs `bash scripts/ci-flow.sh` in the sandbox's directory with the test credentials and endpoint.
    func runFlow(_ extra: [String: String] = [:]) throws -> Flow {
        try Self.fakePytest.write(toFile: sandbox.path("fake-pytest.sh"), atomically: true, encoding: .utf8)
        var environment = sandbox.runner.environment
        environment["AWS_DEFAULT_REGION"] = "us-east-1"
        environment["SANDBOX"] = CommandRunner.binary.path
        environment["SANDBOX_VAR_owner"] = "ci-team"
        environment["SANDBOX_VAR_budget_email"] = "a@example.com"
        environment["SANDBOX_CHECK_ARGS"] = "--probe --expect-account 123456789012"
        environment["PROVIDER_TEST_COMMAND"] = "bash ./fake-pytest.sh"
        environment["FAKE_PYTEST_MARKER"] = sandbox.path("pytest-ran")
        environment["GITHUB_STEP_SUMMARY"] = sandbox.path("summary.md")
        for (key, value) in extra { environment[key] = value }

        let path = CommandRunner.repositoryRoot.appendingPathComponent("scripts/ci-flow.sh").path
        let result = try CommandRunner.runProcess(URL(fileURLWithPath: "/bin/bash"), [path], environment: environment,
                                                  directory: sandbox.directory, timeout: 600)
        assertNoSentinelSecrets(result.output, "ci-flow output")
        let runLine = result.stderr.split(separator: "\n").first { $0.hasPrefix("ci-flow: run ") }
        let runId = runLine.flatMap { $0.dropFirst("ci-flow: run ".count).split(separator: " ").first }.map(String.init)
        return Flow(result: result, runId: runId)
    }

    /// The run report cleanup wrote (JSON), parsed.
    func report(for runId: String) throws -> [String: Any] {
        let directory = sandbox.path("State/reports")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(runId) && $0.hasSuffix(".json") }
        XCTAssertEqual(names.count, 1, "one JSON report for \(runId) in \(directory)")
        let text = try String(contentsOfFile: "\(directory)/\(try XCTUnwrap(names.first))", encoding: .utf8)
        assertNoSentinelSecrets(text, "report")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// boto3: what is left of the run in S3 and Glue.
    func remains(_ runId: String) throws -> (keys: Int, database: Bool) {
        let database = "floe_provider_" + runId.lowercased().replacingOccurrences(of: "-", with: "_")
        let text = try sandbox.boto("""
            keys = boto3.client("s3").list_objects_v2(Bucket="\(ReferenceSandbox.bucket)", Prefix="runs/\(runId)/").get("KeyCount", 0)
            names = [d["Name"] for d in boto3.client("glue").get_databases()["DatabaseList"]]
            print(json.dumps({"keys": keys, "database": "\(database)" in names}))
            """)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (object["keys"] as? Int ?? -1, object["database"] as? Bool ?? true)
    }

    func testFlowChecksRunsTestsAndCleansUp() throws {
        try sandbox.apply()
        let started = Date()
        let flow = try runFlow()
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(flow.result.status, 0, flow.result.output)
        let runId = try XCTUnwrap(flow.runId, "no run line in: \(flow.result.stderr)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.path("pytest-ran")), "the tests ran")
        XCTAssertTrue(flow.result.stderr.contains("READY: account 123456789012"), flow.result.stderr)

        let report = try report(for: runId)
        XCTAssertEqual(report["status"] as? String, "PASS", "\(report["reasons"] ?? "")")
        let tests = try XCTUnwrap((report["tests"] as? [[String: Any]])?.first)
        XCTAssertEqual(tests["tests"] as? Int, 2)
        let cleanup = try XCTUnwrap(report["cleanup"] as? [String: Any])
        XCTAssertEqual(cleanup["objectsDeleted"] as? Int, 12)
        XCTAssertEqual(cleanup["databaseDeleted"] as? Bool, true)

        let left = try remains(runId)
        XCTAssertEqual(left.keys, 0, "run prefix is empty")
        XCTAssertFalse(left.database, "run database is gone")

        let checkJUnit = try String(contentsOfFile: sandbox.path("State/reports/sandbox-check.xml"), encoding: .utf8)
        XCTAssertTrue(checkJUnit.contains("failures=\"0\""), checkJUnit)
        XCTAssertTrue(checkJUnit.contains("name=\"access probe\""), checkJUnit)
        let summary = try String(contentsOfFile: sandbox.path("summary.md"), encoding: .utf8)
        XCTAssertTrue(summary.contains("## sandbox check: ready"), summary)
        print(String(format: "ci-flow.sh against moto: %.2f s", seconds))
    }

    func testFailingTestsStillCleanUpAndFailTheJob() throws {
        try sandbox.apply()
        let flow = try runFlow(["FAKE_PYTEST_FAIL": "1"])
        XCTAssertEqual(flow.result.status, 1, "the tests' exit status wins: \(flow.result.output)")
        let runId = try XCTUnwrap(flow.runId, flow.result.stderr)
        XCTAssertTrue(flow.result.stderr.contains("ci-flow: sandbox cleanup --run \(runId)"), flow.result.stderr)
        let report = try report(for: runId)
        XCTAssertEqual(report["status"] as? String, "FAIL")
        XCTAssertEqual(report["classifications"] as? [String], ["product"], "\(report["reasons"] ?? "")")
        let left = try remains(runId)
        XCTAssertEqual(left.keys, 0)
        XCTAssertFalse(left.database)
    }

    func testNotReadyStopsBeforeAnyTest() throws {
        // Nothing applied: no state, no resources. The job stops at the check with its exit status.
        let flow = try runFlow()
        XCTAssertEqual(flow.result.status, 1, flow.result.output)
        XCTAssertTrue(flow.result.stderr.contains("NOT READY: state:"), flow.result.stderr)
        XCTAssertNil(flow.runId, "no run was started")
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.path("pytest-ran")), "the tests did not run")
        let checkJUnit = try String(contentsOfFile: sandbox.path("State/reports/sandbox-check.xml"), encoding: .utf8)
        XCTAssertFalse(checkJUnit.contains("failures=\"0\""), checkJUnit)
    }
}
