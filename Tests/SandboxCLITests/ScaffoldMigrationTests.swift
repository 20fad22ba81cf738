import Foundation
import SandboxCore
import SandboxTestSupport
import XCTest

/// Adopting an account the OpenTofu scaffold set up: a real state written by `terraform apply` of
/// Tests/Fixtures/scaffold/*.tf (hashicorp/aws, against this class's moto) when terraform and its provider mirror
/// are on the machine, otherwise the committed Tests/Fixtures/scaffold.tfstate with its resources recreated by boto3.
final class ScaffoldMigrationTests: XCTestCase {
    /// One moto and one scaffold per class: terraform's apply waits about a minute on the lifecycle read-back.
    nonisolated(unsafe) static var prepared: (server: MotoServer, state: URL, source: String)?

    var server: MotoServer!
    var directory: URL!
    var runner: CommandRunner!
    var printed = ""
    var statePath: String { directory.appendingPathComponent("State/aws-provider-tests.sqlite").path }
    /// The variables the scaffold was applied with (Tests/Fixtures/scaffold/apply.py).
    let vars = ["--var", "owner=platform-team", "--var", "budget_email=alerts@example.com", "--var", "enable_access_key_user=true",
                "--var", "common_tags={\"CostCenter\":\"qa-1234\"}"]

    static var fixtures: URL { CommandRunner.repositoryRoot.appendingPathComponent("Tests/Fixtures") }

    static func prepare() throws -> (server: MotoServer, state: URL, source: String) {
        if let prepared { return prepared }
        let server = try MotoServer.start()
        let work = try CommandRunner.temporaryDirectory()
        let generated = work.appendingPathComponent("terraform.tfstate")
        var source = "committed Tests/Fixtures/scaffold.tfstate, recreated with boto3"
        if ProcessInfo.processInfo.environment["SANDBOX_SCAFFOLD_TERRAFORM"] != "0" {
            let apply = Process()
            apply.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            apply.arguments = ["python3", fixtures.appendingPathComponent("scaffold/apply.py").path, "--endpoint", server.endpoint.absoluteString,
                               "--out", generated.path]
            let errors = Pipe()
            apply.standardError = errors
            apply.standardOutput = FileHandle.nullDevice
            try apply.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            apply.waitUntilExit()
            if apply.terminationStatus == 0 {
                source = "terraform apply of Tests/Fixtures/scaffold/*.tf"
            } else if apply.terminationStatus != 3 {
                throw MotoServerError("scaffold apply failed: \(String(decoding: message, as: UTF8.self))")
            }
        }
        var state = generated
        if !FileManager.default.fileExists(atPath: generated.path) {
            state = fixtures.appendingPathComponent("scaffold.tfstate")
            let seed = try String(contentsOf: fixtures.appendingPathComponent("scaffold/seed.py"), encoding: .utf8)
            try Boto.run("sys.argv = ['seed.py', sys.argv[1]]\n" + seed, endpoint: server.endpoint, arguments: [state.path])
        }
        prepared = (server, state, source)
        return (server, state, source)
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard MotoServer.isAvailable else { throw XCTSkip("moto is not installed (python3 -m pip install 'moto[server]')") }
        let prepared = try Self.prepare()
        server = prepared.server
        directory = try CommandRunner.temporaryDirectory()
        runner = CommandRunner(endpoint: server.endpoint, directory: directory)
        try runner.installReferenceStack()
        printed = ""
    }

    override func tearDownWithError() throws {
        if let directory {
            XCTAssertFalse(printed.contains(CommandRunner.secretAccessKey), "output contains the sentinel secret key")
            XCTAssertFalse(printed.contains(CommandRunner.sessionToken), "output contains the sentinel session token")
            try? FileManager.default.removeItem(at: directory)
        }
        try super.tearDownWithError()
    }

    @discardableResult
    func sandbox(_ arguments: [String], expect status: Int32?, environment: [String: String?] = [:],
                 file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try runner.run(arguments, environment: environment)
        printed += result.stdout + result.stderr
        if let status {
            XCTAssertEqual(result.status, status, "sandbox \(arguments.joined(separator: " ")):\n\(result.output)", file: file, line: line)
        }
        return result
    }

