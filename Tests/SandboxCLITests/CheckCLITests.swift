import Foundation
import SandboxTestSupport
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The reference stack applied to a freshly reset moto, in a temp directory of its own: what the
/// check and CI-flow tests start from.
struct ReferenceSandbox {
    static let variables = ["--var", "owner=x", "--var", "budget_email=a@example.com"]
    static let account = "123456789012"
    static let bucket = "floe-provider-tests-123456789012-us-east-1"
    static let policyArn = "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions"
    static let budget = "floe-provider-tests-monthly-budget"

    let server: MotoServer
    let directory: URL
    var runner: CommandRunner

    /// Skips unless moto is installed; resets moto, makes a temp dir and installs the reference stack.
    static func make() throws -> ReferenceSandbox {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        let server = try MotoServer.shared()
        try server.reset()
        let directory = try CommandRunner.temporaryDirectory()
        let runner = CommandRunner(endpoint: server.endpoint, directory: directory)
        try runner.installReferenceStack()
        return ReferenceSandbox(server: server, directory: directory, runner: runner)
    }

    func apply(file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try runner.run(["apply", "--auto-approve"] + Self.variables)
        XCTAssertEqual(result.status, 0, "apply failed: \(result.output)", file: file, line: line)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// boto3 against the same moto: the independent witness.
    @discardableResult
    func boto(_ script: String) throws -> String { try Boto.run(script, endpoint: server.endpoint) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Sentinel secrets must never appear in anything sandbox prints or writes.
func assertNoSentinelSecrets(_ text: String, _ what: String = "output", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(text.contains(CommandRunner.secretAccessKey), "secret key leaked in \(what)", file: file, line: line)
    XCTAssertFalse(text.contains(CommandRunner.sessionToken), "session token leaked in \(what)", file: file, line: line)
    XCTAssertFalse(text.contains(CheckCLITests.processSecret), "credential_process secret leaked in \(what)", file: file, line: line)
}

/// `sandbox check` end to end through the binary against moto: a ready sandbox, each kind of drift,
/// credentials and account failures, leftovers, spend, the probe, and every output format.
final class CheckCLITests: XCTestCase {
    static let processSecret = "ProcessSecretSENTINEL/0123456789abcdefghijklmnopqrstu"
    var sandbox: ReferenceSandbox!

    override func setUpWithError() throws {
        sandbox = try ReferenceSandbox.make()
    }

    override func tearDownWithError() throws {
        sandbox?.remove()
    }

    // MARK: - Helpers

    struct Check {
        let result: CommandRunner.Result
        let json: [String: Any]
        var checks: [[String: Any]] { json["checks"] as? [[String: Any]] ?? [] }
        var names: [String] { checks.compactMap { $0["name"] as? String } }
        func named(_ name: String) -> [String: Any]? { checks.first { $0["name"] as? String == name } }
        func status(_ name: String) -> String? { named(name)?["status"] as? String }
        func detail(_ name: String) -> String { named(name)?["detail"] as? String ?? "" }
        func fix(_ name: String) -> String { named(name)?["fix"] as? String ?? "" }
        func names(with status: String) -> Set<String> { Set(checks.filter { $0["status"] as? String == status }.compactMap { $0["name"] as? String }) }
    }

    /// Runs `sandbox check ARGS` (with the stack variables) and fails on any leaked secret.
    @discardableResult
    func check(_ arguments: [String] = [], environment: [String: String?] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try sandbox.runner.run(["check"] + ReferenceSandbox.variables + arguments, environment: environment)
        assertNoSentinelSecrets(result.output, file: file, line: line)
        XCTAssertFalse(result.output.contains("Fatal error"), result.output, file: file, line: line)
        return result
    }

    func checkJSON(_ arguments: [String] = [], environment: [String: String?] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Check {
        let result = try check(["--json"] + arguments, environment: environment, file: file, line: line)
        guard let json = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            XCTFail("check --json printed no JSON object: \(result.output)", file: file, line: line)
            return Check(result: result, json: [:])
        }
        return Check(result: result, json: json)
    }

    func firstLine(_ text: String) -> String { text.split(separator: "\n").first.map(String.init) ?? "" }

    static let resourceNames = [
        "resource s3_bucket.bucket", "resource s3_public_access_block.public_access", "resource s3_bucket_encryption.encryption",
        "resource s3_bucket_versioning.versioning", "resource s3_bucket_lifecycle.lifecycle", "resource glue_database_prefix.glue",
        "resource iam_policy.policy", "resource budget.budget",
    ]
    static let everyCheck = ["credentials", "account", "region", "state"] + resourceNames + ["guardrails", "policy", "leftovers", "spend"]

    /// Exactly `failing` fail, exactly `skipped` are skipped, everything else passes; exit 1 and the first line names the first failure.
    func assertNotReady(_ check: Check, failing: Set<String>, skipped: Set<String> = [], mentioning text: String,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(check.result.status, 1, check.result.output, file: file, line: line)
        XCTAssertEqual(check.json["ready"] as? Bool, false, file: file, line: line)
        XCTAssertEqual(check.names(with: "fail"), failing, "failing checks", file: file, line: line)
        XCTAssertEqual(check.names(with: "skip"), skipped, "skipped checks", file: file, line: line)
        XCTAssertEqual(check.names(with: "warn"), [], "warnings", file: file, line: line)
        XCTAssertEqual(Set(check.names), Set(Self.everyCheck), file: file, line: line)
        XCTAssertEqual(check.json["first_failure"] as? String, check.checks.first { $0["status"] as? String == "fail" }?["name"] as? String,
                       file: file, line: line)
        for name in failing {
            XCTAssertTrue(check.detail(name).contains(text), "\(name): '\(check.detail(name))' does not mention \(text)", file: file, line: line)
            XCTAssertFalse(check.fix(name).isEmpty, "\(name) has no fix", file: file, line: line)
        }
    }

    /// The human table's first line for the same state.
    func assertFirstLineNames(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let human = try check(file: file, line: line)
        XCTAssertEqual(human.status, 1, human.output, file: file, line: line)
        XCTAssertTrue(firstLine(human.stdout).hasPrefix("NOT READY: \(name):"), "first line: \(firstLine(human.stdout))", file: file, line: line)
    }

    // MARK: - Ready

    func testReadySandboxPassesEveryCheck() throws {
        try sandbox.apply()
        let human = try check()
        XCTAssertEqual(human.status, 0, human.output)
        XCTAssertTrue(firstLine(human.stdout).hasPrefix("READY: account 123456789012, us-east-1"), human.stdout)
        XCTAssertEqual(human.stderr, "")
        for name in Self.everyCheck {
            XCTAssertTrue(human.stdout.contains("✓ \(name)"), "no passing line for \(name) in\n\(human.stdout)")
        }

        let json = try checkJSON()
        XCTAssertEqual(json.result.status, 0)
        XCTAssertEqual(json.json["ready"] as? Bool, true)
        XCTAssertEqual(json.names, Self.everyCheck, "checks in order")
        XCTAssertEqual(json.names(with: "pass"), Set(Self.everyCheck))
        XCTAssertTrue(json.detail("credentials").contains("arn:aws:"), json.detail("credentials"))
        XCTAssertTrue(json.detail("resource s3_bucket.bucket").contains(ReferenceSandbox.bucket))

        // Timing: measured and reported, not asserted (the check's own clock, then the whole process).
        var wall: [Double] = []
        var own: [Double] = []
        for _ in 0..<3 {
            let started = Date()
            let run = try checkJSON()
            wall.append(Date().timeIntervalSince(started))
            own.append(run.json["duration_seconds"] as? Double ?? -1)
        }
        print(String(format: "sandbox check against moto: checks %.3f/%.3f/%.3f s, process %.3f/%.3f/%.3f s", own[0], own[1], own[2], wall[0], wall[1], wall[2]))
    }

    // MARK: - Drift, each flipping exactly its own check

    func testPublicAccessBlockTurnedOffFailsOnlyThatResource() throws {
        try sandbox.apply()
        try sandbox.boto("""
            boto3.client("s3").put_public_access_block(Bucket="\(ReferenceSandbox.bucket)", PublicAccessBlockConfiguration={
                "BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
            """)
        let result = try checkJSON()
        assertNotReady(result, failing: ["resource s3_public_access_block.public_access"], mentioning: "drift")
        let detail = result.detail("resource s3_public_access_block.public_access")
        XCTAssertTrue(detail.contains("block_public_acls: live false, stack true"), detail)
        XCTAssertTrue(detail.contains("restrict_public_buckets"), detail)
        try assertFirstLineNames("resource s3_public_access_block.public_access")
    }

    func testLifecycleRemovedFailsOnlyThatResource() throws {
        try sandbox.apply()
        try sandbox.boto(#"boto3.client("s3").delete_bucket_lifecycle(Bucket="\#(ReferenceSandbox.bucket)")"#)
        let result = try checkJSON()
        assertNotReady(result, failing: ["resource s3_bucket_lifecycle.lifecycle"], mentioning: "does not exist")
        XCTAssertTrue(result.detail("resource s3_bucket_lifecycle.lifecycle").contains("expire-provider-test-runs"))
        XCTAssertTrue(result.fix("resource s3_bucket_lifecycle.lifecycle").contains("sandbox apply"))
        try assertFirstLineNames("resource s3_bucket_lifecycle.lifecycle")
    }

    func testWidenedPolicyFailsOnlyThePolicy() throws {
        try sandbox.apply()
        try sandbox.boto("""
            iam = boto3.client("iam")
            doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
            iam.create_policy_version(PolicyArn="\(ReferenceSandbox.policyArn)", PolicyDocument=json.dumps(doc), SetAsDefault=True)
            """)
        let result = try checkJSON()
        assertNotReady(result, failing: ["resource iam_policy.policy"], mentioning: "s3:*")
        let detail = result.detail("resource iam_policy.policy")
        XCTAssertTrue(detail.contains("document: live policy allows s3:*"), detail)
        XCTAssertTrue(result.fix("resource iam_policy.policy").contains("sandbox plan"))
        try assertFirstLineNames("resource iam_policy.policy")
    }

    func testDeletedBudgetFailsTheBudgetAndSkipsSpend() throws {
        try sandbox.apply()
        try sandbox.boto(#"boto3.client("budgets").delete_budget(AccountId="123456789012", BudgetName="\#(ReferenceSandbox.budget)")"#)
        let result = try checkJSON()
        assertNotReady(result, failing: ["resource budget.budget"], skipped: ["spend"], mentioning: "\(ReferenceSandbox.budget) does not exist")
        XCTAssertTrue(result.detail("spend").contains("budget \(ReferenceSandbox.budget) does not exist"), result.detail("spend"))
        try assertFirstLineNames("resource budget.budget")
    }

    func testDeletedBucketFailsTheBucketAndSkipsWhatNeedsIt() throws {
        try sandbox.apply()
        try sandbox.boto(#"boto3.client("s3").delete_bucket(Bucket="\#(ReferenceSandbox.bucket)")"#)
        let result = try checkJSON()
        let dependents: Set<String> = ["resource s3_public_access_block.public_access", "resource s3_bucket_encryption.encryption",
                                       "resource s3_bucket_versioning.versioning", "resource s3_bucket_lifecycle.lifecycle", "leftovers"]
        assertNotReady(result, failing: ["resource s3_bucket.bucket"], skipped: dependents, mentioning: "\(ReferenceSandbox.bucket) does not exist")
        for name in dependents {
            XCTAssertTrue(result.detail(name).contains("bucket \(ReferenceSandbox.bucket) does not exist"), "\(name): \(result.detail(name))")
        }
        try assertFirstLineNames("resource s3_bucket.bucket")
    }

    // MARK: - Account and credentials

    func testWrongAccountExitsThree() throws {
        try sandbox.apply()
        let result = try checkJSON(["--expect-account", "111111111111"])
        XCTAssertEqual(result.result.status, 3, result.result.output)
        XCTAssertEqual(result.status("credentials"), "pass")
        XCTAssertEqual(result.status("account"), "fail")
        XCTAssertTrue(result.detail("account").contains("expected 111111111111"), result.detail("account"))
        XCTAssertEqual(result.names(with: "fail"), ["account"])
        XCTAssertEqual(result.json["first_failure"] as? String, "account")

        let human = try check(["--expect-account", "111111111111"])
        XCTAssertEqual(human.status, 3)
        XCTAssertTrue(firstLine(human.stdout).hasPrefix("NOT READY: account: credentials are for account 123456789012, expected 111111111111"),
                      human.stdout)
    }

    func testMissingCredentialsExitThreeWithFix() throws {
        try "".write(toFile: sandbox.path("aws-config"), atomically: true, encoding: .utf8)
        try "".write(toFile: sandbox.path("aws-credentials"), atomically: true, encoding: .utf8)
        let unset: [String: String?] = ["AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_SESSION_TOKEN": nil]
        let result = try check(environment: unset)
        XCTAssertEqual(result.status, 3, result.output)
        let first = firstLine(result.stdout)
        XCTAssertTrue(first.hasPrefix("NOT READY: credentials: no AWS credentials found"), first)
        XCTAssertTrue(first.contains("aws sso login"), first)
        XCTAssertTrue(first.contains("AWS_PROFILE"), first)

        let json = try checkJSON(environment: unset)
        XCTAssertEqual(json.result.status, 3)
        XCTAssertEqual(json.names(with: "fail"), ["credentials"])
        XCTAssertEqual(json.names(with: "skip"), Set(Self.everyCheck).subtracting(["credentials"]), "everything after credentials is skipped")
        XCTAssertEqual(json.names, Self.everyCheck)
    }

    func testExpiredProcessCredentialsAreASetupFailure() throws {
        try sandbox.apply()
        let script = sandbox.path("expired-creds.sh")
        try """
            #!/bin/sh
            cat <<'JSON'
            {"Version": 1, "AccessKeyId": "ASIAEXPIREDEXAMPLE00", "SecretAccessKey": "\(Self.processSecret)",
             "SessionToken": "\(Self.processSecret)TOKEN", "Expiration": "2020-01-01T00:00:00Z"}
            JSON
            """.write(toFile: script, atomically: true, encoding: .utf8)
        try "[profile expired]\nregion = us-east-1\ncredential_process = /bin/sh \(script)\n"
            .write(toFile: sandbox.path("aws-config"), atomically: true, encoding: .utf8)
        try "".write(toFile: sandbox.path("aws-credentials"), atomically: true, encoding: .utf8)
        let environment: [String: String?] = ["AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_SESSION_TOKEN": nil, "AWS_PROFILE": "expired"]
        let result = try checkJSON(environment: environment)
        XCTAssertEqual(result.result.status, 3, result.result.output)
        XCTAssertEqual(result.status("credentials"), "fail")
        XCTAssertTrue(result.detail("credentials").contains("expired at 2020-01-01T00:00:00Z"), result.detail("credentials"))
        XCTAssertTrue(result.detail("credentials").contains("credential_process of profile expired"), result.detail("credentials"))
        XCTAssertTrue(result.fix("credentials").contains("aws sso login --profile expired"), result.fix("credentials"))
        let human = try check(environment: environment)
        XCTAssertEqual(human.status, 3)
        // Refused when the command prints them, as botocore refuses still-expired credentials after a refresh.
        XCTAssertTrue(firstLine(human.stdout).hasPrefix("NOT READY: credentials: credential_process of profile expired printed credentials that expired"), human.stdout)
    }

    /// STS refusing the credentials (a stand-in endpoint answering 403 InvalidClientTokenId) is a setup failure too.
    func testRejectedCredentialsExitThree() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", """
            import http.server
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    body = b'<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>'
                    self.send_response(403)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def log_message(self, *args):
                    pass
            s = http.server.HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """]
        let out = Pipe()
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        var port = ""
        while !port.hasSuffix("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            port += String(decoding: chunk, as: UTF8.self)
        }
        let sts = "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))"
        let result = try checkJSON(environment: ["AWS_ENDPOINT_URL_STS": sts])
        XCTAssertEqual(result.result.status, 3, result.result.output)
        XCTAssertEqual(result.names(with: "fail"), ["credentials"])
        XCTAssertTrue(result.detail("credentials").contains("credentials from env were rejected"), result.detail("credentials"))
        XCTAssertTrue(result.detail("credentials").contains("InvalidClientTokenId"), result.detail("credentials"))
        XCTAssertTrue(result.fix("credentials").contains("aws sso login"), result.fix("credentials"))
    }

    // MARK: - State

    func testMissingStateFailsTheStateCheck() throws {
        try sandbox.apply()
        let state = sandbox.path("State/aws-provider-tests.sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state + suffix) }
        let result = try checkJSON()
        assertNotReady(result, failing: ["state"], mentioning: "no state at")
        XCTAssertTrue(result.fix("state").contains("run sandbox apply"), result.fix("state"))
        try assertFirstLineNames("state")
    }

    // MARK: - Leftovers

    func testOldRunsAreLeftoversAndFreshRunsAreNot() throws {
        try sandbox.apply()
        let fresh = try sandbox.runner.run(["run", "new"] + ReferenceSandbox.variables)
        XCTAssertEqual(fresh.status, 0, fresh.output)
        let freshId = fresh.stdout.split(separator: "\n").first { $0.hasPrefix("export FLOE_PROVIDER_SPIKE_RUN=") }
            .map { String($0.dropFirst("export FLOE_PROVIDER_SPIKE_RUN=".count)) } ?? ""
        XCTAssertTrue(freshId.hasPrefix("floe-provider-"), fresh.stdout)
        try sandbox.boto("""
            s3 = boto3.client("s3")
            glue = boto3.client("glue")
            for run in ["floe-provider-20200101T000000Z", "\(freshId)"]:
                s3.put_object(Bucket="\(ReferenceSandbox.bucket)", Key=f"runs/{run}/x", Body=b"x")
                glue.create_database(DatabaseInput={"Name": "floe_provider_" + run.lower().replace("-", "_")})
            """)
        let warned = try checkJSON()
        XCTAssertEqual(warned.result.status, 0, "a leftover only warns: \(warned.result.output)")
        XCTAssertEqual(warned.status("leftovers"), "warn")
        XCTAssertTrue(warned.detail("leftovers").contains("1 run(s) older than the 3d retention: floe-provider-20200101T000000Z"), warned.detail("leftovers"))
        XCTAssertFalse(warned.detail("leftovers").contains(freshId), "a fresh run is not a leftover")
        XCTAssertTrue(warned.fix("leftovers").contains("sandbox cleanup --stale"))
        XCTAssertEqual(warned.names(with: "fail"), [])
        let human = try check()
        XCTAssertTrue(firstLine(human.stdout).hasPrefix("READY: "), human.stdout)
        XCTAssertTrue(firstLine(human.stdout).contains("1 warning"), human.stdout)

        let failed = try checkJSON(["--fail-on-leftovers"])
        assertNotReady(failed, failing: ["leftovers"], mentioning: "floe-provider-20200101T000000Z")
        let strict = try check(["--fail-on-leftovers"])
        XCTAssertEqual(strict.status, 1)
        XCTAssertTrue(firstLine(strict.stdout).hasPrefix("NOT READY: leftovers: 1 run(s) older"), strict.stdout)

        // Only the fresh run left: nothing to warn about.
        try sandbox.boto("""
            boto3.client("s3").delete_object(Bucket="\(ReferenceSandbox.bucket)", Key="runs/floe-provider-20200101T000000Z/x")
            boto3.client("glue").delete_database(Name="floe_provider_floe_provider_20200101t000000z")
            """)
        let clean = try checkJSON(["--fail-on-leftovers"])
        XCTAssertEqual(clean.result.status, 0, clean.result.output)
        XCTAssertEqual(clean.status("leftovers"), "pass")
        XCTAssertTrue(clean.detail("leftovers").contains("1 newer run(s) present"), clean.detail("leftovers"))
    }

    // MARK: - Spend

    /// moto returns whatever CalculatedSpend the budget was created with, so recreating it drives spend.
    func setSpend(actual: String, forecast: String) throws {
        try sandbox.boto("""
            b = boto3.client("budgets")
            acct, name = "123456789012", "\(ReferenceSandbox.budget)"
            budget = b.describe_budget(AccountId=acct, BudgetName=name)["Budget"]
            notes = []
            for n in b.describe_notifications_for_budget(AccountId=acct, BudgetName=name)["Notifications"]:
                subs = b.describe_subscribers_for_notification(AccountId=acct, BudgetName=name, Notification=n)["Subscribers"]
                notes.append({"Notification": n, "Subscribers": subs})
            b.delete_budget(AccountId=acct, BudgetName=name)
            b.create_budget(AccountId=acct, NotificationsWithSubscribers=notes, Budget={
                "BudgetName": name, "BudgetLimit": budget["BudgetLimit"], "TimeUnit": budget["TimeUnit"], "BudgetType": budget["BudgetType"],
                "CalculatedSpend": {"ActualSpend": {"Amount": "\(actual)", "Unit": "USD"}, "ForecastedSpend": {"Amount": "\(forecast)", "Unit": "USD"}}})
            """)
    }

    func testSpendAtTheLimitFailsAndAboveTheThresholdWarns() throws {
        try sandbox.apply()
        let zero = try checkJSON()
        XCTAssertEqual(zero.status("spend"), "pass")
        XCTAssertTrue(zero.detail("spend").contains("actual 0.00, forecasted 0.00 of 25.00 USD"), zero.detail("spend"))

        try setSpend(actual: "21.50", forecast: "24")
        let warned = try checkJSON()
        XCTAssertEqual(warned.result.status, 0, warned.result.output)
        XCTAssertEqual(warned.status("spend"), "warn")
        XCTAssertTrue(warned.detail("spend").contains("actual 21.50, forecasted 24.00 of 25.00 USD (above the 80% alert threshold)"), warned.detail("spend"))
        XCTAssertEqual(warned.status("resource budget.budget"), "pass", "recreating the budget kept it in line with the stack")

        try setSpend(actual: "10", forecast: "30")
        let forecast = try checkJSON()
        XCTAssertEqual(forecast.status("spend"), "warn")
        XCTAssertTrue(forecast.detail("spend").contains("forecast reaches the limit"), forecast.detail("spend"))

        try setSpend(actual: "25", forecast: "40")
        let failed = try checkJSON()
        assertNotReady(failed, failing: ["spend"], mentioning: "actual 25.00, forecasted 40.00 of 25.00 USD (at or above the limit)")
        XCTAssertTrue(failed.fix("spend").contains("limit_usd"))
        try assertFirstLineNames("spend")
    }

    // MARK: - Output formats

    func testJUnitHasOneTestCasePerCheckAndFailuresForFailedChecks() throws {
        try sandbox.apply()
        try sandbox.boto(#"boto3.client("s3").delete_bucket_lifecycle(Bucket="\#(ReferenceSandbox.bucket)")"#)
        let junit = sandbox.path("out.xml")
        let result = try checkJSON(["--junit", junit])
        XCTAssertEqual(result.result.status, 1)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        assertNoSentinelSecrets(xml, "JUnit")

        let document = try XMLDocument(data: Data(xml.utf8))
        let suites = try document.nodes(forXPath: "/testsuites/testsuite")
        XCTAssertEqual(suites.count, 1)
        let suite = try XCTUnwrap(suites.first as? XMLElement)
        let cases = try suite.nodes(forXPath: "testcase").compactMap { $0 as? XMLElement }
        XCTAssertEqual(cases.compactMap { $0.attribute(forName: "name")?.stringValue }, result.names, "one test case per check, in order")
        XCTAssertEqual(suite.attribute(forName: "tests")?.stringValue, "\(cases.count)")
        let failed = cases.filter { !$0.elements(forName: "failure").isEmpty }
        XCTAssertEqual(suite.attribute(forName: "failures")?.stringValue, "\(failed.count)")
        XCTAssertEqual(Set(failed.compactMap { $0.attribute(forName: "name")?.stringValue }), result.names(with: "fail"))
        XCTAssertEqual(failed.count, 1)
        let message = failed.first?.elements(forName: "failure").first?.attribute(forName: "message")?.stringValue ?? ""
        XCTAssertTrue(message.contains("does not exist") && message.contains("fix: run sandbox apply"), message)
        for element in cases {
            XCTAssertNotNil(element.attribute(forName: "time").flatMap { Double($0.stringValue ?? "") }, "testcase time")
        }

        // And the same file from a ready sandbox: no failures.
        try sandbox.apply()
        XCTAssertEqual(try check(["--junit", junit]).status, 0)
        let ready = try XMLDocument(data: Data(contentsOf: URL(fileURLWithPath: junit)))
        XCTAssertEqual(try ready.nodes(forXPath: "//failure").count, 0)
        XCTAssertEqual(try ready.nodes(forXPath: "//testcase").count, Self.everyCheck.count)
    }

    func testJSONHasEveryCheckWithStatusDetailAndDuration() throws {
        try sandbox.apply()
        let result = try checkJSON()
        XCTAssertEqual(result.result.status, 0)
        XCTAssertEqual(result.result.stderr, "")
        XCTAssertEqual(result.names, Self.everyCheck)
        for check in result.checks {
            XCTAssertTrue(["pass", "warn", "fail", "skip"].contains(check["status"] as? String ?? ""), "\(check)")
            XCTAssertFalse((check["detail"] as? String ?? "").isEmpty, "\(check)")
            let seconds = try XCTUnwrap(check["duration_seconds"] as? Double, "\(check)")
            XCTAssertGreaterThanOrEqual(seconds, 0)
        }
        XCTAssertEqual(result.json["account_id"] as? String, "123456789012")
        XCTAssertEqual(result.json["region"] as? String, "us-east-1")
        XCTAssertEqual((result.json["counts"] as? [String: Int])?["pass"], Self.everyCheck.count)
        XCTAssertTrue(result.json["first_failure"] is NSNull)
        XCTAssertEqual((result.json["environment"] as? [String: String])?["FLOE_AWS_TEST_BUCKET"], ReferenceSandbox.bucket)
    }

    func testEnvPrintsExportLinesThatEvalInSh() throws {
        try sandbox.apply()
        let result = try check(["--env"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(firstLine(result.stderr).hasPrefix("READY: "), "the table goes to stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("export ") }, result.stdout)
        let envFile = sandbox.path("check.env")
        try result.stdout.write(toFile: envFile, atomically: true, encoding: .utf8)

        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "set -eu; eval \"$(cat \"$1\")\"; printf '%s\\n' \"$FLOE_AWS_TEST_BUCKET\" \"$FLOE_AWS_PROVIDER_TEST_POLICY_ARN\" \"$FLOE_AWS_REGION\" \"$FLOE_AWS_GLUE_DATABASE_PREFIX\" \"$FLOE_AWS_TEST_PREFIX\" \"$FLOE_AWS_BUDGET_NAME\"", "sh", envFile]
        shell.environment = ["PATH": "/usr/bin:/bin"]
        let out = Pipe()
        shell.standardOutput = out
        try shell.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)
        XCTAssertEqual(printed.split(separator: "\n").map(String.init),
                       [ReferenceSandbox.bucket, ReferenceSandbox.policyArn, "us-east-1", "floe_provider_", "runs/", ReferenceSandbox.budget])

        // Not ready: no export lines, so nothing half-configured gets exported.
        try sandbox.boto(#"boto3.client("s3").delete_bucket_lifecycle(Bucket="\#(ReferenceSandbox.bucket)")"#)
        let notReady = try check(["--env"])
        XCTAssertEqual(notReady.status, 1)
        XCTAssertEqual(notReady.stdout, "")
        XCTAssertTrue(firstLine(notReady.stderr).hasPrefix("NOT READY: resource s3_bucket_lifecycle.lifecycle:"), notReady.stderr)
    }

    func testStepSummaryGetsAMarkdownTable() throws {
        try sandbox.apply()
        let summary = sandbox.path("step-summary.md")
        try "# earlier step\n\n".write(toFile: summary, atomically: true, encoding: .utf8)
        XCTAssertEqual(try check(environment: ["GITHUB_STEP_SUMMARY": summary]).status, 0)
        let markdown = try String(contentsOfFile: summary, encoding: .utf8)
        assertNoSentinelSecrets(markdown, "step summary")
        XCTAssertTrue(markdown.hasPrefix("# earlier step\n\n## sandbox check: ready"), markdown)
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
        XCTAssertEqual(rows.first, "| | Check | Status | Detail | Time |")
        XCTAssertEqual(rows.dropFirst().first, "| --- | --- | --- | --- | --- |")
        XCTAssertEqual(rows.count, 2 + Self.everyCheck.count, markdown)
        for name in Self.everyCheck {
            XCTAssertTrue(rows.contains { $0.hasPrefix("| ✓ | \(name) | pass |") }, "no row for \(name)")
        }

        // A missing file is created (GitHub creates it, other runners may not).
        let fresh = sandbox.path("new-summary.md")
        try sandbox.boto(#"boto3.client("s3").delete_bucket_lifecycle(Bucket="\#(ReferenceSandbox.bucket)")"#)
        XCTAssertEqual(try check(environment: ["GITHUB_STEP_SUMMARY": fresh]).status, 1)
        let failing = try String(contentsOfFile: fresh, encoding: .utf8)
        XCTAssertTrue(failing.hasPrefix("## sandbox check: NOT ready: resource s3_bucket_lifecycle.lifecycle failed"), failing)
        XCTAssertTrue(failing.contains("| ✗ | resource s3_bucket_lifecycle.lifecycle | fail |"), failing)
    }

    // MARK: - Probe

    func testProbePassesAndLeavesNothingBehind() throws {
        try sandbox.apply()
        let result = try checkJSON(["--probe"])
        XCTAssertEqual(result.result.status, 0, result.result.output)
        XCTAssertEqual(result.names, Self.everyCheck + ["access probe"])
        XCTAssertEqual(result.status("access probe"), "pass")
        XCTAssertTrue(result.detail("access probe").contains("nothing left behind"), result.detail("access probe"))
        let witness = try sandbox.boto("""
            keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="\(ReferenceSandbox.bucket)").get("Contents", [])]
            dbs = [d["Name"] for d in boto3.client("glue").get_databases()["DatabaseList"]]
            print(json.dumps({"keys": keys, "databases": dbs}))
            """)
        let seen = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(witness.utf8)) as? [String: [String]])
        XCTAssertEqual(seen["keys"]?.filter { $0.contains("sandbox-probe") }, [], witness)
        XCTAssertEqual(seen["databases"]?.filter { $0.contains("probe") }, [], witness)
    }

    /// In a versioned bucket a plain delete leaves the version and adds a delete marker: the probe removes both by id.
    func testProbeInAVersionedBucketRemovesEveryVersionAndDeleteMarker() throws {
        let versioned = ["--var", "versioning=Enabled"]
        let applied = try sandbox.runner.run(["apply", "--auto-approve"] + ReferenceSandbox.variables + versioned)
        XCTAssertEqual(applied.status, 0, applied.output)
        let result = try checkJSON(["--probe"] + versioned)
        XCTAssertEqual(result.status("access probe"), "pass", result.result.output)
        XCTAssertTrue(result.detail("access probe").contains("and its 2 version(s) and delete marker(s)"), result.detail("access probe"))
        let witness = try sandbox.boto("""
            s3 = boto3.client("s3")
            assert s3.get_bucket_versioning(Bucket="\(ReferenceSandbox.bucket)")["Status"] == "Enabled"
            page = s3.list_object_versions(Bucket="\(ReferenceSandbox.bucket)")
            print(json.dumps([v["Key"] for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]))
            """)
        let keys = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(witness.utf8)) as? [String])
        XCTAssertEqual(keys.filter { $0.contains("sandbox-probe") }, [], witness)
    }
}
