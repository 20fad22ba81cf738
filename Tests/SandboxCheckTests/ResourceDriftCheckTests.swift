import Foundation
import SandboxAWS
@testable import SandboxCheck
import SandboxCore
import SandboxEngine
import SandboxTestSupport
import XCTest

final class ResourceDriftCheckTests: XCTestCase {
    static let yaml = """
        version: 1
        name: ready
        variables:
          extra: { type: bool }
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: data-bucket
          public_access:
            type: s3_public_access_block
            properties:
              bucket: ${bucket.name}
          budget:
            type: budget
            properties:
              name: ready-budget
              limit_usd: 10
              emails: ["ops@example.com"]
          maybe:
            type: glue_database_prefix
            enabled: ${var.extra}
            properties:
              prefix: maybe_
        """

    let bucket = ResourceAddress(type: "s3_bucket", name: "bucket")
    let budget = ResourceAddress(type: "budget", name: "budget")

    func evaluated(_ stub: StubTransport) async throws -> CheckContext {
        try await CheckFixtures.evaluated(try CheckFixtures.stack(Self.yaml), transport: stub)
    }

    func testAMissingBucketFailsAndTellsTheRunnerItIsMissing() async throws {
        let stub = StubTransport().route(1) { request in
            XCTAssertTrue(request.url.query?.hasPrefix("tagging") ?? false, request.url.absoluteString)
            return CheckFixtures.s3Error("NoSuchBucket")
        }
        let outcome = try await ResourceDriftCheck(address: bucket).run(try await evaluated(stub))
        XCTAssertEqual(outcome.result?.status, .fail)
        XCTAssertEqual(outcome.result?.name, "resource s3_bucket.bucket")
        XCTAssertEqual(outcome.result?.detail, "data-bucket does not exist")
        XCTAssertEqual(outcome.result?.fix, "run sandbox apply")
        XCTAssertEqual(outcome.findings.missingBuckets, ["data-bucket"])
        XCTAssertEqual(outcome.bucket, "data-bucket")
        XCTAssertStubDone(stub)
    }

    func testAnExistingBucketMatchesTheStack() async throws {
        let stub = StubTransport().route(1) { _ in
            HTTPResponse(status: 200, body: Data("<Tagging><TagSet><Tag><Key>ManagedBy</Key><Value>sandbox</Value></Tag></TagSet></Tagging>".utf8))
        }
        let outcome = try await ResourceDriftCheck(address: bucket).run(try await evaluated(stub))
        XCTAssertEqual(outcome.result, CheckResult(name: "resource s3_bucket.bucket", status: .pass, detail: "data-bucket matches the stack"))
        XCTAssertTrue(outcome.findings.missingBuckets.isEmpty)
    }

