import Foundation
import SandboxCore
import SandboxStack
import XCTest
@testable import SandboxEngine

/// A Terraform state holding GitHub's OIDC provider, a CI role and its policy attachment maps onto the reference
/// stack's github_oidc, ci_role and ci_policy (the types map through the kinds' `terraformImports`).
final class CIRoleTerraformImportTests: XCTestCase {
    static let policyArn = "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions"

    static func state(role: String = "floe-provider-tests-ci") throws -> TerraformState {
        func resource(_ type: String, _ attributes: [String: Any]) -> [String: Any] {
            ["mode": "managed", "type": type, "name": "ci", "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
             "instances": [["schema_version": 0, "attributes": attributes]]]
        }
        let document: [String: Any] = ["version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "l", "outputs": [:], "resources": [
            resource("aws_iam_openid_connect_provider", ["arn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                                                         "url": "https://token.actions.githubusercontent.com", "client_id_list": ["sts.amazonaws.com"]]),
            resource("aws_iam_role", ["name": role, "arn": "arn:aws:iam::123456789012:role/\(role)"]),
            resource("aws_iam_role_policy_attachment", ["id": "\(role)-20261201221016428800000001", "role": role, "policy_arn": policyArn]),
        ]]
        return try TerraformState.parse(try JSONSerialization.data(withJSONObject: document), source: "ci.tfstate")
    }

    func desired(_ extra: [String] = ["enable_github_ci_role=true", "github_repository=floe-org/floe"]) throws -> DesiredState {
        try EngineFixtures.desired(try EngineFixtures.referenceStack(), extra)
    }

    func testProviderRoleAndAttachmentMapOntoTheStack() throws {
        let mapping = try TerraformMapping.build(try Self.state(), desired: try desired(), accountId: "123456789012", allowedAccountIds: [])
        let pairs = Dictionary(mapping.entries.map { ($0.terraformAddress, $0.address.description) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(pairs, [
            "aws_iam_openid_connect_provider.ci": "iam_openid_connect_provider.github_oidc",
            "aws_iam_role.ci": "iam_role.ci_role",
            "aws_iam_role_policy_attachment.ci": "iam_role_policy_attachment.ci_policy",
        ])
        XCTAssertEqual(mapping.entries.first { $0.address.type == "iam_role_policy_attachment" }?.id, Self.policyArn)
    }

    func testAttachmentToAnotherRoleAndADisabledCIRoleAreRefused() throws {
        let other = "another-role"
        XCTAssertThrowsError(try TerraformMapping.build(try Self.state(role: other), desired: try desired(), accountId: "123456789012", allowedAccountIds: [])) { error in
            let message = (error as? SandboxError)?.userMessage ?? "\(error)"
            XCTAssertTrue(message.contains("aws_iam_role.ci") || message.contains("another-role"), message)
            XCTAssertTrue(message.contains("nothing was imported"), message)
        }
        XCTAssertThrowsError(try TerraformMapping.build(try Self.state(), desired: try desired([]), accountId: "123456789012", allowedAccountIds: [])) { error in
            let message = (error as? SandboxError)?.userMessage ?? "\(error)"
            XCTAssertTrue(message.contains("is disabled"), message)
        }
    }
}
