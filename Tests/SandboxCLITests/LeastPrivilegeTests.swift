import Foundation
import SandboxCore
import SandboxPolicy
import SandboxTestSupport
import XCTest

/// The least-privilege lane: a moto that authorizes every request as AWS does (`--enforce-iam`). The stack is
/// applied as an administrator; an IAM user holding only the stack's policy then runs check --probe, run new,
/// a test writer, cleanup and report, and every authorization those commands cause must be one they declare.
final class LeastPrivilegeTests: XCTestCase {
    static let admin = (keyId: CommandRunner.accessKeyId, secret: CommandRunner.secretAccessKey)
    var server: MotoServer!
    var directory: URL!
    var adminRunner: CommandRunner!

    override func setUpWithError() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        server = try MotoServer.start(enforceIAM: Self.admin)
        directory = try CommandRunner.temporaryDirectory()
        // The administrator: the sentinel keys, without the session token (moto refuses a token with a user's key).
        adminRunner = CommandRunner(endpoint: server.endpoint, directory: directory)
        try adminRunner.installReferenceStack()
    }

    override func tearDownWithError() throws {
        server?.stop()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func run(_ runner: CommandRunner, _ arguments: [String]) throws -> CommandRunner.Result {
        try runner.run(arguments, environment: ["AWS_SESSION_TOKEN": nil])
    }

    /// boto3 as `key`/`secret` against the enforcing moto.
    @discardableResult
    func boto(_ script: String, key: String = admin.keyId, secret: String = admin.secret) throws -> String {
        let prefix = """
            import os
            os.environ["AWS_ACCESS_KEY_ID"] = \(Self.pyString(key)); os.environ["AWS_SECRET_ACCESS_KEY"] = \(Self.pyString(secret))
            os.environ.pop("AWS_SESSION_TOKEN", None)

            """
        return try Boto.run(prefix + script, endpoint: server.endpoint)
    }

    static func pyString(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "\\'") + "'" }

    /// A user with `policyArn` attached (or `inline` as its only policy); returns a runner with its keys.
    func identity(_ name: String, policyArn: String? = nil, inline: String? = nil) throws -> (CommandRunner, String, String) {
        let out = try boto("""
            iam = boto3.client("iam")
            iam.create_user(UserName=\(Self.pyString(name)))
            arn = \(Self.pyString(policyArn ?? ""))
            if arn: iam.attach_user_policy(UserName=\(Self.pyString(name)), PolicyArn=arn)
            doc = \(Self.pyString(inline ?? ""))
            if doc: iam.put_user_policy(UserName=\(Self.pyString(name)), PolicyName="only", PolicyDocument=doc)
            k = iam.create_access_key(UserName=\(Self.pyString(name)))["AccessKey"]
            print(k["AccessKeyId"], k["SecretAccessKey"])
            """)
        let parts = out.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count == 2 else { throw MotoServerError("no access key: \(out)") }
        var runner = adminRunner!
        runner.extraEnvironment = ["AWS_ACCESS_KEY_ID": parts[0], "AWS_SECRET_ACCESS_KEY": parts[1]]
        return (runner, parts[0], parts[1])
    }

    /// The CI role's declared calls, per command, as `sandbox policy --for ci --json` reports them.
    func declaredCalls(_ runner: CommandRunner) throws -> [DeclaredCall] {
        let result = try run(runner, ["policy", "--for", "ci", "--json"] + ReferenceSandbox.variables)
        XCTAssertEqual(result.status, 0, result.output)
        struct Declaration: Decodable { let calls: [DeclaredCall] }
        return try JSONDecoder().decode(Declaration.self, from: Data(result.stdout.utf8)).calls
    }

    /// Every authorization `key` caused since the last reset must be declared by `command`.
    func assertDeclared(_ command: String, key: String, calls: [DeclaredCall], file: StaticString = #filePath, line: UInt = #line) throws {
        let sent = try server.iamCalls().filter { $0["key"] as? String == key }
        XCTAssertFalse(sent.isEmpty, "\(command) sent nothing", file: file, line: line)
        let mine = calls.filter { $0.command == command }
        for call in sent {
            let action = call["action"] as? String ?? "", resource = call["resource"] as? String ?? "", prefix = call["prefix"] as? String
            XCTAssertTrue(mine.contains { $0.covers(action: action, resource: resource, prefix: prefix) },
                          "\(command) sent \(action) on \(resource)\(prefix.map { " (s3:prefix \($0))" } ?? "") but does not declare it",
                          file: file, line: line)
        }
        try server.resetIAMCalls()
    }

    func output(_ name: String) throws -> String {
        let result = try run(adminRunner, ["output", name])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func seed(key: String, secret: String, bucket: String, prefix: String, database: String) throws {
        try boto("""
            s3 = boto3.client("s3"); glue = boto3.client("glue")
            for i in range(30):
                s3.put_object(Bucket=\(Self.pyString(bucket)), Key=\(Self.pyString(prefix)) + f"t/part-{i}.parquet", Body=b"x" * 32)
            s3.create_multipart_upload(Bucket=\(Self.pyString(bucket)), Key=\(Self.pyString(prefix)) + "t/interrupted.parquet")
            glue.create_database(DatabaseInput={"Name": \(Self.pyString(database))})
            for t in ("a", "b", "c"):
                glue.create_table(DatabaseName=\(Self.pyString(database)), TableInput={"Name": t})
            """, key: key, secret: secret)
    }

    func exports(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst(7).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { out[String(pair[0])] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        }
        return out
    }

    func testCIIdentityRunsEveryCISideCommandWithOnlyTheStackPolicy() throws {
        let applied = try run(adminRunner, ["apply", "--auto-approve"] + ReferenceSandbox.variables)
        XCTAssertEqual(applied.status, 0, applied.output)
        let policyArn = try output("FLOE_AWS_PROVIDER_TEST_POLICY_ARN")
        let bucket = try output("FLOE_AWS_TEST_BUCKET")
        let (ci, key, secret) = try identity("provider-ci", policyArn: policyArn)
        let calls = try declaredCalls(ci)
        // stdout is only the document, ready for aws iam create-policy; the CI role's calls are all allowed by it.
        let printed = try run(ci, ["policy", "--for", "ci"] + ReferenceSandbox.variables)
        XCTAssertEqual(printed.status, 0, printed.output)
        let document = try IAMPolicy(name: "ci", document: try XCTUnwrap(JSONValue.parse(printed.stdout), printed.stdout))
        XCTAssertEqual(PolicyProof(policies: [document]).gaps(calls).map(\.description), [])
        try server.resetIAMCalls()

        let check = try run(ci, ["check", "--probe"] + ReferenceSandbox.variables)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.stdout.contains("skipped: needs iam:GetPolicy"), check.stdout)
        XCTAssertTrue(check.stdout.contains("cannot") || check.stdout.contains("not evaluated offline"), check.stdout)
        try assertDeclared("check", key: key, calls: calls)

        let minted = try run(ci, ["run", "new"] + ReferenceSandbox.variables)
        XCTAssertEqual(minted.status, 0, minted.output)
        let env = exports(minted.stdout)
        let runId = try XCTUnwrap(env["FLOE_PROVIDER_SPIKE_RUN"]), prefix = try XCTUnwrap(env["FLOE_AWS_RUN_PREFIX"])
        let database = try XCTUnwrap(env["FLOE_AWS_GLUE_DATABASE"])
        try seed(key: key, secret: secret, bucket: bucket, prefix: prefix, database: database)
        try server.resetIAMCalls()

        let cleanup = try run(ci, ["cleanup", "--run", runId] + ReferenceSandbox.variables)
        XCTAssertEqual(cleanup.status, 0, cleanup.output)
        try assertDeclared("cleanup", key: key, calls: calls)
        let left = try boto("""
            s3 = boto3.client("s3"); glue = boto3.client("glue")
            objects = s3.list_objects_v2(Bucket=\(Self.pyString(bucket)), Prefix=\(Self.pyString(prefix))).get("KeyCount", 0)
            uploads = len(s3.list_multipart_uploads(Bucket=\(Self.pyString(bucket)), Prefix=\(Self.pyString(prefix))).get("Uploads", []))
            dbs = [d["Name"] for d in glue.get_databases()["DatabaseList"] if d["Name"] == \(Self.pyString(database))]
            print(objects, uploads, len(dbs))
            """)
        XCTAssertEqual(left.trimmingCharacters(in: .whitespacesAndNewlines), "0 0 0", "left behind (objects uploads databases)")

        let report = try run(ci, ["report", "--run", runId] + ReferenceSandbox.variables)
        XCTAssertEqual(report.status, 0, report.output)
        XCTAssertTrue(report.stdout.contains(runId) && !report.stdout.contains("FAIL"), report.stdout)
        let list = try run(ci, ["run", "list"] + ReferenceSandbox.variables)
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertTrue(list.stdout.contains("\(runId)  cleaned"), list.stdout)
    }

    func testAPolicyLackingOneActionIsNamedByCheckAndStopsCleanup() throws {
        let applied = try run(adminRunner, ["apply", "--auto-approve"] + ReferenceSandbox.variables)
        XCTAssertEqual(applied.status, 0, applied.output)
        let bucket = try output("FLOE_AWS_TEST_BUCKET")
        // A copy of the stack whose policy lacks s3:ListBucketMultipartUploads.
        let stack = directory.appendingPathComponent("Stacks/aws-provider-tests.yaml")
        let text = try String(contentsOf: stack, encoding: .utf8)
        let copy = directory.appendingPathComponent("lacking.yaml")
        try text.replacingOccurrences(of: ", s3:ListBucketMultipartUploads]", with: "]").write(to: copy, atomically: true, encoding: .utf8)
        let gap = "does not allow s3:ListBucketMultipartUploads on arn:aws:s3:::\(bucket) (cleanup needs it)"
        let adminCheck = try run(adminRunner, ["check", "--stack", copy.path, "--state", "State/aws-provider-tests.sqlite"] + ReferenceSandbox.variables)
        XCTAssertEqual(adminCheck.status, 1, adminCheck.output)
        XCTAssertTrue(adminCheck.stdout.contains(gap), adminCheck.stdout)

        // An identity holding exactly that lacking policy.
        let tests = try run(adminRunner, ["policy", "--for", "ci", "--stack", copy.path, "--state", "State/aws-provider-tests.sqlite"] + ReferenceSandbox.variables)
        XCTAssertEqual(tests.status, 0, tests.output)
        XCTAssertTrue(tests.stdout.contains("\"SandboxCiS3"), "the builder adds what the copy lacks: \(tests.stdout)")
        XCTAssertTrue(tests.stdout.contains("\"s3:ListBucketMultipartUploads\""), tests.stdout)
        let live = try boto("""
            iam = boto3.client("iam")
            arn = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]][0]
            v = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            doc = iam.get_policy_version(PolicyArn=arn, VersionId=v)["PolicyVersion"]["Document"]
            doc = doc if isinstance(doc, dict) else json.loads(doc)
            for s in doc["Statement"]:
                if isinstance(s.get("Action"), list): s["Action"] = [a for a in s["Action"] if a != "s3:ListBucketMultipartUploads"]
            print(json.dumps(doc))
            """)
        let (lacking, key, secret) = try identity("lacking-ci", inline: live.trimmingCharacters(in: .whitespacesAndNewlines))
        // As that identity, the first failure is the gap (IAM reads are skipped, not failed).
        let check = try run(lacking, ["check", "--stack", copy.path, "--state", "State/aws-provider-tests.sqlite"] + ReferenceSandbox.variables)
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.stdout.split(separator: "\n").first?.contains(gap) ?? false, check.stdout)
        let minted = try run(lacking, ["run", "new"] + ReferenceSandbox.variables)
        XCTAssertEqual(minted.status, 0, minted.output)
        let env = exports(minted.stdout)
        let runId = try XCTUnwrap(env["FLOE_PROVIDER_SPIKE_RUN"])
        try seed(key: key, secret: secret, bucket: bucket, prefix: try XCTUnwrap(env["FLOE_AWS_RUN_PREFIX"]),
                 database: try XCTUnwrap(env["FLOE_AWS_GLUE_DATABASE"]))
        let cleanup = try run(lacking, ["cleanup", "--run", runId] + ReferenceSandbox.variables)
        XCTAssertNotEqual(cleanup.status, 0, cleanup.output)
        let errors = cleanup.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, cleanup.stderr)
        XCTAssertTrue(errors.first?.contains("s3:ListBucketMultipartUploads on arn:aws:s3:::\(bucket)") ?? false, cleanup.stderr)
        XCTAssertFalse(cleanup.stdout.contains("Status: PASS"), cleanup.stdout)
        let report = try run(lacking, ["report", "--run", runId, "--format", "json"] + ReferenceSandbox.variables)
        XCTAssertFalse(report.stdout.contains("\"PASS\""), report.stdout)
        XCTAssertTrue(report.stdout.contains("ListBucketMultipartUploads"), "the report says what could not be verified: \(report.stdout)")
    }
}
