import Foundation
import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxStack
import SandboxState
import XCTest
@testable import SandboxEngine

/// Fails any request: these tests never reach AWS, and prove it.
struct NoNetworkTransport: HTTPTransport {
    struct Refused: Error {}
    func send(_ request: HTTPRequest) async throws -> HTTPResponse { throw Refused() }
}

enum EngineFixtures {
    static let account = "123456789012"
    static let region = "us-east-1"

    static var context: ProviderContext {
        let client = AWSClient(region: .usEast1, credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret")),
                               transport: NoNetworkTransport())
        return ProviderContext(client: client, accountId: account, region: region, commonTags: [:], consistency: ConsistencyPolicy(attempts: 1))
    }

    static var referenceStackPath: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("Stacks/aws-provider-tests.yaml")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        }
        return "Stacks/aws-provider-tests.yaml"
    }

    static func referenceStack() throws -> Stack { try StackParser.load(path: referenceStackPath) }

    static func variables(_ stack: Stack, _ assignments: [String] = []) throws -> [String: JSONValue] {
        try VariableValues.resolve(stack, inputs: VariableInputs(assignments: ["owner=team-a", "budget_email=alerts@example.com"] + assignments)).values
    }

    static func desired(_ stack: Stack, _ assignments: [String] = [], providerContext: ProviderContext? = context) throws -> DesiredState {
        try DesiredState.evaluate(stack, variables: try variables(stack, assignments), accountId: account, region: region, providerContext: providerContext)
    }

    static func address(_ text: String) -> ResourceAddress { ResourceAddress(parsing: text)! }
}

