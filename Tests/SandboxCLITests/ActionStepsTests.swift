import Foundation
import SandboxTestSupport
import XCTest

/// The GitHub Action's shell steps (scripts/action/*.sh, as action.yml runs them) in order against moto, the way
/// the runner does: GITHUB_ENV/GITHUB_PATH/GITHUB_OUTPUT/GITHUB_STEP_SUMMARY are temp files, and what one
/// step writes to GITHUB_ENV and GITHUB_PATH is in the next step's environment.
final class ActionStepsTests: XCTestCase {
    var sandbox: ReferenceSandbox!
    var files: [String: String] = [:]

    typealias StepResult = CommandRunner.Result

    override func setUpWithError() throws {
        sandbox = try ReferenceSandbox.make()
        for name in ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"] {
            let path = sandbox.path(name.lowercased())
            FileManager.default.createFile(atPath: path, contents: Data())
            files[name] = path
        }
        try FileManager.default.createDirectory(atPath: sandbox.path("runner-temp"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        sandbox?.remove()
    }

    func contents(_ name: String) throws -> String {
        try String(contentsOfFile: try XCTUnwrap(files[name]), encoding: .utf8)
    }

    /// NAME=value lines the steps so far wrote to GITHUB_ENV (later ones win, as on the runner).
    func exportedEnvironment() throws -> [String: String] {
        var env: [String: String] = [:]
        for line in try contents("GITHUB_ENV").split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            env[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return env
    }

    /// Runs one step's script with `inputs`, the runner's files and what earlier steps exported.
    func step(_ script: String, _ inputs: [String: String]) throws -> StepResult {
        var env = sandbox.runner.environment
        env["AWS_DEFAULT_REGION"] = "us-east-1"
        env["SANDBOX_VAR_owner"] = "ci-team"
        env["SANDBOX_VAR_budget_email"] = "a@example.com"
        env["RUNNER_TEMP"] = sandbox.path("runner-temp")
        env["GITHUB_JOB"] = "provider-tests"
        for (name, path) in files { env[name] = path }
        for (key, value) in try exportedEnvironment() { env[key] = value }
        let paths = try contents("GITHUB_PATH").split(separator: "\n").map(String.init)
        env["PATH"] = (paths.reversed() + [env["PATH"] ?? "/usr/bin:/bin"]).joined(separator: ":")
        for (key, value) in inputs { env[key] = value }

        let path = CommandRunner.repositoryRoot.appendingPathComponent("scripts/action/\(script)").path
        let result = try CommandRunner.runProcess(URL(fileURLWithPath: "/bin/bash"), [path], environment: env,
                                                  directory: sandbox.directory, timeout: 600)
        XCTAssertFalse(result.output.contains(CommandRunner.secretAccessKey), "secret leaked by \(script)")
        XCTAssertFalse(result.output.contains(CommandRunner.sessionToken), "session token leaked by \(script)")
        return result
    }

    func install() throws {
        let result = try step("install.sh", ["SANDBOX_LOCAL_BINARY": CommandRunner.binary.path])
        XCTAssertEqual(result.status, 0, result.output)
    }

    func testCheckRunNewTestsCleanupExportAndSummarize() throws {
        try sandbox.apply()
        let started = Date()
        try install()
        let installed = try exportedEnvironment()["SANDBOX_BIN"]
        XCTAssertEqual(installed, sandbox.path("runner-temp") + "/sandbox-action/bin/sandbox")
        XCTAssertTrue(try contents("GITHUB_PATH").contains("sandbox-action/bin"))

        let check = try step("run.sh", ["INPUT_COMMAND": "check", "INPUT_ARGS": "--probe --expect-account 123456789012"])
        XCTAssertEqual(check.status, 0, check.output)
        var env = try exportedEnvironment()
        XCTAssertEqual(env["FLOE_AWS_TEST_BUCKET"], ReferenceSandbox.bucket)
        XCTAssertEqual(env["FLOE_AWS_PROVIDER_TEST_POLICY_ARN"], ReferenceSandbox.policyArn)
        XCTAssertEqual(env["FLOE_AWS_BUDGET_NAME"], ReferenceSandbox.budget)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.path("State/reports/sandbox-check.xml")))

        let runNew = try step("run.sh", ["INPUT_COMMAND": "run-new"])
        XCTAssertEqual(runNew.status, 0, runNew.output)
        env = try exportedEnvironment()
        let written = try contents("GITHUB_ENV")
        let runId = try XCTUnwrap(env["FLOE_PROVIDER_SPIKE_RUN"], written)
        XCTAssertEqual(env["FLOE_AWS_RUN_PREFIX"], "runs/\(runId)/")
        XCTAssertNotNil(env["FLOE_AWS_GLUE_DATABASE"])
        XCTAssertTrue(try contents("GITHUB_OUTPUT").contains("run-id=\(runId)\n"))

        // The tests: data under the run's prefix, then their JUnit.
        try sandbox.boto("""
            s3 = boto3.client("s3")
            for i in range(5):
                s3.put_object(Bucket="\(ReferenceSandbox.bucket)", Key="runs/\(runId)/t/part-%d.parquet" % i, Body=b"x")
            """)
        let junit = sandbox.path("provider-tests.xml")
        try #"<testsuites><testsuite name="pytest" tests="1"><testcase classname="live" name="test_write"/></testsuite></testsuites>"#
            .write(toFile: junit, atomically: true, encoding: .utf8)

        let cleanup = try step("run.sh", ["INPUT_COMMAND": "cleanup", "INPUT_JUNIT": junit])
        XCTAssertEqual(cleanup.status, 0, cleanup.output)
        let reports = try FileManager.default.contentsOfDirectory(atPath: sandbox.path("State/reports"))
        XCTAssertTrue(reports.contains { $0.hasPrefix(runId) && $0.hasSuffix(".md") }, "\(reports)")
        let left = try sandbox.boto(#"print(boto3.client("s3").list_objects_v2(Bucket="\#(ReferenceSandbox.bucket)", Prefix="runs/\#(runId)/").get("KeyCount", 0))"#)
        XCTAssertEqual(left.trimmingCharacters(in: .whitespacesAndNewlines), "0")

        let summary = try contents("GITHUB_STEP_SUMMARY")
        XCTAssertTrue(summary.contains("## sandbox check: ready"), summary)
        XCTAssertTrue(summary.contains("## sandbox run \(runId)"), summary)
        XCTAssertTrue(summary.contains(runId) && summary.contains("PASS"), summary)
        print(String(format: "action steps against moto: %.2f s", Date().timeIntervalSince(started)))
        if let keep = ProcessInfo.processInfo.environment["SANDBOX_ACTION_SUMMARY_OUT"] {
            try summary.write(toFile: keep, atomically: true, encoding: .utf8)
        }
    }

    func testNotReadyCheckFailsTheStepWithItsExitCodeAndExportsNothing() throws {
        try install()
        let check = try step("run.sh", ["INPUT_COMMAND": "check"])
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.stderr.contains("::error::sandbox check failed with exit code 1"), check.stderr)
        XCTAssertNil(try exportedEnvironment()["FLOE_AWS_TEST_BUCKET"])
    }