    /// What boto3 sees of the scaffold's objects.
    func world() throws -> JSONValue {
        let text = try Boto.run(#"""
            s3, iam, budgets = boto3.client("s3"), boto3.client("iam"), boto3.client("budgets")
            buckets = [{"name": b["Name"], "created": b["CreationDate"].isoformat()} for b in s3.list_buckets()["Buckets"]]
            rules = [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=buckets[0]["name"])["Rules"]] if buckets else []
            policies = [{"arn": p["Arn"], "id": p["PolicyId"]} for p in iam.list_policies(Scope="Local")["Policies"]]
            names = [b["BudgetName"] for b in budgets.describe_budgets(AccountId="123456789012").get("Budgets", [])]
            users = [u["UserName"] for u in iam.list_users()["Users"]]
            print(json.dumps({"buckets": buckets, "rules": rules, "policies": policies, "budgets": names, "users": users}))
            """#, endpoint: server.endpoint)
        return try XCTUnwrap(JSONValue.parse(text), text)
    }

    func tfstate() throws -> JSONValue {
        let prepared = try Self.prepare()
        return try XCTUnwrap(JSONValue.parse(try String(contentsOf: prepared.state, encoding: .utf8)))
    }

    func testImportTheScaffoldThenPlanCreatesReplacesAndDestroysNothing() throws {
        let before = try world()
        XCTAssertEqual(before["buckets"]?.arrayValue?.count, 1, "\(before)")
        XCTAssertEqual(before["rules"], .array([.string("expire-provider-test-runs")]))
        let state = try Self.prepare().state.path

        let dry = try sandbox(["import", "--from-tfstate", state, "--dry-run"] + vars, expect: 0)
        XCTAssertTrue(dry.stdout.contains("aws_iam_policy.provider_tests") && dry.stdout.contains("-> iam_policy.policy"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("Dry run: nothing was read or recorded."), dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath), "a dry run writes no state")

        // The state as the scaffold's S3 backend keeps it: read with the same credentials, mapped the same way.
        let bucket = try XCTUnwrap(before["buckets"]?.arrayValue?.first?["name"]?.stringValue)
        try Boto.run("boto3.client('s3').upload_file(sys.argv[1], sys.argv[2], 'tofu/terraform.tfstate')", endpoint: server.endpoint,
                     arguments: [state, bucket])
        let remote = try sandbox(["import", "--from-tfstate", "s3://\(bucket)/tofu/terraform.tfstate", "--dry-run"] + vars, expect: 0)
        XCTAssertEqual(remote.stdout.split(separator: "\n").dropFirst().joined(separator: "\n"),
                       dry.stdout.split(separator: "\n").dropFirst().joined(separator: "\n"))
        let missing = try sandbox(["import", "--from-tfstate", "s3://\(bucket)/tofu/none.tfstate"] + vars, expect: nil)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)

        let imported = try sandbox(["import", "--from-tfstate", state] + vars, expect: 0)
        for line in ["aws_s3_bucket.provider_tests", "aws_s3_bucket_public_access_block.provider_tests", "aws_budgets_budget.provider_tests",
                     "aws_s3_bucket_server_side_encryption_configuration.provider_tests", "aws_s3_bucket_versioning.provider_tests",
                     "aws_s3_bucket_lifecycle_configuration.provider_tests", "aws_iam_user.provider_tests[0]",
                     "aws_iam_user_policy_attachment.provider_tests[0]", "-> glue_database_prefix.glue"] {
            XCTAssertTrue(imported.stdout.contains(line), "\(line) in\n\(imported.stdout)")
        }
        XCTAssertTrue(imported.stdout.contains("Imported 9 resource(s); nothing in AWS changed."), imported.stdout)

        let plan = try sandbox(["plan", "--json"] + vars, expect: 0)
        let changes = try XCTUnwrap(JSONValue.parse(plan.stdout)?["changes"]?.arrayValue, plan.stdout)
        let actions = Dictionary(changes.compactMap { c -> (String, String)? in
            guard let type = c["address"]?["type"]?.stringValue, let name = c["address"]?["name"]?.stringValue else { return nil }
            return ("\(type).\(name)", c["action"]?.stringValue ?? "?")
        }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(actions.count, 9, "\(actions)")
        XCTAssertEqual(Set(actions.values).subtracting(["noop", "update"]), [], "only tag updates after import: \(actions)")
        for address in ["s3_bucket.bucket", "iam_policy.policy", "budget.budget", "iam_user.user"] {
            XCTAssertEqual(actions[address], "update", "ManagedBy=opentofu becomes sandbox: \(address)")
        }

        try sandbox(["apply", "--auto-approve"] + vars, expect: 0)
        try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 0)

        let after = try world()
        XCTAssertEqual(after["buckets"], before["buckets"], "the same one bucket, same creation date")
        XCTAssertEqual(after["policies"], before["policies"], "the same one policy, same ARN and id")
        XCTAssertEqual(after["policies"]?.arrayValue?.count, 1)
        XCTAssertEqual(after["budgets"], .array([.string("floe-provider-tests-monthly-budget")]))
        XCTAssertEqual(after["rules"], .array([.string("expire-provider-test-runs")]))
        XCTAssertEqual(after["users"], .array([.string("floe-provider-tests-user")]))

        // The environment the tests read is the scaffold's recommended_environment, name for name, value for value.
        let env = try sandbox(["output", "--env"] + vars, expect: 0).stdout
        let recommended = try XCTUnwrap(try tfstate()["outputs"]?["recommended_environment"]?["value"]?.objectValue)
        let expected = recommended.keys.sorted().map { "export \($0)=\(recommended[$0]?.stringValue ?? "?")" }
        XCTAssertEqual(env.split(separator: "\n").map(String.init), expected)
        let plain = try sandbox(["output"] + vars, expect: 0).stdout
        XCTAssertTrue(plain.contains("FLOE_AWS_BUDGET_EMAIL = (sensitive)") && plain.contains("recommended_environment = (sensitive)"), plain)
        XCTAssertFalse(plain.contains("alerts@example.com"), plain)
        XCTAssertEqual(try sandbox(["output", "budget_email"] + vars, expect: 0).stdout, "alerts@example.com\n")
        for name in ["aws_account_id", "aws_region", "s3_bucket_name", "s3_run_prefix", "glue_database_prefix", "provider_test_policy_arn", "budget_name"] {
            let want = try tfstate()["outputs"]?[name]?["value"]?.stringValue
            XCTAssertEqual(try sandbox(["output", name] + vars, expect: 0).stdout, "\(want ?? "?")\n", name)
        }
    }

    func testRefusalsNameTheProblemAndLeaveStateByteIdentical() throws {
        let original = try String(contentsOf: try Self.prepare().state, encoding: .utf8)
        // A state to compare: the Glue prefix adopted on its own (no AWS object, nothing changes in AWS).
        try sandbox(["import", "glue_database_prefix.glue", "floe_provider_"] + vars, expect: 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: statePath))
        var state = try XCTUnwrap(JSONValue.parse(original)?.objectValue)
        let resources = try XCTUnwrap(state["resources"]?.arrayValue)
        let bucket = try XCTUnwrap(resources.first { $0["type"] == .string("aws_s3_bucket") }?.objectValue)

        func variant(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        func json(_ object: [String: JSONValue]) -> String { JSONValue.object(object).compactJSON }
        var twoBuckets = bucket
        twoBuckets["name"] = .string("second")
        var unknown = bucket
        unknown["type"] = .string("aws_sqs_queue")
        state["resources"] = .array(resources + [.object(twoBuckets)])
        let ambiguous = json(state)
        state["resources"] = .array(resources + [.object(unknown)])
        let unknownType = json(state)
        state["version"] = .number(5)
        let newer = json(state)

        let cases: [(String, String, Int32, String)] = [
            ("two-buckets.tfstate", ambiguous, 2, "aws_s3_bucket.provider_tests and aws_s3_bucket.second both map to s3_bucket.bucket"),
            ("unknown.tfstate", unknownType, 2, "aws_sqs_queue.provider_tests has type aws_sqs_queue, which sandbox does not import"),
            ("other-account.tfstate", original.replacingOccurrences(of: "123456789012", with: "210987654321"), 3,
             "belongs to account 210987654321"),
            ("malformed.tfstate", String(original.prefix(200)), 2, "is not a Terraform state: not a JSON object"),
            ("newer.tfstate", newer, 2, "has state format version 5; sandbox reads version 4 only"),
        ]
        for (name, text, status, message) in cases {
            let result = try sandbox(["import", "--from-tfstate", try variant(name, text)] + vars, expect: status)
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(name): one line\n\(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(name): \(result.stderr)")
            XCTAssertFalse(result.stdout.contains("Imported"), result.stdout)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: statePath)), bytes, "\(name): state is byte-identical")
        }
        // The stack's allowed_account_ids: a pinned stack refuses a state of another account the same way.
        let stackFile = directory.appendingPathComponent("Stacks/aws-provider-tests.yaml")
        let pinned = try String(contentsOf: stackFile, encoding: .utf8)
            .replacingOccurrences(of: "# allowed_account_ids: [\"123456789012\"]", with: "allowed_account_ids: [\"123456789012\"]")
        try Data(pinned.utf8).write(to: stackFile)
        let foreign = try sandbox(["import", "--from-tfstate", try variant("other.tfstate", original.replacingOccurrences(of: "123456789012", with: "210987654321"))] + vars,
                                  expect: 3)
        XCTAssertTrue(foreign.stderr.contains("the stack allows 123456789012"), foreign.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: statePath)), bytes)
    }

    func testCleanupFromTheScriptsEnvironmentWithoutState() throws {
        let outputs = try XCTUnwrap(try tfstate()["outputs"]?["recommended_environment"]?["value"]?.objectValue)
        let bucket = try XCTUnwrap(outputs["FLOE_AWS_TEST_BUCKET"]?.stringValue)
        let run = "floe-provider-20261201T120000Z"
        try Boto.run("""
            s3 = boto3.client("s3")
            for i in range(3): s3.put_object(Bucket=sys.argv[1], Key=f"runs/{sys.argv[2]}/part-{i}.parquet", Body=b"x")
            s3.put_object(Bucket=sys.argv[1], Key="runs/other-run/keep.txt", Body=b"x")
            """, endpoint: server.endpoint, arguments: [bucket, run])
        var environment: [String: String?] = ["FLOE_PROVIDER_SPIKE_RUN": run]
        for (key, value) in outputs { environment[key] = value.stringValue }

        // A bucket the stack does not name: refused, naming both, before anything is deleted.
        var wrong = environment
        wrong["FLOE_AWS_TEST_BUCKET"] = "someone-elses-bucket"
        let refused = try sandbox(["cleanup", "--report-dir", "reports"], expect: 2, environment: wrong)
        XCTAssertTrue(refused.stderr.contains("FLOE_AWS_TEST_BUCKET=someone-elses-bucket but the stack's runs.bucket is \(bucket)"), refused.stderr)

        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath))
        let result = try sandbox(["cleanup", "--report-dir", "reports"], expect: 0, environment: environment)
        XCTAssertEqual(result.stdout.split(separator: "\n").last, "Cleanup checks passed", result.stdout)
        XCTAssertTrue(result.stdout.contains("Cleaned run \(run): 3 object(s)"), result.stdout)
        let left = try Boto.run("""
            print(",".join(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=sys.argv[1], Prefix="runs/").get("Contents", [])))
            """, endpoint: server.endpoint, arguments: [bucket])
        XCTAssertEqual(left.trimmingCharacters(in: .whitespacesAndNewlines), "runs/other-run/keep.txt")
        let none = try sandbox(["cleanup"], expect: 2, environment: ["FLOE_PROVIDER_SPIKE_RUN": nil])
        XCTAssertTrue(none.stderr.contains("set FLOE_PROVIDER_SPIKE_RUN (the stack's runs.id_variable)"), none.stderr)
    }
}