    func testADeniedReadNamesThePermissionItNeeds() async throws {
        let stub = StubTransport().route(1) { _ in CheckFixtures.s3Error("AccessDenied", status: 403) }
        let outcome = try await ResourceDriftCheck(address: bucket).run(try await evaluated(stub))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.status, .fail)
        XCTAssertTrue(result.detail.hasPrefix("access denied: needs s3:GetBucketTagging on arn:aws:s3:::data-bucket"), result.detail)
        XCTAssertEqual(result.category, .aws)
    }

    func testABucketSettingLivesInItsBucket() async throws {
        let context = try await evaluated(StubTransport())
        let setting = try XCTUnwrap(context.findings.evaluation?.desired.resources[ResourceAddress(type: "s3_public_access_block", name: "public_access")])
        let bucket = try XCTUnwrap(context.findings.evaluation?.desired.resources[bucket])
        XCTAssertEqual(ResourceDriftCheck.bucket(of: setting), "data-bucket")
        XCTAssertEqual(ResourceDriftCheck.bucket(of: bucket), "data-bucket")
        XCTAssertFalse(ResourceDriftCheck.isBucket(setting))
        XCTAssertTrue(ResourceDriftCheck.isBucket(bucket))
    }

    func testABudgetNotificationWithoutSubscribersFails() async throws {
        let stub = StubTransport().route(4) { request in
            switch request.operation {
            case "DescribeBudget":
                return HTTPResponse(status: 200, body: Data("""
                    {"Budget":{"BudgetName":"ready-budget","BudgetLimit":{"Amount":"10","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST"}}
                    """.utf8))
            case "ListTagsForResource": return HTTPResponse(status: 200, body: Data(#"{"ResourceTags":[]}"#.utf8))
            case "DescribeNotificationsForBudget":
                return HTTPResponse(status: 200, body: Data("""
                    {"Notifications":[{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80,"ThresholdType":"PERCENTAGE"}]}
                    """.utf8))
            case "DescribeSubscribersForNotification": return HTTPResponse(status: 200, body: Data(#"{"Subscribers":[]}"#.utf8))
            default: return CheckFixtures.jsonError("UnexpectedOperation")
            }
        }
        let outcome = try await ResourceDriftCheck(address: budget).run(try await evaluated(stub))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result, CheckResult(name: "resource budget.budget", status: .fail, detail: "budget has a notification without subscribers",
                                           fix: "run sandbox apply", category: .aws))
        XCTAssertStubDone(stub)
    }

    func testAResourceLeftOutOfTheEvaluatedStackHasNoLine() async throws {
        let maybe = ResourceAddress(type: "glue_database_prefix", name: "maybe")
        let outcome = try await ResourceDriftCheck(address: maybe).run(try await evaluated(StubTransport()))
        XCTAssertNil(outcome.result, "an enabled: that is not known leaves the resource out of the evaluated stack")
    }

    func testResourceChecksNeedTheEvaluatedStack() async throws {
        XCTAssertEqual(ResourceDriftCheck(address: bucket).requires, [.stack])
        do {
            _ = try await ResourceDriftCheck(address: bucket).run(try CheckFixtures.context(StubTransport()))
            XCTFail("no evaluated stack")
        } catch let error as CheckOrderError {
            XCTAssertEqual(error.needed, "the evaluated stack")
        }
    }

    func testPolicyDocumentDriftIsDescribedByGrants() {
        let live: JSONValue = .object(["Statement": .array([
            .object(["Effect": .string("Allow"), "Action": .array([.string("s3:GetObject"), .string("s3:DeleteBucket")]), "Resource": .string("arn:aws:s3:::b/*")]),
            .object(["Effect": .string("Deny"), "Action": .string("iam:*"), "Resource": .string("*")]),
        ])])
        let wanted: JSONValue = .object(["Statement": .object([
            "Effect": .string("Allow"), "Action": .string("s3:GetObject"), "Resource": .array([.string("arn:aws:s3:::b/*"), .string("arn:aws:s3:::b")]),
        ])])
        let change = AttributeChange(name: "document", old: live, new: wanted)
        XCTAssertEqual(DriftDescription.describe(change),
                       "document: live policy allows s3:DeleteBucket beyond the stack; live policy lacks resources arn:aws:s3:::b")
        // The same grants written differently are not described as a grant change.
        let same = AttributeChange(name: "document", old: wanted, new: .object(["Statement": .array([wanted.objectValue?["Statement"] ?? .null])]))
        XCTAssertTrue(DriftDescription.describe(same).hasPrefix("document: live {"), DriftDescription.describe(same))
    }

    func testOtherDriftShowsBothValuesShortened() {
        XCTAssertEqual(DriftDescription.describe(AttributeChange(name: "limit_usd", old: .number(20), new: .number(10))), "limit_usd: live 20, stack 10")
        XCTAssertEqual(DriftDescription.describe(AttributeChange(name: "status", old: nil, new: .string("Enabled"))), "status: live (none), stack \"Enabled\"")
        let long = DriftDescription.show(.string(String(repeating: "x", count: 100)))
        XCTAssertEqual(long.count, 80)
        XCTAssertTrue(long.hasSuffix("..."))
    }

    func testFourGrantsAreListedThenCounted() {
        let grants = DriftDescription.Grants(actions: Set((1...6).map { "s3:A\($0)" }), resources: [])
        XCTAssertEqual(DriftDescription.documentDrift(live: grants, wanted: DriftDescription.Grants()),
                       "live policy allows s3:A1, s3:A2, s3:A3, s3:A4 and 2 more beyond the stack")
        XCTAssertNil(DriftDescription.documentDrift(live: grants, wanted: grants))
    }
}
