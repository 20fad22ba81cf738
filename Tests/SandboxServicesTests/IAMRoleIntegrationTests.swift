import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

/// The role and OpenID Connect provider calls against moto.
final class IAMRoleIntegrationTests: MotoTestCase {
    static let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}}]}"#
    static let trust2 = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
    static let permissions = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#

    func testRoleLifecycle() async throws {
        let iam = IAMClient(try motoClient())
        let name = "sbx-role-\(UUID().uuidString.prefix(8))"
        let boundary = try await iam.createPolicy(name: "\(name)-boundary", document: Self.permissions)
        let attached = try await iam.createPolicy(name: "\(name)-attached", document: Self.permissions)
        let role = try await iam.createRole(name: name, path: "/ci/", assumeRolePolicyDocument: Self.trust, description: "CI role",
                                            maxSessionDuration: 7200, permissionsBoundary: boundary.arn, tags: ["Owner": "me"])
        XCTAssertEqual(role.arn, "arn:aws:iam::123456789012:role/ci/\(name)")
        XCTAssertFalse(role.roleId.isEmpty)

        let read = try await iam.getRole(name: name)
        XCTAssertEqual(read.path, "/ci/")
        XCTAssertEqual(read.description, "CI role")
        XCTAssertEqual(read.maxSessionDuration, 7200)
        XCTAssertEqual(read.permissionsBoundaryArn, boundary.arn)
        XCTAssertEqual(read.tags, ["Owner": "me"])
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(read.assumeRolePolicyDocument.utf8)) as? NSDictionary,
                       try JSONSerialization.jsonObject(with: Data(Self.trust.utf8)) as? NSDictionary)

        try await iam.updateAssumeRolePolicy(name: name, document: Self.trust2)
        try await iam.updateRole(name: name, description: "CI role 2", maxSessionDuration: 3600)
        try await iam.deleteRolePermissionsBoundary(name: name)
        try await iam.tagRole(name: name, tags: ["Extra": "x y"])
        try await iam.untagRole(name: name, keys: ["Owner"])
        let updated = try await iam.getRole(name: name)
        XCTAssertTrue(updated.assumeRolePolicyDocument.contains("ec2.amazonaws.com"), updated.assumeRolePolicyDocument)
        XCTAssertEqual(updated.description, "CI role 2")
        XCTAssertEqual(updated.maxSessionDuration, 3600)
        XCTAssertNil(updated.permissionsBoundaryArn)
        XCTAssertEqual(updated.tags, ["Extra": "x y"])
        try await iam.putRolePermissionsBoundary(name: name, policyArn: boundary.arn)
        let bounded = try await iam.getRole(name: name)
        XCTAssertEqual(bounded.permissionsBoundaryArn, boundary.arn)

        try await iam.attachRolePolicy(role: name, policyArn: attached.arn)
        let policies = try await iam.listAttachedRolePolicies(role: name)
        XCTAssertEqual(policies, [AttachedPolicy(name: "\(name)-attached", arn: attached.arn)])
        let conflict = await assertAWSError { try await iam.deleteRole(name: name) }
        XCTAssertEqual(conflict?.code, "DeleteConflict")
        try await iam.detachRolePolicy(role: name, policyArn: attached.arn)
        let none = try await iam.listAttachedRolePolicies(role: name)
        XCTAssertEqual(none, [])

        try await iam.deleteRole(name: name)
        let missing = await assertAWSError { _ = try await iam.getRole(name: name) }
        XCTAssertEqual(missing?.code, "NoSuchEntity")
        XCTAssertEqual(missing?.kind, .notFound)
        try await iam.deletePolicy(arn: boundary.arn)
        try await iam.deletePolicy(arn: attached.arn)
    }

    func testOpenIDConnectProviderLifecycle() async throws {
        let iam = IAMClient(try motoClient())
        let url = "https://oidc-\(UUID().uuidString.prefix(8).lowercased()).example.test"
        let arn = try await iam.createOpenIDConnectProvider(url: url, clientIds: ["sts.amazonaws.com"],
                                                            thumbprints: ["6938fd4d98bab03faadb97b34396831e3780aea1"], tags: ["Owner": "me"])
        XCTAssertEqual(arn, IAMPermissions.openIDConnectProviderARN(url: url, account: "123456789012"))
        let duplicate = await assertAWSError {
            _ = try await iam.createOpenIDConnectProvider(url: url, clientIds: ["sts.amazonaws.com"], thumbprints: [String(repeating: "a", count: 40)])
        }
        XCTAssertEqual(duplicate?.code, "EntityAlreadyExists")

        let read = try await iam.getOpenIDConnectProvider(arn: arn)
        XCTAssertEqual(read.url, String(url.dropFirst("https://".count)))
        XCTAssertEqual(read.clientIds, ["sts.amazonaws.com"])
        XCTAssertEqual(read.thumbprints, ["6938fd4d98bab03faadb97b34396831e3780aea1"])
        XCTAssertEqual(read.tags, ["Owner": "me"])
        let listed = try await iam.listOpenIDConnectProviders()
        XCTAssertTrue(listed.contains(arn), "\(listed)")

        try await iam.updateOpenIDConnectProviderThumbprint(arn: arn, thumbprints: ["1c58a3a8518e8759bf075b76b750d4f2df264fcd"])
        // moto 5.2.1 answers Add/RemoveClientID with HTTP 500 (not implemented): their shapes are checked in IAMRoleWireTests.
        try await iam.tagOpenIDConnectProvider(arn: arn, tags: ["Extra": "x"])
        try await iam.untagOpenIDConnectProvider(arn: arn, keys: ["Owner"])
        let updated = try await iam.getOpenIDConnectProvider(arn: arn)
        XCTAssertEqual(updated.thumbprints, ["1c58a3a8518e8759bf075b76b750d4f2df264fcd"])
        XCTAssertEqual(updated.clientIds, ["sts.amazonaws.com"])
        XCTAssertEqual(updated.tags, ["Extra": "x"])

        try await iam.deleteOpenIDConnectProvider(arn: arn)
        let missing = await assertAWSError { _ = try await iam.getOpenIDConnectProvider(arn: arn) }
        XCTAssertEqual(missing?.kind, .notFound)
    }
}
