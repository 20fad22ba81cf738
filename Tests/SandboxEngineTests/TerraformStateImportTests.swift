import Foundation
import SandboxCore
import SandboxStack
import XCTest
@testable import SandboxEngine

/// Reading a Terraform state and mapping it onto the reference stack, offline (the end-to-end import is in
/// SandboxCLITests/ScaffoldMigrationTests).
final class TerraformStateImportTests: XCTestCase {
    static var fixturePath: String {
        URL(fileURLWithPath: EngineFixtures.referenceStackPath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures/scaffold.tfstate").path
    }

    func fixture() throws -> TerraformState {
        try TerraformState.parse(try Data(contentsOf: URL(fileURLWithPath: Self.fixturePath)), source: "scaffold.tfstate")
    }

    func desired(_ extra: [String] = ["enable_access_key_user=true"]) throws -> DesiredState {
        try EngineFixtures.desired(try EngineFixtures.referenceStack(), extra)
    }

    func testTheCommittedStateMapsOntoTheReferenceStack() throws {
        let state = try fixture()
        XCTAssertEqual(state.instances.count, 9, "data sources are skipped")
        let mapping = try TerraformMapping.build(state, desired: try desired(), accountId: "123456789012", allowedAccountIds: ["123456789012"])
        let pairs = Dictionary(mapping.entries.map { ($0.terraformAddress, $0.address.description) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(pairs, [
            "aws_s3_bucket.provider_tests": "s3_bucket.bucket",
            "aws_s3_bucket_public_access_block.provider_tests": "s3_public_access_block.public_access",
            "aws_s3_bucket_server_side_encryption_configuration.provider_tests": "s3_bucket_encryption.encryption",
            "aws_s3_bucket_versioning.provider_tests": "s3_bucket_versioning.versioning",
            "aws_s3_bucket_lifecycle_configuration.provider_tests": "s3_bucket_lifecycle.lifecycle",
            "aws_iam_policy.provider_tests": "iam_policy.policy",
            "aws_iam_user.provider_tests[0]": "iam_user.user",
            "aws_iam_user_policy_attachment.provider_tests[0]": "iam_user.user",
            "aws_budgets_budget.provider_tests": "budget.budget",
        ])
        XCTAssertEqual(mapping.stateOnly.map(\.description), ["glue_database_prefix.glue"])
        XCTAssertEqual(mapping.missing, [])
    }

    func testRefusals() throws {
        let state = try fixture()
        func refusal(_ state: TerraformState, _ desired: DesiredState, account: String = "123456789012", allowed: [String] = []) -> String {
            do {
                _ = try TerraformMapping.build(state, desired: desired, accountId: account, allowedAccountIds: allowed)
                return "no error"
            } catch let error as SandboxError {
                return error.userMessage
            } catch {
                return "\(error)"
            }
        }
        let message = refusal(state, try desired([]))
        XCTAssertTrue(message.contains("aws_iam_user.provider_tests[0] (floe-provider-tests-user) maps to no resource"), message)
        XCTAssertTrue(message.contains("iam_user.user is disabled"), message)
        let renamed = refusal(state, try desired(["enable_access_key_user=true", "name_prefix=other-prefix"]))
        XCTAssertTrue(renamed.contains("aws_budgets_budget.provider_tests is floe-provider-tests-monthly-budget but the stack names budget.budget other-prefix-monthly-budget"), renamed)
        let foreign = refusal(state, try desired(), account: "210987654321")
        XCTAssertTrue(foreign.contains("belongs to account 123456789012"), foreign)
        XCTAssertFalse(foreign.contains("\n"))
    }

    func testMalformedAndNewerFilesAreRefusedByName() {
        func message(_ text: String) -> String {
            do { _ = try TerraformState.parse(Data(text.utf8), source: "x.tfstate"); return "no error" } catch let error as SandboxError {
                return error.userMessage
            } catch { return "\(error)" }
        }
        XCTAssertEqual(message("{\"version\": 5, \"resources\": []}"),
                       "x.tfstate has state format version 5; sandbox reads version 4 only (it is newer than this sandbox reads)")
        XCTAssertTrue(message("not json").hasPrefix("x.tfstate is not a Terraform state: not a JSON object"))
        XCTAssertTrue(message("{\"resources\": []}").contains("has no format version"))
        XCTAssertTrue(message("{\"version\": 4, \"resources\": [{\"type\": \"aws_s3_bucket\"}]}").contains("resources[0] lacks type, name or instances"))
    }
}
