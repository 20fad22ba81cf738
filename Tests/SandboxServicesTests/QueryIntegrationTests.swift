import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

final class IAMIntegrationTests: MotoTestCase {
    static let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sbx-bucket/a b+%/*"}]}"#
    static let document2 = #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#

    func testManagedPolicyLifecycle() async throws {
        let iam = IAMClient(try motoClient())
        let policy = try await iam.createPolicy(name: "sbx-policy", path: "/sandbox/", document: Self.document,
                                                description: "sandbox test", tags: ["sandbox:stack": "demo", "owner": "me"])
        XCTAssertEqual(policy.name, "sbx-policy")
        XCTAssertEqual(policy.path, "/sandbox/")
        XCTAssertEqual(policy.arn, "arn:aws:iam::123456789012:policy/sandbox/sbx-policy")
        XCTAssertEqual(policy.defaultVersionId, "v1")
        XCTAssertEqual(policy.attachmentCount, 0)
        XCTAssertFalse(policy.policyId.isEmpty)
        XCTAssertNotNil(policy.createDate)

        let fetched = try await iam.getPolicy(arn: policy.arn)
        XCTAssertEqual(fetched.arn, policy.arn)
        XCTAssertEqual(fetched.policyId, policy.policyId)

        let v1 = try await iam.getPolicyVersion(arn: policy.arn, versionId: "v1")
        XCTAssertEqual(v1.document, Self.document)
        XCTAssertTrue(v1.isDefault)

        let v2 = try await iam.createPolicyVersion(arn: policy.arn, document: Self.document2, setAsDefault: true)
        XCTAssertEqual(v2.versionId, "v2")
        XCTAssertTrue(v2.isDefault)
        let versions = try await iam.listPolicyVersions(arn: policy.arn)
        XCTAssertEqual(Set(versions.map(\.versionId)), ["v1", "v2"])
        XCTAssertEqual(versions.filter(\.isDefault).map(\.versionId), ["v2"])
        let readV2 = try await iam.getPolicyVersion(arn: policy.arn, versionId: "v2")
        XCTAssertEqual(readV2.document, Self.document2)
        try await iam.deletePolicyVersion(arn: policy.arn, versionId: "v1")
        let remaining = try await iam.listPolicyVersions(arn: policy.arn)
        XCTAssertEqual(remaining.map(\.versionId), ["v2"])

        let tags = try await iam.listPolicyTags(arn: policy.arn)
        XCTAssertEqual(tags, ["sandbox:stack": "demo", "owner": "me"])
        try await iam.tagPolicy(arn: policy.arn, tags: ["extra": "x y", "owner": "you"])
        try await iam.untagPolicy(arn: policy.arn, keys: ["sandbox:stack"])
        let retagged = try await iam.listPolicyTags(arn: policy.arn)
        XCTAssertEqual(retagged, ["extra": "x y", "owner": "you"])

        try await iam.deletePolicy(arn: policy.arn)
        let missing = await assertAWSError { _ = try await iam.getPolicy(arn: policy.arn) }
        XCTAssertEqual(missing?.code, "NoSuchEntity")
        XCTAssertEqual(missing?.kind, .notFound)
    }

    func testUsersAttachmentsAndTags() async throws {
        let iam = IAMClient(try motoClient())
        let user = try await iam.createUser(name: "sbx-user", path: "/sandbox/", tags: ["sandbox:stack": "demo"])
        XCTAssertEqual(user.userName, "sbx-user")
        XCTAssertEqual(user.path, "/sandbox/")
        XCTAssertEqual(user.arn, "arn:aws:iam::123456789012:user/sandbox/sbx-user")
        XCTAssertFalse(user.userId.isEmpty)
        let fetched = try await iam.getUser(name: "sbx-user")
        XCTAssertEqual(fetched.userId, user.userId)
        let duplicate = await assertAWSError { _ = try await iam.createUser(name: "sbx-user") }
        XCTAssertEqual(duplicate?.kind, .conflict)

        var arns: [String] = []
        for index in 0..<3 {
            arns.append(try await iam.createPolicy(name: "sbx-p\(index)", document: Self.document2).arn)
        }
        for arn in arns { try await iam.attachUserPolicy(user: "sbx-user", policyArn: arn) }
        let attached = try await iam.listAttachedUserPolicies(user: "sbx-user")
        XCTAssertEqual(Set(attached), Set((0..<3).map { AttachedPolicy(name: "sbx-p\($0)", arn: arns[$0]) }))
        let counted = try await iam.getPolicy(arn: arns[0])
        XCTAssertEqual(counted.attachmentCount, 1)

        try await iam.tagUser(name: "sbx-user", tags: ["owner": "me"])
        let tags = try await iam.listUserTags(name: "sbx-user")
        XCTAssertEqual(tags, ["sandbox:stack": "demo", "owner": "me"])

        for arn in arns { try await iam.detachUserPolicy(user: "sbx-user", policyArn: arn) }
        let detached = try await iam.listAttachedUserPolicies(user: "sbx-user")
        XCTAssertEqual(detached, [])
        try await iam.deleteUser(name: "sbx-user")
        let missing = await assertAWSError { _ = try await iam.getUser(name: "sbx-user") }
        XCTAssertEqual(missing?.kind, .notFound)
        let noUser = await assertAWSError { _ = try await iam.listAttachedUserPolicies(user: "sbx-user") }
        XCTAssertEqual(noUser?.kind, .notFound)
    }
}

final class STSIntegrationTests: MotoTestCase {
    func testCallerIdentity() async throws {
        let identity = try await STSClient(try motoClient()).getCallerIdentity()
        XCTAssertEqual(identity.account, "123456789012")
        XCTAssertTrue(identity.arn.hasPrefix("arn:aws:"), identity.arn)
        XCTAssertFalse(identity.userId.isEmpty)
    }

    func testAssumeRoleAndWebIdentity() async throws {
        let sts = STSClient(try motoClient(region: "eu-west-1"))
        let role = try await sts.assumeRole(roleArn: "arn:aws:iam::123456789012:role/sbx-role", sessionName: "sbx-session",
                                            externalId: "ext-1", durationSeconds: 900)
        XCTAssertFalse(role.credentials.accessKeyId.isEmpty)
        XCTAssertFalse(role.credentials.secretAccessKey.isEmpty)
        XCTAssertNotNil(role.credentials.sessionToken)
        let expiration = try XCTUnwrap(role.credentials.expiration)
        XCTAssertGreaterThan(expiration.timeIntervalSinceNow, 0)
        XCTAssertEqual(role.assumedRoleArn, "arn:aws:sts::123456789012:assumed-role/sbx-role/sbx-session")

        let web = try await sts.assumeRoleWithWebIdentity(roleArn: "arn:aws:iam::123456789012:role/sbx-web", sessionName: "ci-run",
                                                          token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjaSJ9.")
        XCTAssertNotNil(web.credentials.sessionToken)
        XCTAssertNotNil(web.credentials.expiration)
        XCTAssertEqual(web.assumedRoleArn, "arn:aws:sts::123456789012:assumed-role/sbx-web/ci-run")
    }
}
