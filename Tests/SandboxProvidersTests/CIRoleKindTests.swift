import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxTestSupport
import XCTest

/// iam_openid_connect_provider, iam_role and iam_role_policy_attachment through the stub transport: what each
/// create/read/update/delete sends, what it makes of the answers, and the error paths.
final class CIRoleKindTests: XCTestCase {
    let providerArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    let policyArn = "arn:aws:iam::123456789012:policy/p"
    let trust: JSONValue = .object(["Version": .string("2012-10-17"), "Statement": .array([.object([
        "Effect": .string("Allow"), "Principal": .object(["Federated": .string("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")]),
        "Action": .string("sts:AssumeRoleWithWebIdentity"),
        "Condition": .object(["StringLike": .object(["token.actions.githubusercontent.com:sub": .string("repo:o/r:*")])]),
    ])])])

    func providerXML(thumbprint: String = "6938FD4D98BAB03FAADB97B34396831E3780AEA1", tags: String = "<member><Key>ManagedBy</Key><Value>sandbox</Value></member>") -> String {
        "<Url>token.actions.githubusercontent.com</Url><ClientIDList><member>sts.amazonaws.com</member></ClientIDList>"
            + "<ThumbprintList><member>\(thumbprint)</member></ThumbprintList><Tags>\(tags)</Tags>"
    }

    func roleXML(trust: JSONValue? = nil, max: Int = 3600, boundary: String = "", tags: String = "<member><Key>ManagedBy</Key><Value>sandbox</Value></member>") -> String {
        let encoded = (trust ?? self.trust).compactJSON.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "<Role><Path>/</Path><RoleName>ci</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::123456789012:role/ci</Arn>"
            + "<AssumeRolePolicyDocument>\(encoded)</AssumeRolePolicyDocument><MaxSessionDuration>\(max)</MaxSessionDuration>\(boundary)<Tags>\(tags)</Tags></Role>"
    }

    // MARK: - iam_openid_connect_provider

    func testProviderArnIsKnownBeforeCreateAndCreateSendsTheLists() async throws {
        let provider = adapter(OpenIDConnectProviderKind.self)
        let stub = StubTransport(), sent = Sent()
        let context = try stubContext(stub)
        let desired: Attributes = ["url": .string("https://token.actions.githubusercontent.com"), "client_id_list": .array([.string("sts.amazonaws.com")]),
                                   "thumbprint_list": .array([.string("6938fd4d98bab03faadb97b34396831e3780aea1")]), "tags": .object(["ManagedBy": .string("sandbox")])]
        XCTAssertEqual(provider.plannedAttributes(desired, context: context)["arn"], .string(providerArn))
        stub.expectInOrder([iam("CreateOpenIDConnectProvider", "<OpenIDConnectProviderArn>\(providerArn)</OpenIDConnectProviderArn>"),
                            iam("GetOpenIDConnectProvider", providerXML())], sent: sent)
        let created = try await provider.create(desired, context: context)
        XCTAssertEqual(created["arn"], .string(providerArn))
        XCTAssertEqual(sent.requests[0].form("Url"), "https://token.actions.githubusercontent.com")
        XCTAssertEqual(sent.requests[0].form("ClientIDList.member.1"), "sts.amazonaws.com")
        XCTAssertEqual(sent.requests[0].form("ThumbprintList.member.1"), "6938fd4d98bab03faadb97b34396831e3780aea1")
        XCTAssertEqual(sent.requests[0].form("Tags.member.1.Key"), "ManagedBy")
        XCTAssertStubDone(stub)
    }