final class DesiredStateTests: XCTestCase {
    func testReferenceStackDefaults() throws {
        let stack = try EngineFixtures.referenceStack()
        let desired = try EngineFixtures.desired(stack)
        XCTAssertEqual(desired.resources.count, 8)

        let bucket = try XCTUnwrap(desired.resources[EngineFixtures.address("s3_bucket.bucket")])
        XCTAssertEqual(bucket.attributes["name"], .string("floe-provider-tests-123456789012-us-east-1"))
        XCTAssertEqual(bucket.attributes["arn"], .string("arn:aws:s3:::floe-provider-tests-123456789012-us-east-1"))
        XCTAssertTrue(bucket.unknown.isEmpty)

        let lifecycle = try XCTUnwrap(desired.resources[EngineFixtures.address("s3_bucket_lifecycle.lifecycle")])
        XCTAssertEqual(lifecycle.attributes["bucket"], .string("floe-provider-tests-123456789012-us-east-1"))
        XCTAssertEqual(lifecycle.attributes["expiration_days"], .number(3))
        XCTAssertEqual(lifecycle.attributes["abort_incomplete_upload_days"], .number(1))
        XCTAssertEqual(lifecycle.attributes["prefix"], .string("runs/"))
        XCTAssertEqual(lifecycle.dependencies, [EngineFixtures.address("s3_bucket.bucket")])

        let access = try XCTUnwrap(desired.resources[EngineFixtures.address("s3_public_access_block.public_access")])
        let keys = PublicAccessBlockKind.schema.properties.map(\.name).filter { $0 != "bucket" }
        XCTAssertEqual(keys, ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"])
        for key in keys { XCTAssertEqual(access.attributes[key], .bool(true), key) }

        let budget = try XCTUnwrap(desired.resources[EngineFixtures.address("budget.budget")])
        XCTAssertEqual(budget.attributes["limit_usd"], .number(25))
        XCTAssertEqual(budget.attributes["emails"], .array([.string("alerts@example.com")]))
        XCTAssertEqual(budget.attributes["name"], .string("floe-provider-tests-monthly-budget"))

        let policy = try XCTUnwrap(desired.resources[EngineFixtures.address("iam_policy.policy")])
        XCTAssertEqual(policy.attributes["arn"], .string("arn:aws:iam::123456789012:policy/floe-provider-tests-permissions"))
        let document = try XCTUnwrap(policy.attributes["document"])
        XCTAssertTrue(document.compactJSON.contains("arn:aws:s3:::floe-provider-tests-123456789012-us-east-1/runs/*"), document.compactJSON)
        XCTAssertTrue(document.compactJSON.contains("arn:aws:glue:us-east-1:123456789012:database/floe_provider_*"), document.compactJSON)
        XCTAssertEqual(Set(policy.dependencies), [EngineFixtures.address("s3_bucket.bucket"), EngineFixtures.address("glue_database_prefix.glue"),
                                                  EngineFixtures.address("budget.budget")])
    }

    func testTemplatedNumbersAreCoerced() throws {
        let stack = try EngineFixtures.referenceStack()
        let desired = try EngineFixtures.desired(stack, ["run_data_retention_days=5", "budget_limit_usd=30"])
        XCTAssertEqual(desired.resources[EngineFixtures.address("s3_bucket_lifecycle.lifecycle")]?.attributes["expiration_days"], .number(5))
        XCTAssertEqual(desired.resources[EngineFixtures.address("budget.budget")]?.attributes["limit_usd"], .number(30))
    }

    func testCoercionOfTemplateStrings() {
        XCTAssertEqual(DesiredState.coerce(.string("5"), to: .integer), .number(5))
        XCTAssertEqual(DesiredState.coerce(.string("2.5"), to: .number), .number(2.5))
        XCTAssertEqual(DesiredState.coerce(.string("true"), to: .bool), .bool(true))
        XCTAssertEqual(DesiredState.coerce(.string("false"), to: .bool), .bool(false))
        XCTAssertEqual(DesiredState.coerce(.string("yes"), to: .bool), .string("yes"), "only true/false become booleans")
        XCTAssertEqual(DesiredState.coerce(.string("five"), to: .integer), .string("five"), "left for validation to report")
        XCTAssertEqual(DesiredState.coerce(.string("a@b.c"), to: .stringList), .array([.string("a@b.c")]))
        XCTAssertEqual(DesiredState.coerce(.number(3), to: .integer), .number(3))
        XCTAssertEqual(DesiredState.coerce(.string("7"), to: .string), .string("7"))
    }

    func testInterpolatedNumberIsCoercedAndValidated() throws {
        let stack = try StackParser.parse("""
            version: 1
            name: coerce
            variables:
              days: { type: integer, default: 4 }
              flag: { type: string, default: "false" }
            resources:
              bucket:
                type: s3_bucket
              lifecycle:
                type: s3_bucket_lifecycle
                properties:
                  bucket: ${bucket.name}
                  expiration_days: "${var.days}"
              access:
                type: s3_public_access_block
                properties:
                  bucket: ${bucket.name}
                  block_public_acls: "${var.flag}"
            """, file: "coerce.yaml")
        func evaluate(_ assignments: [String]) throws -> DesiredState {
            let variables = try VariableValues.resolve(stack, inputs: VariableInputs(assignments: assignments)).values
            return try DesiredState.evaluate(stack, variables: variables, accountId: EngineFixtures.account, region: EngineFixtures.region, providerContext: nil)
        }
        let desired = try evaluate([])
        XCTAssertEqual(desired.resources[EngineFixtures.address("s3_bucket_lifecycle.lifecycle")]?.attributes["expiration_days"], .number(4))
        XCTAssertEqual(desired.resources[EngineFixtures.address("s3_public_access_block.access")]?.attributes["block_public_acls"], .bool(false))

        XCTAssertThrowsError(try evaluate(["days=45"])) { error in
            XCTAssertTrue("\(error)".contains("expiration_days"), "\(error)")
        }
    }

    func testDefaultBucketNameUsesStackNameWithoutPrefixAndExplicitNameWins() throws {
        let stack = try StackParser.parse("""
            version: 1
            name: tiny
            resources:
              plain:
                type: s3_bucket
              named:
                type: s3_bucket
                properties:
                  name: my-own-bucket-name
              prefixed:
                type: s3_bucket
                properties:
                  name_prefix: custom
            """, file: "tiny.yaml")
        let desired = try DesiredState.evaluate(stack, variables: [:], accountId: EngineFixtures.account, region: "eu-west-1", providerContext: nil)
        XCTAssertEqual(desired.resources[EngineFixtures.address("s3_bucket.plain")]?.attributes["name"], .string("tiny-123456789012-eu-west-1"))
        XCTAssertEqual(desired.resources[EngineFixtures.address("s3_bucket.named")]?.attributes["name"], .string("my-own-bucket-name"))
        XCTAssertEqual(desired.resources[EngineFixtures.address("s3_bucket.prefixed")]?.attributes["name"], .string("custom-123456789012-eu-west-1"))
    }

    func testTooLongDefaultBucketNameIsReported() throws {
        let stack = try StackParser.parse("""
            version: 1
            name: tiny
            resources:
              bucket:
                type: s3_bucket
                properties:
                  name_prefix: a-very-long-prefix-that-makes-the-default-bucket-name-too-long
            """, file: "tiny.yaml")
        XCTAssertThrowsError(try DesiredState.evaluate(stack, variables: [:], accountId: EngineFixtures.account, region: "ap-southeast-2", providerContext: nil)) { error in
            XCTAssertTrue("\(error)".contains("default bucket name"), "\(error)")
        }
    }

    func testTagsMergeStackTagsResourceTagsAndManagedBy() throws {
        let stack = try StackParser.parse("""
            version: 1
            name: tags
            variables:
              owner: { type: string, default: team-b }
            tags:
              Owner: ${var.owner}
              Project: floe
            resources:
              bucket:
                type: s3_bucket
                properties:
                  tags:
                    Project: override
                    Extra: "yes"
                    ManagedBy: someone-else
              policy:
                type: iam_policy
                properties:
                  name: p
                  document: { Version: "2012-10-17", Statement: [ { Effect: Allow, Action: "s3:ListBucket", Resource: "*" } ] }
              glue:
                type: glue_database_prefix
                properties:
                  prefix: x_
            """, file: "tags.yaml")
        let desired = try DesiredState.evaluate(stack, variables: ["owner": .string("team-b")], accountId: EngineFixtures.account,
                                                region: EngineFixtures.region, providerContext: nil)
        let bucketTags = desired.resources[EngineFixtures.address("s3_bucket.bucket")]?.attributes.stringMap("tags")
        // Resource tags override the stack's, but every managed resource stays ManagedBy=sandbox.
        XCTAssertEqual(bucketTags, ["Owner": "team-b", "Project": "override", "Extra": "yes", "ManagedBy": "sandbox"])
        let policyTags = desired.resources[EngineFixtures.address("iam_policy.policy")]?.attributes.stringMap("tags")
        XCTAssertEqual(policyTags, ["Owner": "team-b", "Project": "floe", "ManagedBy": "sandbox"])
        XCTAssertNil(desired.resources[EngineFixtures.address("glue_database_prefix.glue")]?.attributes["tags"], "not taggable")
    }

    func testReferencesToComputedAttributesStayUnknown() throws {
        let stack = try EngineFixtures.referenceStack()
        // Without a provider context nothing computes the bucket ARN, so the policy document is known only after apply.
        let desired = try EngineFixtures.desired(stack, providerContext: nil)
        let policy = try XCTUnwrap(desired.resources[EngineFixtures.address("iam_policy.policy")])
        XCTAssertEqual(policy.unknown, ["document"])
        XCTAssertNil(policy.attributes["document"])
        XCTAssertEqual(policy.attributes["name"], .string("floe-provider-tests-permissions"))
    }

    func testOutputsFromKnownAttributes() throws {
        let stack = try EngineFixtures.referenceStack()
        let desired = try EngineFixtures.desired(stack)
        let outputs = desired.outputs(known: ["policy": ["arn": .string("arn:aws:iam::123456789012:policy/real")]])
        XCTAssertEqual(outputs["FLOE_AWS_TEST_BUCKET"], .string("floe-provider-tests-123456789012-us-east-1"))
        XCTAssertEqual(outputs["FLOE_AWS_PROVIDER_TEST_POLICY_ARN"], .string("arn:aws:iam::123456789012:policy/real"))
        XCTAssertEqual(outputs["FLOE_AWS_REGION"], .string("us-east-1"))
        XCTAssertEqual(outputs["FLOE_AWS_GLUE_DATABASE_PREFIX"], .string("floe_provider_"))
    }
}

/// Planner.decide: one resource, its record and what was read live -> an action. No AWS involved.
final class PlannerDecideTests: XCTestCase {
    private var desired: DesiredState!
    private var planner: Planner!