    func testFailingCleanupPropagatesSandboxExitCode() throws {
        try sandbox.apply()
        try install()
        let direct = try sandbox.runner.run(["cleanup", "--run", "not/a run", "--quiet"])
        XCTAssertNotEqual(direct.status, 0, direct.output)
        let cleanup = try step("run.sh", ["INPUT_COMMAND": "cleanup", "INPUT_RUN_ID": "not/a run"])
        XCTAssertEqual(cleanup.status, direct.status, cleanup.output)

        let missing = try step("run.sh", ["INPUT_COMMAND": "cleanup"])
        XCTAssertEqual(missing.status, 2, "no run id is a bad input: \(missing.output)")
        let unknown = try step("run.sh", ["INPUT_COMMAND": "deploy"])
        XCTAssertEqual(unknown.status, 2, unknown.output)
    }

    /// The release download path, offline: a release directory served as file:// with the tarball and SHA256SUMS.
    func testReleaseInstallVerifiesTheChecksum() throws {
        var arch = utsname()
        uname(&arch)
        let machine = withUnsafeBytes(of: &arch.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let name = "sandbox-9.9.9-linux-\(machine)"
        let release = sandbox.path("release")
        try FileManager.default.createDirectory(atPath: "\(release)/\(name)", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CommandRunner.binary.path, toPath: "\(release)/\(name)/sandbox")
        let pack = Process()
        pack.executableURL = URL(fileURLWithPath: "/bin/bash")
        pack.arguments = ["-c", "cd \"$0\" && tar -czf \(name).tar.gz \(name) && sha256sum \(name).tar.gz > SHA256SUMS && rm -r \(name)", release]
        try pack.run()
        pack.waitUntilExit()
        XCTAssertEqual(pack.terminationStatus, 0)
        let inputs = ["INPUT_VERSION": "v9.9.9", "INPUT_REPOSITORY": "example/sandbox", "SANDBOX_RELEASE_BASE_URL": "file://\(release)"]

        let good = try step("install.sh", inputs)
        XCTAssertEqual(good.status, 0, good.output)
        XCTAssertTrue(good.stdout.contains("installed"), good.stdout)

        try "0000000000000000000000000000000000000000000000000000000000000000  \(name).tar.gz\n"
            .write(toFile: "\(release)/SHA256SUMS", atomically: true, encoding: .utf8)
        let tampered = try step("install.sh", inputs)
        XCTAssertEqual(tampered.status, 3, tampered.output)
        XCTAssertTrue(tampered.stderr.contains("does not match its SHA256SUMS"), tampered.stderr)

        let none = try step("install.sh", [:])
        XCTAssertEqual(none.status, 2, none.output)
    }
}
