import Foundation
import SandboxCore
import SandboxTestSupport
import XCTest

/// plan / apply / destroy / import / state / output / graph through the built binary against moto,
/// with boto3 as the independent witness of what exists in "AWS".
final class EngineIntegrationTests: XCTestCase {
    private var moto: MotoServer!
    private var directory: URL!
    private var cli: CommandRunner!

    private let account = "123456789012"
    private let bucket = "floe-provider-tests-123456789012-us-east-1"
    private let policyArn = "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions"
    private let budgetName = "floe-provider-tests-monthly-budget"
    private let email = "alerts@example.com"
    private var vars: [String] { ["--var", "owner=team-a", "--var", "budget_email=\(email)"] }
    private var statePath: String { directory.appendingPathComponent("State/aws-provider-tests.sqlite").path }
    private let allAddresses = [
        "budget.budget", "glue_database_prefix.glue", "iam_policy.policy", "s3_bucket.bucket", "s3_bucket_encryption.encryption",
        "s3_bucket_lifecycle.lifecycle", "s3_bucket_versioning.versioning", "s3_public_access_block.public_access",
    ]

    override func setUpWithError() throws {
        (moto, cli) = try CommandRunner.referenceStackOnSharedMoto()
        directory = cli.directory
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    // MARK: - Helpers

    /// Every command's output, kept for the secrets check.
    private var transcript: [CommandRunner.Result] = []

    @discardableResult
    private func sandbox(_ arguments: [String], expect status: Int32? = 0, timeout: TimeInterval = 120,
                         file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try cli.run(arguments, timeout: timeout)
        transcript.append(result)
        if let status, result.status != status {
            XCTFail("sandbox \(arguments.joined(separator: " ")) exited \(result.status), expected \(status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)",
                    file: file, line: line)
        }
        return result
    }

    private func apply(_ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws {
        try sandbox(["apply", "--auto-approve"] + vars + extra, file: file, line: line)
    }

    private func plan(_ extra: [String] = [], expect status: Int32, file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        try sandbox(["plan", "--detailed-exitcode"] + vars + extra, expect: status, file: file, line: line)
    }

    @discardableResult
    private func boto(_ script: String, _ arguments: [String] = []) throws -> String {
        try Boto.run(script, endpoint: moto.endpoint, arguments: arguments)
    }

    /// Everything boto3 can see: buckets with their settings, local policies, budgets with notifications and subscribers.
    private func world() throws -> JSONValue {
        let text = try boto(#"""
            import urllib.parse
            from botocore.exceptions import ClientError
            s3, iam, budgets = boto3.client("s3"), boto3.client("iam"), boto3.client("budgets")
            account = "123456789012"
            def attempt(f, *codes):
                try:
                    return f()
                except ClientError as e:
                    if e.response["Error"]["Code"] in codes:
                        return None
                    raise
            out = {"buckets": {}, "policies": {}, "budgets": {}}
            for b in s3.list_buckets().get("Buckets", []):
                name = b["Name"]
                versions = s3.list_object_versions(Bucket=name)
                out["buckets"][name] = {
                    "public_access": attempt(lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
                                             "NoSuchPublicAccessBlockConfiguration"),
                    "encryption": attempt(lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"],
                                          "ServerSideEncryptionConfigurationNotFoundError"),
                    "lifecycle": attempt(lambda: s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"], "NoSuchLifecycleConfiguration"),
                    "tags": attempt(lambda: {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=name)["TagSet"]}, "NoSuchTagSet"),
                    "versioning": s3.get_bucket_versioning(Bucket=name).get("Status", "Disabled"),
                    "objects": len(versions.get("Versions", [])) + len(versions.get("DeleteMarkers", [])),
                }
            for p in iam.list_policies(Scope="Local")["Policies"]:
                arn = p["Arn"]
                document = iam.get_policy_version(PolicyArn=arn, VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
                if isinstance(document, str):
                    document = json.loads(urllib.parse.unquote(document))
                out["policies"][arn] = {
                    "name": p["PolicyName"], "document": document,
                    "tags": {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=arn)["Tags"]},
                    "versions": len(iam.list_policy_versions(PolicyArn=arn)["Versions"]),
                }
            for b in budgets.describe_budgets(AccountId=account).get("Budgets", []):
                name = b["BudgetName"]
                notifications = []
                for n in budgets.describe_notifications_for_budget(AccountId=account, BudgetName=name)["Notifications"]:
                    subscribers = budgets.describe_subscribers_for_notification(AccountId=account, BudgetName=name, Notification=n)["Subscribers"]
                    notifications.append({"type": n["NotificationType"], "operator": n["ComparisonOperator"], "threshold": n["Threshold"],
                                          "threshold_type": n.get("ThresholdType", "PERCENTAGE"),
                                          "subscribers": [s["SubscriptionType"] + ":" + s["Address"] for s in subscribers]})
                budget_arn = f"arn:aws:budgets::{account}:budget/{name}"
                tags = {t["Key"]: t["Value"] for t in budgets.list_tags_for_resource(ResourceARN=budget_arn).get("ResourceTags", [])}
                out["budgets"][name] = {"limit": float(b["BudgetLimit"]["Amount"]), "unit": b["BudgetLimit"]["Unit"], "tags": tags,
                                        "time_unit": b["TimeUnit"], "type": b["BudgetType"],
                                        "notifications": sorted(notifications, key=lambda n: n["type"])}
            print(json.dumps(out, default=str))
            """#)
        return try XCTUnwrap(JSONValue.parse(text), text)
    }

    private func stateAddresses() throws -> [String: String] {
        let listed = try sandbox(["state", "list", "--json"])
        let records = try XCTUnwrap(JSONValue.parse(listed.stdout)?.arrayValue, listed.stdout)
        var out: [String: String] = [:]
        for record in records {
            if let address = record["address"]?.stringValue { out[address] = record["status"]?.stringValue ?? "?" }
        }
        return out
    }

    /// Asserts the reference stack is fully there, the way `apply` from empty leaves it.
    private func assertConverged(retention: Double = 3, limit: Double = 25, file: StaticString = #filePath, line: UInt = #line) throws {
        let world = try world()
        let b = try XCTUnwrap(world["buckets"]?[bucket], "bucket \(bucket) missing: \(world.compactJSON)", file: file, line: line)
        for key in ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] {
            XCTAssertEqual(b["public_access"]?[key], .bool(true), key, file: file, line: line)
        }
        XCTAssertEqual(b["encryption"]?.arrayValue?.first?["ApplyServerSideEncryptionByDefault"]?["SSEAlgorithm"], .string("AES256"), file: file, line: line)
        let rules = b["lifecycle"]?.arrayValue ?? []
        let rule = try XCTUnwrap(rules.first { $0["ID"] == .string("expire-provider-test-runs") }, "lifecycle: \(rules)", file: file, line: line)
        XCTAssertEqual(rule["Status"], .string("Enabled"), file: file, line: line)
        XCTAssertEqual(rule["Filter"]?["Prefix"] ?? rule["Prefix"], .string("runs/"), file: file, line: line)
        XCTAssertEqual(rule["Expiration"]?["Days"], .number(retention), file: file, line: line)
        XCTAssertEqual(rule["AbortIncompleteMultipartUpload"]?["DaysAfterInitiation"], .number(1), file: file, line: line)
        let tags = b["tags"]?.objectValue ?? [:]
        XCTAssertEqual(tags["ManagedBy"], .string("sandbox"), file: file, line: line)
        XCTAssertEqual(tags["Owner"], .string("team-a"), file: file, line: line)
        XCTAssertEqual(tags["Project"], .string("floe"), file: file, line: line)
        XCTAssertEqual(b["versioning"], .string("Disabled"), file: file, line: line)

        let policy = try XCTUnwrap(world["policies"]?[policyArn], "policy missing: \(world.compactJSON)", file: file, line: line)
        XCTAssertEqual(policy["tags"]?["ManagedBy"], .string("sandbox"), file: file, line: line)
        XCTAssertEqual(policy["tags"]?["Owner"], .string("team-a"), file: file, line: line)
        let statements = policy["document"]?["Statement"]?.arrayValue ?? []
        XCTAssertEqual(Set(statements.compactMap { $0["Sid"]?.stringValue }), ["Identity", "BucketLevel", "RunObjects", "GlueDatabases", "GlueTables",
                        // the CI-side commands' own statements (README "Least privilege")
                        "SandboxBucketReads", "SandboxListRunVersions", "SandboxDeleteRunVersions", "SandboxStateObject",
                        "SandboxListDatabases", "SandboxDropRunDatabase", "SandboxBudgetRead"],
                       file: file, line: line)
        let runObjects = statements.first { $0["Sid"] == .string("RunObjects") }
        XCTAssertEqual(runObjects?["Resource"], .string("arn:aws:s3:::\(bucket)/runs/*"), file: file, line: line)
        XCTAssertEqual(Set(runObjects?["Action"]?.arrayValue ?? []),
                       Set(["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"].map(JSONValue.string)),
                       file: file, line: line)
        let glue = statements.first { $0["Sid"] == .string("GlueTables") }
        XCTAssertTrue(glue?["Resource"]?.arrayValue?.contains(.string("arn:aws:glue:us-east-1:\(account):table/floe_provider_*/*")) == true,
                      "\(String(describing: glue))", file: file, line: line)
        XCTAssertFalse(policy["document"]?.compactJSON.contains("\"s3:*\"") ?? true, file: file, line: line)

        let budget = try XCTUnwrap(world["budgets"]?[budgetName], "budget missing: \(world.compactJSON)", file: file, line: line)
        XCTAssertEqual(budget["limit"], .number(limit), file: file, line: line)
        XCTAssertEqual(budget["type"], .string("COST"), file: file, line: line)
        XCTAssertEqual(budget["time_unit"], .string("MONTHLY"), file: file, line: line)
        XCTAssertEqual(budget["tags"], .object(["ManagedBy": .string("sandbox"), "Owner": .string("team-a"), "Project": .string("floe"),
                                                "Purpose": .string("provider-compatibility")]), file: file, line: line)
        let notifications = budget["notifications"]?.arrayValue ?? []
        XCTAssertEqual(notifications.count, 2, "\(notifications)", file: file, line: line)
        XCTAssertEqual(notifications.compactMap { $0["type"]?.stringValue }, ["ACTUAL", "FORECASTED"], file: file, line: line)
        XCTAssertEqual(notifications.compactMap { $0["threshold"]?.numberValue }, [80, 100], file: file, line: line)
        for notification in notifications {
            XCTAssertEqual(notification["subscribers"], .array([.string("EMAIL:\(email)")]), file: file, line: line)
            XCTAssertEqual(notification["operator"], .string("GREATER_THAN"), file: file, line: line)
        }
    }

    private func assertNothingLeft(file: StaticString = #filePath, line: UInt = #line) throws {
        let world = try world()
        XCTAssertEqual(world["buckets"], .object([:]), world.compactJSON, file: file, line: line)
        XCTAssertEqual(world["policies"], .object([:]), world.compactJSON, file: file, line: line)
        XCTAssertEqual(world["budgets"], .object([:]), world.compactJSON, file: file, line: line)
    }

    // MARK: - Apply and no-op plan

    func testApplyFromEmptyCreatesEverythingAndThenPlansNoChanges() throws {
        let first = try plan(expect: 2)
        for address in allAddresses { XCTAssertTrue(first.stdout.contains("+ \(address)"), "\(address) not created in:\n\(first.stdout)") }
        XCTAssertTrue(first.stdout.contains("Plan: 8 to add, 0 to change, 0 to replace, 0 to destroy."), first.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath), "plan must not create state")

        try apply()
        try assertConverged()
        XCTAssertEqual(try stateAddresses(), Dictionary(uniqueKeysWithValues: allAddresses.map { ($0, "created") }))

        let again = try plan(expect: 0)
        XCTAssertTrue(again.stdout.contains("No changes."), again.stdout)
        let second = try sandbox(["apply", "--auto-approve"] + vars)
        XCTAssertTrue(second.stdout.contains("0 applied, 8 unchanged, 0 failed"), second.stdout)

        // Outputs: --json, one by name, and --env that a POSIX shell can eval.
        let json = try sandbox(["output", "--json"])
        let outputs = try XCTUnwrap(JSONValue.parse(json.stdout), json.stdout)
        XCTAssertEqual(outputs["FLOE_AWS_TEST_BUCKET"], .string(bucket))
        XCTAssertEqual(outputs["FLOE_AWS_PROVIDER_TEST_POLICY_ARN"], .string(policyArn))
        XCTAssertEqual(outputs["FLOE_AWS_BUDGET_NAME"], .string(budgetName))
        XCTAssertEqual(try sandbox(["output", "FLOE_AWS_TEST_BUCKET"]).stdout, bucket + "\n")
        let env = try sandbox(["output", "--env"])
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "eval \"$SANDBOX_ENV\" && printf '%s|%s|%s|%s' \"$FLOE_AWS_TEST_BUCKET\" \"$FLOE_AWS_PROVIDER_TEST_POLICY_ARN\" \"$FLOE_AWS_TEST_PREFIX\" \"$FLOE_AWS_REGION\""]
        shell.environment = ["SANDBOX_ENV": env.stdout, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        shell.standardOutput = pipe
        try shell.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationStatus, 0)
        XCTAssertEqual(printed, "\(bucket)|\(policyArn)|runs/|us-east-1")
        for line in env.stdout.split(separator: "\n") { XCTAssertTrue(line.hasPrefix("export FLOE_AWS_"), String(line)) }

        let shown = try sandbox(["state", "show", "s3_bucket.bucket", "--json"])
        XCTAssertEqual(JSONValue.parse(shown.stdout)?["physical_id"], .string(bucket), shown.stdout)
        try sandbox(["state", "show", "s3_bucket.nope"], expect: 2)
    }

    func testOutputEnvQuotesValuesForTheShell() throws {
        // An alert address with shell metacharacters (the stack's patterns keep them out of prefixes) must come back
        // verbatim, never executed.
        let hostile = "a$(touch${IFS}pwned)'x\"`y`@example.com"
        try sandbox(["apply", "--auto-approve"] + vars + ["--var", "budget_email=\(hostile)"])
        let env = try sandbox(["output", "--env"])
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "eval \"$SANDBOX_ENV\" && printf '%s' \"$FLOE_AWS_BUDGET_EMAIL\""]
        shell.environment = ["SANDBOX_ENV": env.stdout, "PATH": "/usr/bin:/bin"]
        shell.currentDirectoryURL = directory
        let pipe = Pipe()
        shell.standardOutput = pipe
        try shell.run()
        let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        XCTAssertEqual(printed, hostile, env.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("pwned").path))
    }

    // MARK: - Changes

    func testChangedVariablesBecomeInPlaceUpdatesAndConverge() throws {
        try apply()
        let changed = ["--var", "run_data_retention_days=5", "--var", "budget_limit_usd=30"]
        let planned = try plan(changed, expect: 2)
        XCTAssertTrue(planned.stdout.contains("~ s3_bucket_lifecycle.lifecycle (update in place)"), planned.stdout)
        XCTAssertTrue(planned.stdout.contains("~ budget.budget (update in place)"), planned.stdout)
        XCTAssertTrue(planned.stdout.contains("expiration_days: 3 -> 5"), planned.stdout)
        XCTAssertTrue(planned.stdout.contains("limit_usd: 25 -> 30"), planned.stdout)
        XCTAssertTrue(planned.stdout.contains("Plan: 0 to add, 2 to change, 0 to replace, 0 to destroy."), planned.stdout)
        XCTAssertFalse(planned.stdout.contains("-/+"), planned.stdout)
        XCTAssertFalse(planned.stdout.contains("drift"), "a variable change is not drift:\n\(planned.stdout)")

        try apply(changed)
        try assertConverged(retention: 5, limit: 30)
        XCTAssertEqual(try plan(changed, expect: 0).stdout.contains("No changes."), true)
        // Back to the defaults is an update again, not drift.
        let back = try plan(expect: 2)
        XCTAssertTrue(back.stdout.contains("expiration_days: 5 -> 3"), back.stdout)
    }

    func testDriftIsShownAndRepaired() throws {
        try apply()
        try boto(#"""
            s3, iam = boto3.client("s3"), boto3.client("iam")
            bucket, arn = sys.argv[1], sys.argv[2]
            s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": False, "IgnorePublicAcls": False,
                                       "BlockPublicPolicy": False, "RestrictPublicBuckets": False})
            s3.delete_bucket_lifecycle(Bucket=bucket)
            tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
            del tags["Owner"]
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
            wide = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
            iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(wide), SetAsDefault=True)
            budgets = boto3.client("budgets")
            budget_arn = f"arn:aws:budgets::123456789012:budget/{sys.argv[3]}"
            budgets.untag_resource(ResourceARN=budget_arn, ResourceTagKeys=["Owner"])
            budgets.tag_resource(ResourceARN=budget_arn, ResourceTags=[{"Key": "Stray", "Value": "x"}])
            """#, [bucket, policyArn, budgetName])
        let drifted = try plan(expect: 2)
        let out = drifted.stdout
        XCTAssertTrue(out.contains("~ s3_public_access_block.public_access (update in place; changed outside sandbox)"), out)
        XCTAssertTrue(out.contains("block_public_acls: false -> true"), out)
        XCTAssertTrue(out.contains("+ s3_bucket_lifecycle.lifecycle (deleted outside sandbox)"), out)
        XCTAssertTrue(out.contains("drift (changed outside sandbox): exists recorded true, live false"), out)
        XCTAssertTrue(out.contains("drift (changed outside sandbox): block_public_acls recorded true, live false"), out)
        XCTAssertTrue(out.contains("~ s3_bucket.bucket (update in place; changed outside sandbox)"), out)
        XCTAssertTrue(out.contains("~ iam_policy.policy (update in place; changed outside sandbox)"), out)
        XCTAssertTrue(out.contains("~ budget.budget (update in place; changed outside sandbox)"), out)
        XCTAssertTrue(out.contains("Drift detected on 5 resources."), out)
        XCTAssertFalse(out.contains("-/+"), out)

        try apply()
        try assertConverged()
        _ = try plan(expect: 0)

        // The bucket itself deleted behind sandbox's back: recreated with all of its settings.
        try boto(#"boto3.client("s3").delete_bucket(Bucket=sys.argv[1])"#, [bucket])
        let gone = try plan(expect: 2)
        XCTAssertTrue(gone.stdout.contains("+ s3_bucket.bucket (deleted outside sandbox)"), gone.stdout)
        for address in ["s3_public_access_block.public_access", "s3_bucket_encryption.encryption", "s3_bucket_lifecycle.lifecycle"] {
            XCTAssertTrue(gone.stdout.contains("+ \(address)"), "\(address) in\n\(gone.stdout)")
        }
        try apply()
        try assertConverged()
        _ = try plan(expect: 0)
    }

    // MARK: - Destroy

    func testDestroyNeedsEmptyBucketForObjectsAndLeavesNothing() throws {
        try apply()
        try boto(#"""
            s3 = boto3.client("s3")
            for i in range(3):
                s3.put_object(Bucket=sys.argv[1], Key=f"runs/r1/part-{i}.parquet", Body=b"x")
            s3.create_multipart_upload(Bucket=sys.argv[1], Key="runs/r1/big.bin")
            """#, [bucket])
        let refused = try sandbox(["destroy", "--auto-approve"], expect: nil)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.output.contains("--empty-bucket"), refused.output)
        XCTAssertTrue(refused.output.contains(bucket), refused.output)
        // Refused before touching anything: the bucket keeps its guard rails and state still records all of it.
        try assertConverged()
        XCTAssertEqual(try stateAddresses().count, allAddresses.count)

        let destroyed = try sandbox(["destroy", "--auto-approve", "--empty-bucket"])
        XCTAssertTrue(destroyed.stdout.contains("Destroy complete"), destroyed.stdout)
        try assertNothingLeft()
        XCTAssertEqual(try stateAddresses(), [:])
        XCTAssertEqual(JSONValue.parse(try sandbox(["output", "--json"]).stdout), .object([:]))
        let again = try sandbox(["destroy", "--auto-approve"])
        XCTAssertTrue(again.stdout.contains("Nothing to destroy"), again.stdout)
        let replan = try plan(expect: 2)
        XCTAssertTrue(replan.stdout.contains("Plan: 8 to add"), replan.stdout)
    }

    func testDestroyWithoutConfirmationOrTerminalIsRefused() throws {
        try apply()
        let refused = try sandbox(["destroy"], expect: 2)
        XCTAssertTrue(refused.stderr.contains("--auto-approve"), refused.stderr)
        try assertConverged()
    }

    // MARK: - Import

    func testImportAdoptsResourcesThatAlreadyExist() throws {
        try boto(#"""
            s3, iam, budgets = boto3.client("s3"), boto3.client("iam"), boto3.client("budgets")
            s3.create_bucket(Bucket=sys.argv[1])
            iam.create_policy(PolicyName="floe-provider-tests-permissions", Description="Scoped access for provider-compatibility tests",
                              PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))
            budgets.create_budget(AccountId="123456789012",
                                  Budget={"BudgetName": sys.argv[2], "BudgetLimit": {"Amount": "25", "Unit": "USD"}, "TimeUnit": "MONTHLY", "BudgetType": "COST"},
                                  NotificationsWithSubscribers=[])
            """#, [bucket, budgetName])
        let before = try plan(expect: 2)
        XCTAssertTrue(before.stdout.contains("! s3_bucket.bucket exists in AWS but is not managed: run sandbox import s3_bucket.bucket \(bucket)"), before.stdout)
        XCTAssertTrue(before.stdout.contains("! iam_policy.policy exists in AWS but is not managed: run sandbox import iam_policy.policy \(policyArn)"), before.stdout)
        XCTAssertTrue(before.stdout.contains("! budget.budget exists in AWS but is not managed"), before.stdout)
        XCTAssertTrue(before.stdout.contains("3 exist but not managed (import first)"), before.stdout)

        // Applying over them is refused resource by resource, naming the import command.
        let collide = try sandbox(["apply", "--auto-approve"] + vars, expect: 1)
        XCTAssertTrue(collide.stdout.contains("sandbox import s3_bucket.bucket \(bucket)"), collide.stdout)

        let missing = try sandbox(["import", "s3_bucket.bucket", "no-such-bucket-anywhere"] + vars, expect: 4)
        XCTAssertTrue(missing.stderr.contains("no s3_bucket with id no-such-bucket-anywhere exists in account 123456789012"), missing.stderr)
        let unknown = try sandbox(["import", "s3_bucket.other", bucket] + vars, expect: 2)
        XCTAssertTrue(unknown.stderr.contains("s3_bucket.other is not in"), unknown.stderr)

        let imported = try sandbox(["import", "s3_bucket.bucket", bucket] + vars)
        XCTAssertTrue(imported.stdout.contains("Imported s3_bucket.bucket"), imported.stdout)
        try sandbox(["import", "iam_policy.policy", policyArn] + vars)
        try sandbox(["import", "budget.budget", budgetName] + vars)
        let twice = try sandbox(["import", "s3_bucket.bucket", bucket] + vars, expect: 2)
        XCTAssertTrue(twice.output.contains("already managed"), twice.output)

        let after = try plan(expect: 2)
        XCTAssertFalse(after.stdout.contains("! "), after.stdout)
        XCTAssertFalse(after.stdout.contains("not managed"), after.stdout)
        XCTAssertTrue(after.stdout.contains("~ iam_policy.policy"), "the imported policy's document differs:\n\(after.stdout)")
        XCTAssertTrue(after.stdout.contains("~ budget.budget"), "the imported budget has no notifications:\n\(after.stdout)")
        XCTAssertFalse(after.stdout.contains("+ s3_bucket.bucket"), after.stdout)
        XCTAssertFalse(after.stdout.contains("-/+"), after.stdout)

        try apply()
        try assertConverged()
        _ = try plan(expect: 0)
    }

    // MARK: - Saved plans

    func testStalePlanIsRefused() throws {
        try apply()
        let planFile = directory.appendingPathComponent("p.json").path
        let saved = try sandbox(["plan", "--out", planFile, "--var", "run_data_retention_days=5"] + vars)
        XCTAssertTrue(saved.stdout.contains("Saved the plan to \(planFile)"), saved.stdout)
        // The plan carries its variables; other values on the command line would apply something it never showed.
        let otherVars = try sandbox(["apply", planFile] + vars, expect: 2)
        XCTAssertTrue(otherVars.stderr.contains("other values for run_data_retention_days"), otherVars.stderr)
        XCTAssertEqual(try world()["buckets"]?[bucket]?["lifecycle"]?.arrayValue?.first?["Expiration"]?["Days"], .number(3))
        try boto(#"""
            boto3.client("s3").put_public_access_block(Bucket=sys.argv[1], PublicAccessBlockConfiguration={"BlockPublicAcls": True,
                "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": True})
            """#, [bucket])
        let refused = try sandbox(["apply", planFile], expect: 5)
        XCTAssertTrue(refused.stderr.contains("stale"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("s3_public_access_block.public_access"), refused.stderr)
        // Nothing was applied: the lifecycle still expires after 3 days.
        let rules = try world()["buckets"]?[bucket]?["lifecycle"]?.arrayValue ?? []
        XCTAssertEqual(rules.first?["Expiration"]?["Days"], .number(3))

        // A fresh plan applies, with the variables it was made with.
        try sandbox(["plan", "--out", planFile, "--var", "run_data_retention_days=5"] + vars)
        let applied = try sandbox(["apply", planFile])
        XCTAssertTrue(applied.stdout.contains("Apply complete"), applied.stdout)
        let after = try world()["buckets"]?[bucket]
        XCTAssertEqual(after?["lifecycle"]?.arrayValue?.first?["Expiration"]?["Days"], .number(5))
        XCTAssertEqual(after?["public_access"]?["BlockPublicPolicy"], .bool(true))
        // Applying the same plan twice is refused: state moved on.
        let replay = try sandbox(["apply", planFile], expect: 5)
        XCTAssertTrue(replay.stderr.contains("state changed since the plan was made"), replay.stderr)
    }

    func testStalePlanFromEmptyStateAndBadPlanFiles() throws {
        let planFile = directory.appendingPathComponent("p.json").path
        try sandbox(["plan", "--out", planFile] + vars)
        try boto(#"boto3.client("s3").create_bucket(Bucket=sys.argv[1])"#, [bucket])
        let refused = try sandbox(["apply", planFile], expect: 5)
        XCTAssertTrue(refused.stderr.contains("s3_bucket.bucket changed in AWS since the plan was made"), refused.stderr)
        XCTAssertEqual(try world()["policies"], .object([:]), "nothing was created")

        let garbage = directory.appendingPathComponent("garbage.json").path
        try Data("PK\u{3}\u{4} not a plan".utf8).write(to: URL(fileURLWithPath: garbage))
        let bad = try sandbox(["apply", garbage], expect: 2)
        XCTAssertTrue(bad.stderr.contains("not a sandbox plan file"), bad.stderr)
        var newer = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: planFile))) as? [String: Any])
        newer["formatVersion"] = 99
        try JSONSerialization.data(withJSONObject: newer).write(to: URL(fileURLWithPath: garbage))
        let future = try sandbox(["apply", garbage], expect: 2)
        XCTAssertTrue(future.stderr.contains("plan format 99"), future.stderr)
        try sandbox(["apply", directory.appendingPathComponent("missing.json").path], expect: 2)
    }

    // MARK: - Locking

    private func insertLock(pid: Int32, holder: String) throws {
        let script = """
            import socket, sqlite3, sys, uuid, datetime
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            db = sqlite3.connect(sys.argv[1], timeout=10)
            db.execute("INSERT INTO lock (id, token, holder, pid, host, operation, since, heartbeat) VALUES (1, ?, ?, ?, ?, 'apply', ?, ?)",
                       (str(uuid.uuid4()), sys.argv[2], int(sys.argv[3]), socket.gethostname(), now, now))
            db.commit()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, statePath, holder, "\(pid)"]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "could not insert the lock row")
    }

    private func startSleeper() throws -> Process {
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["30"]
        try sleeper.run()
        addTeardownBlock { if sleeper.isRunning { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() } }
        return sleeper
    }

    func testLockHeldByALiveProcessIsRespected() throws {
        try apply()
        let sleeper = try startSleeper()
        try insertLock(pid: sleeper.processIdentifier, holder: "alice@ci-runner")

        var started = Date()
        let immediate = try sandbox(["apply", "--auto-approve"] + vars, expect: 5)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "fails at once without --lock-timeout")
        XCTAssertTrue(immediate.stderr.contains("alice@ci-runner"), immediate.stderr)
        XCTAssertTrue(immediate.stderr.contains("pid \(sleeper.processIdentifier)"), immediate.stderr)
        XCTAssertTrue(immediate.stderr.contains("sandbox state unlock"), immediate.stderr)
        try sandbox(["destroy", "--auto-approve"], expect: 5)
        try sandbox(["import", "s3_bucket.bucket", bucket] + vars, expect: 5)

        started = Date()
        let waited = try sandbox(["apply", "--auto-approve", "--lock-timeout", "2"] + vars, expect: 5)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 2)
        XCTAssertLessThan(elapsed, 15)
        XCTAssertTrue(waited.stderr.contains("after waiting"), waited.stderr)

        // Plan never takes the lock.
        _ = try plan(expect: 0)

        // When the holder dies while we wait, its lock is broken and the apply goes ahead.
        let group = DispatchGroup()
        nonisolated(unsafe) var outcome: CommandRunner.Result?
        group.enter()
        let runner = cli!
        let arguments = ["apply", "--auto-approve", "--lock-timeout", "30"] + vars
        DispatchQueue.global().async {
            outcome = try? runner.run(arguments, timeout: 60)
            group.leave()
        }
        Thread.sleep(forTimeInterval: 1.5)
        kill(sleeper.processIdentifier, SIGKILL)
        sleeper.waitUntilExit()
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        let result = try XCTUnwrap(outcome)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stderr.contains("broke stale lock"), result.stderr)
        XCTAssertTrue(result.stderr.contains("alice@ci-runner"), result.stderr)

        // state unlock removes a lock whoever holds it.
        let other = try startSleeper()
        try insertLock(pid: other.processIdentifier, holder: "bob@laptop")
        let unlocked = try sandbox(["state", "unlock"])
        XCTAssertTrue(unlocked.stdout.contains("bob@laptop"), unlocked.stdout)
        try apply()
        XCTAssertTrue(try sandbox(["state", "unlock"]).stdout.contains("not locked"))
    }

    // MARK: - Interrupted apply

    func testApplyKilledMidwayIsReconciled() throws {
        // Time a whole apply here, so the kills below land inside one: startup, STS, reads, then the walk.
        let started = Date()
        try apply()
        let full = Date().timeIntervalSince(started)
        var killedWithPendingRecords = 0
        for fraction in [0.3, 0.45, 0.6, 0.7, 0.8, 0.9] {
            let delay = full * fraction
            try moto.reset()
            try? FileManager.default.removeItem(at: directory.appendingPathComponent("State"))
            let process = try cli.start(["apply", "--auto-approve"] + vars)
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()

            if FileManager.default.fileExists(atPath: statePath) {
                // Whatever the kill left, state never claims a created resource that does not exist.
                let partial = try stateAddresses()
                if partial.values.contains("pending") { killedWithPendingRecords += 1 }
                let world = try world()
                for (address, status) in partial where status == "created" {
                    switch address {
                    case "s3_bucket.bucket": XCTAssertNotNil(world["buckets"]?[bucket], "\(address) after \(delay)s")
                    case "iam_policy.policy": XCTAssertNotNil(world["policies"]?[policyArn], "\(address) after \(delay)s")
                    case "budget.budget": XCTAssertNotNil(world["budgets"]?[budgetName], "\(address) after \(delay)s")
                    default: break
                    }
                }
            }

            // The dead process's lock is broken; plan and apply converge.
            _ = try sandbox(["plan"] + vars)
            let converged = try sandbox(["apply", "--auto-approve"] + vars)
            XCTAssertTrue(converged.stdout.contains("0 failed"), "after \(delay)s:\n\(converged.output)")
            _ = try plan(expect: 0)

            // State records exactly what exists, all of it created.
            XCTAssertEqual(try stateAddresses(), Dictionary(uniqueKeysWithValues: allAddresses.map { ($0, "created") }), "after \(delay)s")
            let world = try world()
            XCTAssertEqual(world["buckets"]?.objectValue?.keys.sorted(), [bucket], "after \(delay)s")
            XCTAssertEqual(world["policies"]?.objectValue?.keys.sorted(), [policyArn], "after \(delay)s")
            XCTAssertEqual(world["budgets"]?.objectValue?.keys.sorted(), [budgetName], "after \(delay)s")
            XCTAssertEqual(world["policies"]?[policyArn]?["versions"], .number(1), "after \(delay)s: no policy version churn")
        }
        try assertConverged()
        print("EngineIntegrationTests: a full apply took \(String(format: "%.2f", full))s; \(killedWithPendingRecords) of 6 kills left pending records")
    }

    // MARK: - Guards

    func testWrongAccountIsRefusedBeforeAnyChange() throws {
        let stackFile = directory.appendingPathComponent("Stacks/aws-provider-tests.yaml")
        var text = try String(contentsOf: stackFile, encoding: .utf8)
        text = text.replacingOccurrences(of: "name: aws-provider-tests\n", with: "name: aws-provider-tests\nallowed_account_ids: [\"111111111111\"]\n")
        try text.write(to: stackFile, atomically: true, encoding: .utf8)
        for command in [["plan"], ["apply", "--auto-approve"], ["destroy", "--auto-approve"], ["import", "s3_bucket.bucket", bucket]] {
            let refused = try sandbox(command + vars, expect: 3)
            XCTAssertTrue(refused.stderr.contains("123456789012"), refused.stderr)
            XCTAssertTrue(refused.stderr.contains("111111111111"), refused.stderr)
        }
        // With --detailed-exitcode every error is 1, so 2 keeps meaning "changes".
        try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 1)
        try assertNothingLeft()
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath))
    }

    /// A stack error's own code is 2, the code --detailed-exitcode keeps for "changes present": under the flag it is 1.
    func testDetailedExitCodeIsOneForStackErrors() throws {
        let missingVariable = try sandbox(["plan"], expect: 2)
        XCTAssertTrue(missingVariable.stderr.contains("owner"), missingVariable.stderr)
        try sandbox(["plan", "--detailed-exitcode"], expect: 1)
        try sandbox(["plan", "--detailed-exitcode", "--var", "retention_days=999"] + vars, expect: 1)
        let stackFile = directory.appendingPathComponent("Stacks/aws-provider-tests.yaml")
        let text = try String(contentsOf: stackFile, encoding: .utf8)
        try text.replacingOccurrences(of: "\nresources:\n", with: "\nresources:\n  broken: { type: ec2_instance }\n").write(to: stackFile, atomically: true, encoding: .utf8)
        try sandbox(["plan"] + vars, expect: 2)
        try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 1)
        try text.write(to: stackFile, atomically: true, encoding: .utf8)
        // Changes present is still 2.
        try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath))
    }

    func testSecretsNeverReachStatePlansOrOutput() throws {
        let planFile = directory.appendingPathComponent("p.json").path
        try sandbox(["plan", "--out", planFile, "--log-level", "debug"] + vars)
        try sandbox(["apply", planFile, "--log-level", "debug"])
        try sandbox(["plan", "--out", planFile, "--json", "--log-level", "debug"] + vars)
        try sandbox(["output", "--json"])
        try sandbox(["output", "--env"])
        try sandbox(["state", "list"])
        try sandbox(["state", "show", "iam_policy.policy"])
        try sandbox(["destroy", "--auto-approve", "--log-level", "debug"])
        try sandbox(["validate"])

        var blobs: [(String, Data)] = transcript.enumerated().flatMap { index, result in
            [("stdout #\(index)", Data(result.stdout.utf8)), ("stderr #\(index)", Data(result.stderr.utf8))]
        }
        let stateDir = directory.appendingPathComponent("State")
        for name in try FileManager.default.contentsOfDirectory(atPath: stateDir.path) {
            blobs.append((name, try Data(contentsOf: stateDir.appendingPathComponent(name))))
        }
        blobs.append(("plan file", try Data(contentsOf: URL(fileURLWithPath: planFile))))
        XCTAssertTrue(blobs.contains { $0.0.hasSuffix(".sqlite") && $0.1.count > 0 })
        let secrets = [CommandRunner.secretAccessKey, CommandRunner.sessionToken, String(CommandRunner.sessionToken.prefix(24))]
        for (name, data) in blobs {
            for secret in secrets {
                XCTAssertNil(data.range(of: Data(secret.utf8)), "\(name) contains a credential")
            }
        }
    }

    // MARK: - Offline commands

    func testValidateReportsFileLineAndColumn() throws {
        let broken = directory.appendingPathComponent("Stacks/broken.yaml")
        try """
            version: 1
            name: broken
            resources:
              bucket:
                type: s3_bucket
              access:
                type: s3_public_access_block
                properties:
                  bucket: ${buckett.name}
              lifecycle:
                type: s3_bucket_lifecycel
            """.write(to: broken, atomically: true, encoding: .utf8)
        let result = try sandbox(["validate", "--stack", broken.path], expect: 2)
        XCTAssertTrue(result.stderr.contains("broken.yaml:9:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("broken.yaml:11:"), result.stderr)
        let json = try sandbox(["validate", "--stack", broken.path, "--json"], expect: 2)
        XCTAssertEqual(JSONValue.parse(json.stdout)?["valid"], .bool(false), json.stdout)
        try sandbox(["plan", "--stack", broken.path], expect: 2)
        let valid = try sandbox(["validate"])
        XCTAssertTrue(valid.stdout.contains("valid (12 resources"), valid.stdout)
    }

    func testTagsOutsideTheServicesPatternAreRefusedBeforeAnyWrite() throws {
        let tagged = directory.appendingPathComponent("Stacks/tagged.yaml")
        try """
            version: 1
            name: tagged
            variables:
              team: { type: string, default: platform }
            tags:
              Team: ${var.team}
            resources:
              bucket:
                type: s3_bucket
                properties:
                  tags: { "Cost&Center": "a<b" }
            """.write(to: tagged, atomically: true, encoding: .utf8)
        let refused = try sandbox(["validate", "--stack", tagged.path], expect: 2)
        XCTAssertTrue(refused.stderr.contains("tagged.yaml:11:") && refused.stderr.contains("found '&'"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("found '<'"), refused.stderr)
        let text = try String(contentsOf: tagged, encoding: .utf8)
        try text.replacingOccurrences(of: "\n    properties:\n      tags: { \"Cost&Center\": \"a<b\" }", with: "")
            .write(to: tagged, atomically: true, encoding: .utf8)
        try sandbox(["validate", "--stack", tagged.path])
        // A value that only breaks the rules once evaluated is refused before the first write.
        let evaluated = try sandbox(["apply", "--auto-approve", "--stack", tagged.path, "--var", "team=R&D"], expect: 2)
        XCTAssertTrue(evaluated.stderr.contains("tag Team") && evaluated.stderr.contains("found '&'"), evaluated.stderr)
        try assertNothingLeft()
    }

    func testGraphIsDOT() throws {
        let result = try sandbox(["graph"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "digraph \"aws-provider-tests\" {")
        XCTAssertEqual(lines.last, "}")
        for address in allAddresses { XCTAssertTrue(lines.contains("  \"\(address)\" [shape = box];"), address) }
        for setting in ["s3_public_access_block.public_access", "s3_bucket_encryption.encryption", "s3_bucket_versioning.versioning", "s3_bucket_lifecycle.lifecycle"] {
            XCTAssertTrue(lines.contains("  \"\(setting)\" -> \"s3_bucket.bucket\";"), setting)
        }
        XCTAssertTrue(lines.contains("  \"iam_policy.policy\" -> \"glue_database_prefix.glue\";"))
        XCTAssertTrue(lines.contains("  \"iam_policy.policy\" -> \"s3_bucket.bucket\";"))
        XCTAssertFalse(lines.contains { $0.contains("budget.budget\" ->") }, "the budget depends on nothing")
        // Every statement line ends with ';' and quotes balance.
        for line in lines.dropFirst().dropLast() {
            XCTAssertTrue(line.hasSuffix(";"), line)
            XCTAssertEqual(line.filter { $0 == "\"" }.count % 2, 0, line)
        }
    }
}