    override func setUpWithError() throws {
        desired = try EngineFixtures.desired(try EngineFixtures.referenceStack())
        planner = Planner(desired: desired, records: [], context: EngineFixtures.context)
    }

    private func decide(_ address: String, record: ResourceRecord?, live: Attributes?) throws -> PlannedChange {
        let item = try XCTUnwrap(desired.resources[EngineFixtures.address(address)])
        let provider = try XCTUnwrap(KindCatalogue.standard.provider(for: item.address.type))
        return planner.decide(item, provider: provider, record: record, live: live)
    }

    private func record(_ address: String, _ attributes: Attributes, status: ResourceStatus = .created) -> ResourceRecord {
        let parsed = EngineFixtures.address(address)
        return ResourceRecord(address: parsed, physicalId: KindCatalogue.standard.provider(for: parsed.type)?.physicalId(attributes),
                              attributes: attributes, dependencies: desired.resources[parsed]?.dependencies ?? [], status: status)
    }

    private func attributes(_ address: String) -> Attributes { desired.resources[EngineFixtures.address(address)]!.attributes }

    func testNothingAnywhereIsCreate() throws {
        let change = try decide("s3_bucket.bucket", record: nil, live: nil)
        XCTAssertEqual(change.action, .create)
        XCTAssertNil(change.reason)
        XCTAssertEqual(change.fingerprint, "absent")
    }

