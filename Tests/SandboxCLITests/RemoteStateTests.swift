import Foundation
import SandboxTestSupport
import XCTest

/// The S3 state backend through the binary: many runners share one state in S3 without losing records,
/// and the lock object holds across processes.
final class RemoteStateTests: XCTestCase {
    var server: MotoServer!
    var directory: URL!
    var runner: CommandRunner!
    let backend = "s3://sandbox-state/team/aws-provider-tests.sqlite"

    override func setUpWithError() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        server = try MotoServer.shared()
        try server.reset()
        directory = try CommandRunner.temporaryDirectory()
        runner = CommandRunner(endpoint: server.endpoint, directory: directory, extraEnvironment: [
            "SANDBOX_BACKEND": backend, "SANDBOX_VAR_owner": "remote-tests", "SANDBOX_VAR_budget_email": "alerts@example.com",
        ])
        try runner.installReferenceStack()
        try Boto.run("boto3.client('s3').create_bucket(Bucket='sandbox-state')", endpoint: server.endpoint)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    @discardableResult
    func sandbox(_ arguments: [String], expect status: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try runner.run(arguments)
        XCTAssertEqual(result.status, status, "sandbox \(arguments.joined(separator: " ")): \(result.output)", file: file, line: line)
        XCTAssertFalse(result.output.contains(CommandRunner.secretAccessKey), "secret leaked", file: file, line: line)
        return result
    }

