import Foundation
import SandboxAWS
import SandboxPolicy
import SandboxServices
import SandboxTestSupport
import XCTest

/// Request shapes (botocore iam 2010-05-08) and answer parsing of the role and OpenID Connect provider calls.
final class IAMRoleWireTests: XCTestCase {
    static let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:o/r:*"}}}]}"#
    static func empty(_ action: String) -> String {
        "<\(action)Response><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></\(action)Response>"
    }
    static let noSuchEntity = """
        <ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ci cannot be found.</Message></Error>
        <RequestId>r</RequestId></ErrorResponse>
        """

    func testCreateRoleSendsEveryMemberAndParsesTheRole() async throws {
        let stub = StubTransport()
        let capture = Captured()
        let encoded = Self.trust.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        stub.answer(capture, body: """
            <CreateRoleResponse><CreateRoleResult><Role><Path>/ci/</Path><RoleName>ci</RoleName><RoleId>AROA1</RoleId>
            <Arn>arn:aws:iam::123456789012:role/ci/ci</Arn><CreateDate>2024-05-01T12:00:00Z</CreateDate>
            <AssumeRolePolicyDocument>\(encoded)</AssumeRolePolicyDocument><Description>CI</Description>
            <MaxSessionDuration>7200</MaxSessionDuration>
            <PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/b</PermissionsBoundaryArn></PermissionsBoundary>
            <Tags><member><Key>Owner</Key><Value>me</Value></member></Tags></Role></CreateRoleResult></CreateRoleResponse>
            """)
        let iam = IAMClient(try stubClient(stub))
        let role = try await iam.createRole(name: "ci", path: "/ci/", assumeRolePolicyDocument: Self.trust, description: "CI",
                                            maxSessionDuration: 7200, permissionsBoundary: "arn:aws:iam::123456789012:policy/b",
                                            tags: ["Owner": "me"])
        XCTAssertStubDone(stub)
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.formParameters.map(\.0), ["Action", "Version", "Path", "RoleName", "AssumeRolePolicyDocument", "Description",
                                                         "MaxSessionDuration", "PermissionsBoundary", "Tags.member.1.Key", "Tags.member.1.Value"])
        XCTAssertEqual(request.form("Action"), "CreateRole")
        XCTAssertEqual(request.form("AssumeRolePolicyDocument"), Self.trust)
        XCTAssertEqual(request.form("MaxSessionDuration"), "7200")
        XCTAssertEqual(role, IAMRole(roleName: "ci", roleId: "AROA1", arn: "arn:aws:iam::123456789012:role/ci/ci", path: "/ci/",
                                     assumeRolePolicyDocument: Self.trust, description: "CI", maxSessionDuration: 7200,
                                     permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/b", tags: ["Owner": "me"],
                                     createDate: Date(timeIntervalSince1970: 1_714_564_800)))
    }

    func testRoleUpdatesSendTheirMembersAndMissingRoleIsNotFound() async throws {
        let stub = StubTransport()
        let capture = Captured()
        for action in ["UpdateAssumeRolePolicy", "UpdateRole", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "TagRole",
                       "UntagRole", "AttachRolePolicy", "DetachRolePolicy", "DeleteRole"] {
            stub.answer(capture, body: Self.empty(action))
        }
        stub.expect("GetRole", status: 404, body: Self.noSuchEntity)
        let iam = IAMClient(try stubClient(stub))
        try await iam.updateAssumeRolePolicy(name: "ci", document: Self.trust)
        try await iam.updateRole(name: "ci", maxSessionDuration: 3600)
        try await iam.putRolePermissionsBoundary(name: "ci", policyArn: "arn:b")
        try await iam.deleteRolePermissionsBoundary(name: "ci")
        try await iam.tagRole(name: "ci", tags: ["b": "2", "a": "1"])
        try await iam.untagRole(name: "ci", keys: ["x", "y z"])
        try await iam.attachRolePolicy(role: "ci", policyArn: "arn:p")
        try await iam.detachRolePolicy(role: "ci", policyArn: "arn:p")
        try await iam.deleteRole(name: "ci")
        let sent = capture.requests.map { request in request.formParameters.filter { $0.0 != "Version" }.map { "\($0.0)=\($0.1)" } }
        XCTAssertEqual(sent, [
            ["Action=UpdateAssumeRolePolicy", "RoleName=ci", "PolicyDocument=\(Self.trust)"],
            ["Action=UpdateRole", "RoleName=ci", "MaxSessionDuration=3600"],
            ["Action=PutRolePermissionsBoundary", "RoleName=ci", "PermissionsBoundary=arn:b"],
            ["Action=DeleteRolePermissionsBoundary", "RoleName=ci"],
            ["Action=TagRole", "RoleName=ci", "Tags.member.1.Key=a", "Tags.member.1.Value=1", "Tags.member.2.Key=b", "Tags.member.2.Value=2"],
            ["Action=UntagRole", "RoleName=ci", "TagKeys.member.1=x", "TagKeys.member.2=y z"],
            ["Action=AttachRolePolicy", "RoleName=ci", "PolicyArn=arn:p"],
            ["Action=DetachRolePolicy", "RoleName=ci", "PolicyArn=arn:p"],
            ["Action=DeleteRole", "RoleName=ci"],
        ])
        do {
            _ = try await iam.getRole(name: "ci")
            XCTFail("expected NoSuchEntity")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .notFound)
            XCTAssertEqual(error.code, "NoSuchEntity")
        }
        XCTAssertStubDone(stub)
    }

    func testListAttachedRolePoliciesFollowsMarker() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: """
            <ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult><AttachedPolicies>
            <member><PolicyName>a</PolicyName><PolicyArn>arn:a</PolicyArn></member></AttachedPolicies>
            <IsTruncated>true</IsTruncated><Marker>m/1</Marker></ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>
            """)
        stub.answer(capture, body: """
            <ListAttachedRolePoliciesResponse><ListAttachedRolePoliciesResult><AttachedPolicies>
            <member><PolicyName>b</PolicyName><PolicyArn>arn:b</PolicyArn></member></AttachedPolicies>
            <IsTruncated>false</IsTruncated></ListAttachedRolePoliciesResult></ListAttachedRolePoliciesResponse>
            """)
        let policies = try await IAMClient(try stubClient(stub)).listAttachedRolePolicies(role: "ci")
        XCTAssertEqual(policies, [AttachedPolicy(name: "a", arn: "arn:a"), AttachedPolicy(name: "b", arn: "arn:b")])
        XCTAssertNil(capture.requests[0].form("Marker"))
        XCTAssertEqual(capture.requests[1].form("Marker"), "m/1")
        XCTAssertEqual(capture.requests[1].form("RoleName"), "ci")
        XCTAssertStubDone(stub)
    }

    func testGetRoleWithoutRoleElementIsMalformed() async throws {
        let stub = StubTransport()
        stub.expect("GetRole", body: "<GetRoleResponse><GetRoleResult></GetRoleResult></GetRoleResponse>")
        do {
            _ = try await IAMClient(try stubClient(stub)).getRole(name: "ci")
            XCTFail("expected a malformed answer")
        } catch let error as MalformedResponseError {
            XCTAssertTrue(error.userMessage.contains("GetRole"), error.userMessage)
            XCTAssertTrue(error.userMessage.contains("no Role"), error.userMessage)
        }
        XCTAssertStubDone(stub)
    }

    func testOpenIDConnectProviderCalls() async throws {
        let stub = StubTransport()
        let capture = Captured()
        let arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
        stub.answer(capture, body: """
            <CreateOpenIDConnectProviderResponse><CreateOpenIDConnectProviderResult><OpenIDConnectProviderArn>\(arn)</OpenIDConnectProviderArn>
            </CreateOpenIDConnectProviderResult></CreateOpenIDConnectProviderResponse>
            """)
        stub.answer(capture, body: """
            <GetOpenIDConnectProviderResponse><GetOpenIDConnectProviderResult><Url>token.actions.githubusercontent.com</Url>
            <ClientIDList><member>sts.amazonaws.com</member></ClientIDList>
            <ThumbprintList><member>6938fd4d98bab03faadb97b34396831e3780aea1</member><member>1c58a3a8518e8759bf075b76b750d4f2df264fcd</member></ThumbprintList>
            <CreateDate>2024-05-01T12:00:00Z</CreateDate><Tags><member><Key>Owner</Key><Value>me</Value></member></Tags>
            </GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>
            """)
        stub.answer(capture, body: """
            <ListOpenIDConnectProvidersResponse><ListOpenIDConnectProvidersResult><OpenIDConnectProviderList>
            <member><Arn>\(arn)</Arn></member></OpenIDConnectProviderList></ListOpenIDConnectProvidersResult></ListOpenIDConnectProvidersResponse>
            """)
        for action in ["UpdateOpenIDConnectProviderThumbprint", "AddClientIDToOpenIDConnectProvider", "RemoveClientIDFromOpenIDConnectProvider",
                       "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider", "DeleteOpenIDConnectProvider"] {
            stub.answer(capture, body: Self.empty(action))
        }
        stub.expect("GetOpenIDConnectProvider", status: 404, body: Self.noSuchEntity)
        let iam = IAMClient(try stubClient(stub))
        let created = try await iam.createOpenIDConnectProvider(url: "https://token.actions.githubusercontent.com", clientIds: ["sts.amazonaws.com"],
                                                                thumbprints: ["6938fd4d98bab03faadb97b34396831e3780aea1"], tags: ["Owner": "me"])
        XCTAssertEqual(created, arn)
        let provider = try await iam.getOpenIDConnectProvider(arn: arn)
        XCTAssertEqual(provider, OpenIDConnectProvider(arn: arn, url: "token.actions.githubusercontent.com", clientIds: ["sts.amazonaws.com"],
                                                       thumbprints: ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"],
                                                       tags: ["Owner": "me"], createDate: Date(timeIntervalSince1970: 1_714_564_800)))
        let listed = try await iam.listOpenIDConnectProviders()
        XCTAssertEqual(listed, [arn])
        try await iam.updateOpenIDConnectProviderThumbprint(arn: arn, thumbprints: ["a", "b"])
        try await iam.addClientIDToOpenIDConnectProvider(arn: arn, clientId: "c1")
        try await iam.removeClientIDFromOpenIDConnectProvider(arn: arn, clientId: "c1")
        try await iam.tagOpenIDConnectProvider(arn: arn, tags: ["k": "v"])
        try await iam.untagOpenIDConnectProvider(arn: arn, keys: ["k"])
        try await iam.deleteOpenIDConnectProvider(arn: arn)
        let sent = capture.requests.map { request in request.formParameters.filter { $0.0 != "Version" }.map { "\($0.0)=\($0.1)" } }
        XCTAssertEqual(sent, [
            ["Action=CreateOpenIDConnectProvider", "Url=https://token.actions.githubusercontent.com", "ClientIDList.member.1=sts.amazonaws.com",
             "ThumbprintList.member.1=6938fd4d98bab03faadb97b34396831e3780aea1", "Tags.member.1.Key=Owner", "Tags.member.1.Value=me"],
            ["Action=GetOpenIDConnectProvider", "OpenIDConnectProviderArn=\(arn)"],
            ["Action=ListOpenIDConnectProviders"],
            ["Action=UpdateOpenIDConnectProviderThumbprint", "OpenIDConnectProviderArn=\(arn)", "ThumbprintList.member.1=a", "ThumbprintList.member.2=b"],
            ["Action=AddClientIDToOpenIDConnectProvider", "OpenIDConnectProviderArn=\(arn)", "ClientID=c1"],
            ["Action=RemoveClientIDFromOpenIDConnectProvider", "OpenIDConnectProviderArn=\(arn)", "ClientID=c1"],
            ["Action=TagOpenIDConnectProvider", "OpenIDConnectProviderArn=\(arn)", "Tags.member.1.Key=k", "Tags.member.1.Value=v"],
            ["Action=UntagOpenIDConnectProvider", "OpenIDConnectProviderArn=\(arn)", "TagKeys.member.1=k"],
            ["Action=DeleteOpenIDConnectProvider", "OpenIDConnectProviderArn=\(arn)"],
        ])
        do {
            _ = try await iam.getOpenIDConnectProvider(arn: arn)
            XCTFail("expected NoSuchEntity")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .notFound)
        }
        XCTAssertStubDone(stub)
    }

    func testCreateOpenIDConnectProviderWithoutArnIsMalformed() async throws {
        let stub = StubTransport()
        stub.expect("CreateOpenIDConnectProvider", body: """
            <CreateOpenIDConnectProviderResponse><CreateOpenIDConnectProviderResult></CreateOpenIDConnectProviderResult></CreateOpenIDConnectProviderResponse>
            """)
        do {
            _ = try await IAMClient(try stubClient(stub)).createOpenIDConnectProvider(url: "https://x.test", clientIds: [], thumbprints: [])
            XCTFail("expected a malformed answer")
        } catch let error as MalformedResponseError {
            XCTAssertTrue(error.userMessage.contains("OpenIDConnectProviderArn"), error.userMessage)
        }
        XCTAssertStubDone(stub)
    }

    func testEveryRoleAndProviderCallDeclaresItsActionOnItsARN() {
        let role = IAMPermissions.roleARN("ci", path: "/ci/", account: "123456789012")
        XCTAssertEqual(role, "arn:aws:iam::123456789012:role/ci/ci")
        let provider = IAMPermissions.openIDConnectProviderARN(url: "https://token.actions.githubusercontent.com/", account: "123456789012")
        XCTAssertEqual(provider, "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")
        for operation in ["CreateRole", "GetRole", "DeleteRole", "UpdateAssumeRolePolicy", "UpdateRole", "PutRolePermissionsBoundary",
                          "DeleteRolePermissionsBoundary", "TagRole", "UntagRole", "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies"] {
            XCTAssertEqual(IAMPermissions.calls(operation, resource: role), [DeclaredCall(operation: operation, action: "iam:\(operation)", resource: role)])
        }
        for operation in ["CreateOpenIDConnectProvider", "GetOpenIDConnectProvider", "DeleteOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint",
                          "AddClientIDToOpenIDConnectProvider", "RemoveClientIDFromOpenIDConnectProvider", "TagOpenIDConnectProvider",
                          "UntagOpenIDConnectProvider"] {
            XCTAssertEqual(IAMPermissions.calls(operation, resource: provider).map(\.resource), [provider])
        }
        XCTAssertEqual(IAMPermissions.calls("ListOpenIDConnectProviders", resource: provider).map(\.resource), ["*"])
        XCTAssertEqual(IAMPermissions.calls("AssumeRole", resource: role), [])
    }
}