    func testLiveButUnrecordedStandaloneIsImportable() throws {
        let live: Attributes = ["name": .string("floe-provider-tests-123456789012-us-east-1"), "tags": .object([:])]
        let change = try decide("s3_bucket.bucket", record: nil, live: live)
        XCTAssertEqual(change.action, .importable)
        XCTAssertEqual(change.importId, "floe-provider-tests-123456789012-us-east-1")
        XCTAssertEqual(PlanAction.importable.symbol, "!")

        let policy = try decide("iam_policy.policy", record: nil, live: attributes("iam_policy.policy"))
        XCTAssertEqual(policy.action, .importable)
        XCTAssertEqual(policy.importId, "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions")
    }

    func testLiveButUnrecordedSettingIsCreateThatRecords() throws {
        let same = try decide("s3_bucket_encryption.encryption", record: nil, live: attributes("s3_bucket_encryption.encryption"))
        XCTAssertEqual(same.action, .create)
        XCTAssertEqual(same.reason, "already configured in AWS; will be recorded")
        var other = attributes("s3_public_access_block.public_access")
        other["block_public_policy"] = .bool(false)
        let differs = try decide("s3_public_access_block.public_access", record: nil, live: other)
        XCTAssertEqual(differs.action, .create)
        XCTAssertEqual(differs.changes.map(\.name), ["block_public_policy"])
    }

    func testRecordedAndMatchingIsNoop() throws {
        for address in desired.resources.keys.map(\.description) {
            var live = attributes(address)
            if address.hasPrefix("budget.") { live["notifications_without_subscribers"] = .number(0) }
            let change = try decide(address, record: record(address, attributes(address)), live: live)
            XCTAssertEqual(change.action, .noop, "\(address): \(change.changes)")
            XCTAssertTrue(change.drift.isEmpty, address)
        }
    }

    func testDriftBecomesUpdateWithDriftListed() throws {
        let address = "s3_public_access_block.public_access"
        var live = attributes(address)
        live["block_public_acls"] = .bool(false)
        let change = try decide(address, record: record(address, attributes(address)), live: live)
        XCTAssertEqual(change.action, .update)
        XCTAssertEqual(change.reason, "changed outside sandbox")
        XCTAssertEqual(change.drift, [AttributeChange(name: "block_public_acls", old: .bool(false), new: .bool(true))])
        XCTAssertEqual(change.changes.map(\.name), ["block_public_acls"])
    }