    func stateKeys() throws -> [String] {
        let text = try Boto.run("print(json.dumps([o['Key'] for o in boto3.client('s3').list_objects_v2(Bucket='sandbox-state').get('Contents', [])]))",
                                endpoint: server.endpoint)
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]) ?? []
    }

    func testApplyKeepsStateInS3AndNothingLocally() throws {
        try sandbox(["apply", "--auto-approve"], expect: 0)
        XCTAssertEqual(try stateKeys(), ["team/aws-provider-tests.sqlite"], "state object (and no lock left behind)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("State/aws-provider-tests.sqlite").path))
        try sandbox(["plan", "--detailed-exitcode"], expect: 0)
        let listed = try sandbox(["state", "list"], expect: 0)
        XCTAssertTrue(listed.stdout.contains("s3_bucket.bucket"), listed.stdout)
        let bucket = try sandbox(["output", "FLOE_AWS_TEST_BUCKET"], expect: 0)
        XCTAssertTrue(bucket.stdout.hasPrefix("floe-provider-tests-"))
        // The object is a real SQLite state that holds no secret.
        let bytes = try Boto.run("sys.stdout.write(boto3.client('s3').get_object(Bucket='sandbox-state', Key='team/aws-provider-tests.sqlite')['Body'].read().decode('latin-1'))",
                                 endpoint: server.endpoint)
        XCTAssertTrue(bytes.hasPrefix("SQLite format 3"))
        XCTAssertFalse(bytes.contains(CommandRunner.secretAccessKey))
    }

    func testEightRunnersRecordEveryRunAndCleanup() throws {
        try sandbox(["apply", "--auto-approve"], expect: 0)
        let script = """
        set -e
        eval "$("$SANDBOX" run new --workspace "job-$1")"
        python3 -c "import boto3,sys; boto3.client('s3').put_object(Bucket=sys.argv[1], Key=sys.argv[2] + 'part-0.parquet', Body=b'x')" "$BUCKET" "$FLOE_AWS_RUN_PREFIX"
        "$SANDBOX" cleanup --run "$FLOE_PROVIDER_SPIKE_RUN" --quiet > "out-$1.txt"
        echo "$FLOE_PROVIDER_SPIKE_RUN" > "run-$1.txt"
        """
        let bucket = try sandbox(["output", "FLOE_AWS_TEST_BUCKET"], expect: 0).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var processes: [Process] = []
        for index in 0..<8 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script, "sh", "\(index)"]
            process.currentDirectoryURL = directory
            var environment = runner.environment
            environment["SANDBOX"] = CommandRunner.binary.path
            environment["BUCKET"] = bucket
            environment["AWS_DEFAULT_REGION"] = "us-east-1"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            processes.append(process)
        }
        for process in processes { process.waitUntilExit() }
        XCTAssertEqual(processes.map(\.terminationStatus), Array(repeating: 0, count: 8))
        let ids = try (0..<8).map { try String(contentsOf: directory.appendingPathComponent("run-\($0).txt"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) }
        XCTAssertEqual(Set(ids).count, 8, "two runners got the same run id: \(ids)")
        let listed = try sandbox(["run", "list", "--json"], expect: 0)
        let runs = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]] ?? []
        XCTAssertEqual(Set(runs.compactMap { $0["runId"] as? String }), Set(ids), "a run record was lost: \(listed.stdout)")
        XCTAssertTrue(runs.allSatisfy { $0["status"] as? String == "cleaned" }, "a cleanup record was lost: \(listed.stdout)")
        XCTAssertEqual(try stateKeys(), ["team/aws-provider-tests.sqlite"])
    }

    func testLockHeldByAnotherRunnerAndTakeoverOfAnExpiredOne() throws {
        try sandbox(["apply", "--auto-approve"], expect: 0)
        let putLock = """
        import datetime
        now = datetime.datetime.now(datetime.timezone.utc)
        expires = now + datetime.timedelta(seconds=int(sys.argv[1]))
        body = json.dumps({"holder": "ci@runner-7", "pid": 4242, "host": "runner-7", "operation": "apply",
                           "since": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"), "token": "other"})
        boto3.client('s3').put_object(Bucket='sandbox-state', Key='team/aws-provider-tests.sqlite.lock', Body=body.encode())
        """
        try Boto.run(putLock, endpoint: server.endpoint, arguments: ["600"])
        // check reads the remote lock object, not the lock table of its private copy.
        let checked = try runner.run(["check", "--json"])
        let checks = (try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any])?["checks"] as? [[String: Any]] ?? []
        let state = try XCTUnwrap(checks.first { $0["name"] as? String == "state" }, checked.output)
        XCTAssertEqual(state["status"] as? String, "warn", "\(state)")
        XCTAssertTrue((state["detail"] as? String ?? "").contains("\(backend) locked by ci@runner-7"), "\(state)")

        let refused = try sandbox(["apply", "--auto-approve"], expect: 5)
        XCTAssertTrue(refused.stderr.contains("ci@runner-7") && refused.stderr.contains("runner-7"), refused.stderr)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        let unlocked = try sandbox(["state", "unlock"], expect: 0)
        XCTAssertTrue(unlocked.stdout.contains("ci@runner-7"), unlocked.stdout)

        try Boto.run(putLock, endpoint: server.endpoint, arguments: ["-60"])
        let expired = try runner.run(["check"])
        XCTAssertTrue(expired.output.contains("lock expired: ci@runner-7"), expired.output)
        let takeover = try sandbox(["apply", "--auto-approve"], expect: 0)
        XCTAssertTrue(takeover.stderr.contains("took over an expired lock held by ci@runner-7"), takeover.stderr)
        XCTAssertEqual(try stateKeys(), ["team/aws-provider-tests.sqlite"], "the lock was not released")

        // A lock object that is not a lock: check says so, the next writer replaces it with a note.
        try Boto.run("boto3.client('s3').put_object(Bucket='sandbox-state', Key='team/aws-provider-tests.sqlite.lock', Body=b'not json')",
                     endpoint: server.endpoint)
        let garbled = try runner.run(["check"])
        XCTAssertTrue(garbled.output.contains("lock expired: an unreadable lock object"), garbled.output)
        let replaced = try sandbox(["apply", "--auto-approve"], expect: 0)
        XCTAssertTrue(replaced.stderr.contains("replaced a lock object at \(backend).lock that could not be read"), replaced.stderr)
        XCTAssertEqual(try stateKeys(), ["team/aws-provider-tests.sqlite"], "the lock was not released")
    }

    func testMigrateLocalStateToS3AndBack() throws {
        let local = directory.appendingPathComponent("State/aws-provider-tests.sqlite").path
        let localRunner = CommandRunner(endpoint: server.endpoint, directory: directory, extraEnvironment: [
            "SANDBOX_VAR_owner": "remote-tests", "SANDBOX_VAR_budget_email": "alerts@example.com",
        ])
        XCTAssertEqual(try localRunner.run(["apply", "--auto-approve"]).status, 0)
        let migrated = try localRunner.run(["state", "migrate", "--to", backend])
        XCTAssertEqual(migrated.status, 0, migrated.output)
        try sandbox(["plan", "--detailed-exitcode"], expect: 0)
        // Migrating again onto an existing remote state needs --force.
        XCTAssertEqual(try localRunner.run(["state", "migrate", "--to", backend]).status, 2)
        let back = directory.appendingPathComponent("back.sqlite").path
        try sandbox(["state", "migrate", "--to", back], expect: 0)
        let listed = try localRunner.run(["state", "list", "--state", back])
        XCTAssertEqual(listed.status, 0, listed.output)
        XCTAssertEqual(listed.stdout.split(separator: "\n").count, 8, listed.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: local))
    }
}