    func testProviderReadAddsTheSchemeAndIgnoresThumbprintCase() async throws {
        let provider = adapter(OpenIDConnectProviderKind.self)
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("GetOpenIDConnectProvider", providerXML()), Answer("GetOpenIDConnectProvider", status: 404, iamError("NoSuchEntity")),
                            Answer("GetOpenIDConnectProvider", status: 403, iamError("AccessDenied"))], sent: sent)
        let context = try stubContext(stub)
        let identity: Attributes = ["url": .string("https://token.actions.githubusercontent.com/")]
        let read = try await provider.read(identity, context: context)
        let live = try XCTUnwrap(read)
        XCTAssertEqual(sent.requests[0].form("OpenIDConnectProviderArn"), providerArn)
        XCTAssertEqual(live["url"], .string("https://token.actions.githubusercontent.com"))
        let desired: Attributes = ["url": .string("https://token.actions.githubusercontent.com/"), "client_id_list": .array([.string("sts.amazonaws.com")]),
                                   "thumbprint_list": .array([.string("6938fd4d98bab03faadb97b34396831e3780aea1")]), "tags": .object(["ManagedBy": .string("sandbox")])]
        XCTAssertEqual(provider.differences(desired: desired, live: live), [])
        let gone = try await provider.read(identity, context: context)
        XCTAssertNil(gone)
        let denied = await thrown { _ = try await provider.read(identity, context: context) }
        XCTAssertEqual((denied as? AWSError)?.kind, .accessDenied)
        XCTAssertStubDone(stub)
    }

    func testProviderUpdateReplacesThumbprintsAddsAndRemovesClientIdsAndRetags() async throws {
        let provider = adapter(OpenIDConnectProviderKind.self)
        let stub = StubTransport(), sent = Sent()
        let live: Attributes = ["arn": .string(providerArn), "url": .string("https://token.actions.githubusercontent.com"),
                                "client_id_list": .array([.string("old")]), "thumbprint_list": .array([.string(String(repeating: "a", count: 40))]),
                                "tags": .object(["Gone": .string("x")])]
        let desired: Attributes = ["url": .string("https://token.actions.githubusercontent.com"), "client_id_list": .array([.string("sts.amazonaws.com")]),
                                   "thumbprint_list": .array([.string("6938fd4d98bab03faadb97b34396831e3780aea1")]), "tags": .object(["ManagedBy": .string("sandbox")])]
        XCTAssertEqual(Set(provider.differences(desired: desired, live: live).map(\.name)), ["client_id_list", "thumbprint_list", "tags"])
        stub.expectInOrder([iam("UpdateOpenIDConnectProviderThumbprint"), iam("AddClientIDToOpenIDConnectProvider"), iam("RemoveClientIDFromOpenIDConnectProvider"),
                            iam("UntagOpenIDConnectProvider"), iam("TagOpenIDConnectProvider"), iam("GetOpenIDConnectProvider", providerXML())], sent: sent)
        _ = try await provider.update(desired, live: live, context: stubContext(stub))
        XCTAssertEqual(sent.requests[1].form("ClientID"), "sts.amazonaws.com")
        XCTAssertEqual(sent.requests[2].form("ClientID"), "old")
        XCTAssertEqual(sent.requests[3].form("TagKeys.member.1"), "Gone")
        XCTAssertStubDone(stub)
        XCTAssertEqual(provider.importAttributes(id: providerArn, context: try stubContext(StubTransport()))["arn"], .string(providerArn))
        XCTAssertEqual(provider.importAttributes(id: "token.actions.githubusercontent.com", context: try stubContext(StubTransport()))["arn"], .string(providerArn))
    }

    // MARK: - iam_role

    func testRoleDriftOfTrustPolicyAndBoundaryIsSeenAndRepaired() async throws {
        let role = adapter(IAMRoleKind.self)
        let wider: JSONValue = .object(["Version": .string("2012-10-17"), "Statement": .array([.object([
            "Effect": .string("Allow"), "Principal": .object(["Federated": .string(providerArn)]), "Action": .string("sts:AssumeRoleWithWebIdentity"),
        ])])])
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("GetRole", roleXML(trust: wider, max: 7200, boundary: "<PermissionsBoundary><PermissionsBoundaryArn>arn:b</PermissionsBoundaryArn></PermissionsBoundary>"))], sent: sent)
        let context = try stubContext(stub)
        let desired: Attributes = ["name": .string("ci"), "path": .string("/"), "assume_role_policy": trust, "max_session_duration": .number(3600),
                                   "tags": .object(["ManagedBy": .string("sandbox")])]
        let read = try await role.read(desired, context: context)
        let live = try XCTUnwrap(read)
        XCTAssertEqual(live["unique_id"], .string("AROA1"))
        XCTAssertEqual(live["permissions_boundary"], .string("arn:b"))
        XCTAssertEqual(Set(role.differences(desired: desired, live: live).map(\.name)), ["assume_role_policy", "max_session_duration", "permissions_boundary"])
        stub.expectInOrder([iam("UpdateAssumeRolePolicy"), iam("UpdateRole"), iam("DeleteRolePermissionsBoundary"), iam("GetRole", roleXML())], sent: sent)
        let updated = try await role.update(desired, live: live, context: context)
        XCTAssertEqual(updated["unique_id"], .string("AROA1"))
        XCTAssertEqual(JSONValue.parse(sent.requests[1].form("PolicyDocument") ?? ""), trust)
        XCTAssertEqual(sent.requests[2].form("MaxSessionDuration"), "3600")
        XCTAssertNil(sent.requests[2].form("Description"))
        XCTAssertStubDone(stub)
    }

    func testRoleCreateUsesTheDefaultSessionLengthAndDeleteDetachesFirst() async throws {
        let role = adapter(IAMRoleKind.self)
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("CreateRole", roleXML()), iam("GetRole", roleXML()),
                            iam("ListAttachedRolePolicies", "<AttachedPolicies><member><PolicyName>p</PolicyName><PolicyArn>\(policyArn)</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>"),
                            iam("DetachRolePolicy"), iam("DeleteRole"),
                            Answer("ListAttachedRolePolicies", status: 404, iamError("NoSuchEntity"))], sent: sent)
        let context = try stubContext(stub)
        let created = try await role.create(["name": .string("ci"), "assume_role_policy": trust], context: context)
        XCTAssertEqual(created["arn"], .string("arn:aws:iam::123456789012:role/ci"))
        XCTAssertEqual(sent.requests[0].form("MaxSessionDuration"), "3600", "the schema's default")
        XCTAssertEqual(sent.requests[0].form("Path"), "/")
        try await role.delete(created, context: context, options: DeleteOptions())
        XCTAssertEqual(sent.requests[3].form("PolicyArn"), policyArn)
        try await role.delete(created, context: context, options: DeleteOptions())  // already gone: not an error
        XCTAssertStubDone(stub)
        let imported = role.importAttributes(id: "arn:aws:iam::123456789012:role/ci/x/ci", context: context)
        XCTAssertEqual(imported["name"], .string("ci"))
        XCTAssertEqual(imported["path"], .string("/ci/x/"))
    }

    func testRoleCreateRefusedByIAMSurfacesTheError() async throws {
        let role = adapter(IAMRoleKind.self)
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("CreateRole", status: 400, iamError("MalformedPolicyDocument", "bad principal"))], sent: sent)
        let error = await thrown { _ = try await role.create(["name": .string("ci"), "assume_role_policy": self.trust], context: try stubContext(stub)) }
        XCTAssertEqual((error as? AWSError)?.code, "MalformedPolicyDocument")
        XCTAssertStubDone(stub)
    }

    // MARK: - iam_role_policy_attachment

    func testAttachmentIsPresentOnlyWhileTheRoleListsThePolicy() async throws {
        let attachment = adapter(RolePolicyAttachmentKind.self)
        let listed = "<AttachedPolicies><member><PolicyName>p</PolicyName><PolicyArn>\(policyArn)</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>"
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("ListAttachedRolePolicies", listed), iam("ListAttachedRolePolicies", "<AttachedPolicies/><IsTruncated>false</IsTruncated>"),
                            Answer("ListAttachedRolePolicies", status: 404, iamError("NoSuchEntity")),
                            iam("AttachRolePolicy"), iam("ListAttachedRolePolicies", listed), iam("DetachRolePolicy"),
                            Answer("DetachRolePolicy", status: 404, iamError("NoSuchEntity"))], sent: sent)
        let context = try stubContext(stub)
        let desired: Attributes = ["role": .string("ci"), "policy_arn": .string(policyArn)]
        XCTAssertEqual(attachment.physicalId(desired), "ci/\(policyArn)")
        let present = try await attachment.read(desired, context: context)
        XCTAssertEqual(present, desired)
        let detached = try await attachment.read(desired, context: context)
        XCTAssertNil(detached)
        let noRole = try await attachment.read(desired, context: context)
        XCTAssertNil(noRole)
        _ = try await attachment.create(desired, context: context)
        XCTAssertEqual(sent.requests[3].form("RoleName"), "ci")
        XCTAssertEqual(sent.requests[3].form("PolicyArn"), policyArn)
        try await attachment.delete(desired, context: context, options: DeleteOptions())
        try await attachment.delete(desired, context: context, options: DeleteOptions())  // already detached: not an error
        XCTAssertStubDone(stub)
        XCTAssertEqual(attachment.importAttributes(id: "ci/\(policyArn)", context: context), desired)
        XCTAssertEqual(attachment.importAttributes(id: policyArn, context: context), ["policy_arn": .string(policyArn)])
        XCTAssertEqual(attachment.readCalls(desired, context: context).map(\.action), ["iam:ListAttachedRolePolicies"])
        XCTAssertEqual(attachment.readCalls(desired, context: context).map(\.required), [false])
    }
}