    func testVariableChangeIsUpdateWithoutDrift() throws {
        let address = "s3_bucket_lifecycle.lifecycle"
        var recorded = attributes(address)
        recorded["expiration_days"] = .number(3)
        let changed = try EngineFixtures.desired(try EngineFixtures.referenceStack(), ["run_data_retention_days=5"])
        let item = try XCTUnwrap(changed.resources[EngineFixtures.address(address)])
        let change = Planner(desired: changed, records: [], context: EngineFixtures.context)
            .decide(item, provider: KindCatalogue.standard.provider(for: "s3_bucket_lifecycle")!, record: record(address, recorded), live: recorded)
        XCTAssertEqual(change.action, .update)
        XCTAssertNil(change.reason)
        XCTAssertTrue(change.drift.isEmpty)
        XCTAssertEqual(change.changes, [AttributeChange(name: "expiration_days", old: .number(3), new: .number(5))])
    }

    func testDeletedOutsideIsCreateWithDrift() throws {
        let address = "s3_bucket_lifecycle.lifecycle"
        let change = try decide(address, record: record(address, attributes(address)), live: nil)
        XCTAssertEqual(change.action, .create)
        XCTAssertEqual(change.reason, "deleted outside sandbox")
        // Drift is (old: live, new: recorded), like every other drift entry: it was recorded as existing, live it is gone.
        XCTAssertEqual(change.drift, [AttributeChange(name: "exists", old: .bool(false), new: .bool(true))])
    }

    func testInterruptedApplyIsReconciled() throws {
        let address = "budget.budget"
        let pending = record(address, attributes(address), status: .pending)
        let neverCreated = try decide(address, record: pending, live: nil)
        XCTAssertEqual(neverCreated.action, .create)
        XCTAssertEqual(neverCreated.reason, "an interrupted apply never finished creating it")
        XCTAssertTrue(neverCreated.drift.isEmpty == false)

        var live = attributes(address)
        live["notifications_without_subscribers"] = .number(0)
        let created = try decide(address, record: pending, live: live)
        XCTAssertEqual(created.action, .update)
        XCTAssertEqual(created.reason, "an interrupted apply created it; will be recorded")
        XCTAssertTrue(created.drift.isEmpty, "a pending record is no evidence of drift")
    }

    func testRenamedBucketIsReplace() throws {
        let address = "s3_bucket.bucket"
        var old = attributes(address)
        old["name"] = .string("old-name-123")
        let change = try decide(address, record: record(address, old), live: old)
        XCTAssertEqual(change.action, .replace)
        XCTAssertTrue(change.changes.contains { $0.name == "name" && $0.forcesReplacement })
    }

    func testSuspendedVersioningSatisfiesDisabled() throws {
        let address = "s3_bucket_versioning.versioning"
        var live = attributes(address)
        live["status"] = .string("Suspended")
        XCTAssertEqual(try decide(address, record: record(address, attributes(address)), live: live).action, .noop)
        live["status"] = .string("Enabled")
        XCTAssertEqual(try decide(address, record: record(address, attributes(address)), live: live).action, .update)
    }

    func testPolicyDocumentInAnotherShapeIsNoop() throws {
        let address = "iam_policy.policy"
        var live = attributes(address)
        let document = try XCTUnwrap(live["document"])
        // IAM hands documents back URL-encoded and in its own order; parse gives the same meaning.
        live["document"] = PolicyDocument.parse(PolicyDocument.canonicalText(document).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        XCTAssertNotEqual(live["document"], document)
        XCTAssertEqual(try decide(address, record: record(address, attributes(address)), live: live).action, .noop)

        var widened = attributes(address)
        widened["document"] = JSONValue.parse(document.compactJSON.replacingOccurrences(of: "/runs/*", with: "/*"))
        let change = try decide(address, record: record(address, attributes(address)), live: widened)
        XCTAssertEqual(change.action, .update)
        XCTAssertEqual(change.drift.map(\.name), ["document"])
    }
}

/// Saved plans: what `plan --out` writes and `apply PLANFILE` reads.
final class PlanFileTests: XCTestCase {
    private func samplePlan(formatVersion: Int = Plan.formatVersion) -> Plan {
        let change = PlannedChange(address: EngineFixtures.address("s3_bucket_lifecycle.lifecycle"), action: .update, reason: "changed outside sandbox",
                                   changes: [AttributeChange(name: "expiration_days", old: .number(3), new: .number(5))],
                                   drift: [AttributeChange(name: "prefix", old: .string("x/"), new: .string("runs/"), forcesReplacement: false)],
                                   after: ["bucket": .string("b"), "expiration_days": .number(5), "enabled": .bool(true), "ratio": .number(0.5)],
                                   unknownAfter: [], fingerprint: Fingerprint.of(["bucket": .string("b")]),
                                   dependencies: [EngineFixtures.address("s3_bucket.bucket")], importId: nil)
        let importable = PlannedChange(address: EngineFixtures.address("s3_bucket.bucket"), action: .importable, reason: nil, changes: [], drift: [],
                                       after: nil, unknownAfter: ["arn"], fingerprint: "absent", dependencies: [], importId: "b")
        return Plan(formatVersion: formatVersion, sandboxVersion: "0.1.0", stackFile: "Stacks/aws-provider-tests.yaml", stackSHA256: String(repeating: "a", count: 64),
                    stackName: "aws-provider-tests", lineage: "lin-1", serial: 7, accountId: "123456789012", region: "us-east-1",
                    createdAt: Date(timeIntervalSince1970: 1_760_000_000), variables: ["owner": .string("me"), "run_data_retention_days": .number(1), "flag": .bool(true)],
                    changes: [change, importable], refreshed: true)
    }

