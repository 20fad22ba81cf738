import Foundation
import SandboxCore
import SandboxStack
import XCTest
@testable import SandboxEngine

/// The reference stack evaluates to the OpenTofu scaffold's names, and its conditional user and map tags work.
final class ScaffoldFactsTests: XCTestCase {
    func resource(_ desired: DesiredState, _ address: String) throws -> DesiredResource {
        try XCTUnwrap(desired.resources[EngineFixtures.address(address)], address)
    }

    func testDefaultsFollowTheScaffold() throws {
        let desired = try EngineFixtures.desired(try EngineFixtures.referenceStack())
        XCTAssertNil(desired.resources[EngineFixtures.address("iam_user.user")], "the user is off unless enable_access_key_user")
        XCTAssertEqual(try resource(desired, "s3_bucket.bucket").attributes["name"], .string("floe-provider-tests-123456789012-us-east-1"))
        XCTAssertEqual(try resource(desired, "s3_bucket_lifecycle.lifecycle").attributes["rule_id"], .string("expire-provider-test-runs"))
        XCTAssertEqual(try resource(desired, "iam_policy.policy").attributes["name"], .string("floe-provider-tests-permissions"))
        XCTAssertEqual(try resource(desired, "budget.budget").attributes["name"], .string("floe-provider-tests-monthly-budget"))
        XCTAssertEqual(try resource(desired, "s3_bucket.bucket").attributes.stringMap("tags"),
                       ["Project": "floe", "Purpose": "provider-compatibility", "ManagedBy": "sandbox", "Owner": "team-a"])
    }

    func testUserBucketNameAndCommonTags() throws {
        let desired = try EngineFixtures.desired(try EngineFixtures.referenceStack(), [
            "enable_access_key_user=true", "s3_bucket_name=my-own-bucket", "common_tags={\"CostCenter\":\"qa-1\",\"Purpose\":\"x\"}",
        ])
        let user = try resource(desired, "iam_user.user")
        XCTAssertEqual(user.attributes["name"], .string("floe-provider-tests-user"))
        XCTAssertEqual(user.attributes["policy_arns"], .array([.string("arn:aws:iam::123456789012:policy/floe-provider-tests-permissions")]))
        XCTAssertEqual(try resource(desired, "s3_bucket.bucket").attributes["name"], .string("my-own-bucket"))
        for address in ["s3_bucket.bucket", "iam_policy.policy", "iam_user.user", "budget.budget"] {
            XCTAssertEqual(try resource(desired, address).attributes.stringMap("tags"),
                           ["Project": "floe", "Purpose": "x", "ManagedBy": "sandbox", "Owner": "team-a", "CostCenter": "qa-1"], address)
        }
        let outputs = desired.outputs(known: [:])
        XCTAssertEqual(outputs["FLOE_AWS_TEST_BUCKET"], .string("my-own-bucket"))
        XCTAssertEqual(outputs["FLOE_AWS_BUDGET_EMAIL"], .string("alerts@example.com"))
    }

    func testNameRulesAreLowercasedAndValidated() throws {
        let stack = try StackParser.parse("""
            version: 1
            variables:
              on: { type: bool, default: false }
            resources:
              bucket: { type: s3_bucket, properties: { name_prefix: floe } }
              extra:
                type: iam_user
                enabled: ${var.on}
                properties: { name: u }
              needs:
                type: iam_policy
                properties: { name: "p-${extra.arn}", document: { Version: "2012-10-17", Statement: [] } }
            """, file: "t.yaml")
        XCTAssertThrowsError(try DesiredState.evaluate(stack, variables: ["on": .bool(false)], accountId: "123456789012", region: "EU-WEST-1",
                                                       providerContext: nil)) { error in
            XCTAssertTrue("\(error)".contains("needs references extra, which is disabled"), "\(error)")
        }
        let on = try DesiredState.evaluate(stack, variables: ["on": .bool(true)], accountId: "123456789012", region: "EU-WEST-1", providerContext: nil)
        XCTAssertEqual(on.resources[EngineFixtures.address("s3_bucket.bucket")]?.attributes["name"], .string("floe-123456789012-eu-west-1"))
    }

    func testEnabledMustNameAVariable() {
        XCTAssertThrowsError(try StackParser.parse("""
            version: 1
            resources:
              a: { type: s3_bucket }
              b: { type: s3_bucket, enabled: "${a.name}" }
              c: { type: s3_bucket, enabled: maybe }
            """, file: "t.yaml")) { error in
            let text = ((error as? DiagnosticsError)?.diagnostics.map(\.description) ?? []).joined(separator: "\n")
            XCTAssertTrue(text.contains("b.enabled may only name a variable"), text)
            XCTAssertTrue(text.contains("enabled of c must be true, false or one ${var.NAME} reference, got 'maybe'"), text)
        }
    }
}