    func testRoundTrip() throws {
        let plan = samplePlan()
        let data = try plan.encoded()
        let decoded = try Plan.decode(data, file: "p.json")
        XCTAssertEqual(decoded.formatVersion, Plan.formatVersion)
        XCTAssertEqual(decoded.lineage, "lin-1")
        XCTAssertEqual(decoded.serial, 7)
        XCTAssertEqual(decoded.accountId, plan.accountId)
        XCTAssertEqual(decoded.createdAt, plan.createdAt)
        XCTAssertEqual(decoded.variables, plan.variables, "numbers stay numbers (1 is not true), booleans stay booleans")
        XCTAssertEqual(decoded.changes.count, 2)
        XCTAssertEqual(decoded.changes[0].after, plan.changes[0].after)
        XCTAssertEqual(decoded.changes[0].changes, plan.changes[0].changes)
        XCTAssertEqual(decoded.changes[0].drift, plan.changes[0].drift)
        XCTAssertEqual(decoded.changes[0].dependencies, plan.changes[0].dependencies)
        XCTAssertEqual(decoded.changes[1].action, .importable)
        XCTAssertEqual(decoded.changes[1].importId, "b")
        XCTAssertTrue(decoded.refreshed)
        XCTAssertEqual(try decoded.encoded(), data, "encoding is deterministic")
        XCTAssertEqual(decoded.count(.update), 1)
        XCTAssertTrue(decoded.hasChanges)
    }

    func testNewerFormatIsRefusedWithAnUpgradeHint() throws {
        let data = try samplePlan(formatVersion: Plan.formatVersion + 1).encoded()
        XCTAssertThrowsError(try Plan.decode(data, file: "new.json")) { error in
            let message = (error as? SandboxError)?.userMessage ?? "\(error)"
            XCTAssertTrue(message.contains("new.json"), message)
            XCTAssertTrue(message.contains("upgrade"), message)
            XCTAssertEqual((error as? SandboxError)?.category, .usage)
        }
    }

    func testGarbageIsRefused() {
        let cases: [(String, String)] = [
            ("not json at all", "not JSON"),
            ("", "not JSON"),
            ("[1,2,3]", "not"),
            (#"{"formatVersion": 1, "hello": "world"}"#, "not a valid sandbox plan"),
            (#"{"formatVersion": "one"}"#, "not a valid sandbox plan"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try Plan.decode(Data(text.utf8), file: "bad.json"), text) { error in
                let message = (error as? SandboxError)?.userMessage ?? "\(error)"
                XCTAssertTrue(message.contains(expected), "\(text): \(message)")
                XCTAssertTrue(message.contains("bad.json"), message)
            }
        }
    }

    func testTruncatedPlanIsRefused() throws {
        let data = try samplePlan().encoded()
        XCTAssertThrowsError(try Plan.decode(data.prefix(data.count / 2), file: "cut.json"))
    }
}
