import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

final class QueryWireTests: XCTestCase {
    let policyXML = """
        <CreatePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreatePolicyResult><Policy>
          <PolicyName>p</PolicyName><DefaultVersionId>v1</DefaultVersionId><PolicyId>ANPA1</PolicyId><Path>/sbx/</Path>
          <Arn>arn:aws:iam::123456789012:policy/sbx/p</Arn><AttachmentCount>2</AttachmentCount>
          <CreateDate>2024-05-01T12:00:00Z</CreateDate></Policy></CreatePolicyResult>
          <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreatePolicyResponse>
        """

    func testCreatePolicyFlattensParameters() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: policyXML)
        let iam = IAMClient(try stubClient(stub))
        let document = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        let policy = try await iam.createPolicy(name: "p", path: "/sbx/", document: document, description: "d & e",
                                                tags: ["owner": "me", "env": "a=b c"])
        XCTAssertStubDone(stub)
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.header("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8")
        XCTAssertTrue(request.header("Authorization")?.contains("/us-east-1/iam/aws4_request") == true)
        let pairs = request.formParameters
        XCTAssertEqual(pairs.map(\.0), ["Action", "Version", "PolicyName", "Path", "PolicyDocument", "Description",
                                        "Tags.member.1.Key", "Tags.member.1.Value", "Tags.member.2.Key", "Tags.member.2.Value"])
        XCTAssertEqual(request.form("Action"), "CreatePolicy")
        XCTAssertEqual(request.form("Version"), "2010-05-08")
        XCTAssertEqual(request.form("PolicyDocument"), document)
        XCTAssertEqual(request.form("Description"), "d & e")
        XCTAssertEqual(request.form("Tags.member.1.Key"), "env")
        XCTAssertEqual(request.form("Tags.member.1.Value"), "a=b c")
        XCTAssertEqual(request.form("Tags.member.2.Key"), "owner")
        // RFC 3986 encoding in the body: no raw reserved characters or '+' for spaces.
        XCTAssertTrue(request.bodyText.contains("Description=d%20%26%20e"), request.bodyText)

        XCTAssertEqual(policy, ManagedPolicy(arn: "arn:aws:iam::123456789012:policy/sbx/p", name: "p", policyId: "ANPA1", path: "/sbx/",
                                             defaultVersionId: "v1", attachmentCount: 2, createDate: Date(timeIntervalSince1970: 1_714_564_800)))
    }

    func testPolicyVersionDocumentIsUrlDecoded() async throws {
        let stub = StubTransport()
        let json = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a b+%"}]}"#
        let encoded = json.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        stub.expect("GetPolicyVersion", body: """
            <GetPolicyVersionResponse><GetPolicyVersionResult><PolicyVersion><Document>\(encoded)</Document>
            <VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2024-05-01T12:00:00.123456Z</CreateDate>
            </PolicyVersion></GetPolicyVersionResult></GetPolicyVersionResponse>
            """)
        // moto sends the document as raw JSON: kept as is, literal '%' included.
        stub.expect("GetPolicyVersion", body: """
            <GetPolicyVersionResponse><GetPolicyVersionResult><PolicyVersion><Document>\(json)</Document>
            <VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion></PolicyVersion></GetPolicyVersionResult></GetPolicyVersionResponse>
            """)
        let iam = IAMClient(try stubClient(stub))
        let v2 = try await iam.getPolicyVersion(arn: "arn:aws:iam::1:policy/p", versionId: "v2")
        XCTAssertEqual(v2.document, json)
        XCTAssertTrue(v2.isDefault)
        XCTAssertEqual(v2.createDate?.timeIntervalSince1970 ?? 0, 1_714_564_800.123456, accuracy: 0.0001)
        let v1 = try await iam.getPolicyVersion(arn: "arn:aws:iam::1:policy/p", versionId: "v1")
        XCTAssertEqual(v1.document, json)
        XCTAssertFalse(v1.isDefault)
        XCTAssertStubDone(stub)
    }

    func testListAttachedUserPoliciesFollowsMarker() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: """
            <ListAttachedUserPoliciesResponse><ListAttachedUserPoliciesResult><AttachedPolicies>
            <member><PolicyName>a</PolicyName><PolicyArn>arn:a</PolicyArn></member></AttachedPolicies>
            <IsTruncated>true</IsTruncated><Marker>m+1/=</Marker></ListAttachedUserPoliciesResult></ListAttachedUserPoliciesResponse>
            """)
        stub.answer(capture, body: """
            <ListAttachedUserPoliciesResponse><ListAttachedUserPoliciesResult><AttachedPolicies>
            <member><PolicyName>b</PolicyName><PolicyArn>arn:b</PolicyArn></member></AttachedPolicies>
            <IsTruncated>false</IsTruncated></ListAttachedUserPoliciesResult></ListAttachedUserPoliciesResponse>
            """)
        let policies = try await IAMClient(try stubClient(stub)).listAttachedUserPolicies(user: "u")
        XCTAssertEqual(policies, [AttachedPolicy(name: "a", arn: "arn:a"), AttachedPolicy(name: "b", arn: "arn:b")])
        XCTAssertNil(capture.requests[0].form("Marker"))
        XCTAssertEqual(capture.requests[1].form("Marker"), "m+1/=")
        XCTAssertEqual(capture.requests[1].form("UserName"), "u")
        XCTAssertStubDone(stub)
    }

    func testUntagPolicyListsKeysAndMissingEntityIsNotFound() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "<UntagPolicyResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></UntagPolicyResponse>")
        stub.expect("GetUser", status: 404, body: """
            <ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The user with name u cannot be found.</Message></Error>
            <RequestId>r</RequestId></ErrorResponse>
            """)
        let iam = IAMClient(try stubClient(stub))
        try await iam.untagPolicy(arn: "arn:p", keys: ["a", "b c"])
        XCTAssertEqual(capture.last?.formParameters.map(\.0), ["Action", "Version", "PolicyArn", "TagKeys.member.1", "TagKeys.member.2"])
        XCTAssertEqual(capture.last?.form("TagKeys.member.2"), "b c")
        do {
            _ = try await iam.getUser(name: "u")
            XCTFail("expected NoSuchEntity")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .notFound)
        }
        XCTAssertStubDone(stub)
    }

    func testAssumeRoleParsesCredentialsAndWebIdentityIsUnsigned() async throws {
        let stub = StubTransport()
        let capture = Captured()
        let answer = { (action: String) in """
            <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><\(action)Result>
              <Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>sek</SecretAccessKey>
                <SessionToken>tok==</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration></Credentials>
              <AssumedRoleUser><AssumedRoleId>AROA1:s</AssumedRoleId><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>
            </\(action)Result></\(action)Response>
            """ }
        stub.answer(capture, body: answer("AssumeRole"))
        stub.answer(capture, body: answer("AssumeRoleWithWebIdentity"))
        stub.answer(capture, body: """
            <GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/me</Arn>
            <UserId>AIDA1</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
            """)
        let sts = STSClient(try stubClient(stub, region: "eu-west-1"))
        let role = try await sts.assumeRole(roleArn: "arn:aws:iam::1:role/r", sessionName: "s", externalId: "ext", durationSeconds: 900)
        XCTAssertEqual(role.credentials.accessKeyId, "ASIAX")
        XCTAssertEqual(role.credentials.secretAccessKey, "sek")
        XCTAssertEqual(role.credentials.sessionToken, "tok==")
        XCTAssertEqual(role.credentials.expiration, Date(timeIntervalSince1970: 1_714_568_400))
        XCTAssertEqual(role.assumedRoleArn, "arn:aws:sts::1:assumed-role/r/s")
        XCTAssertEqual(role.assumedRoleId, "AROA1:s")
        let first = capture.requests[0]
        XCTAssertEqual(first.form("Action"), "AssumeRole")
        XCTAssertEqual(first.form("Version"), "2011-06-15")
        XCTAssertEqual(first.form("DurationSeconds"), "900")
        XCTAssertEqual(first.form("ExternalId"), "ext")
        XCTAssertTrue(first.header("Authorization")?.contains("/eu-west-1/sts/aws4_request") == true)

        let web = try await sts.assumeRoleWithWebIdentity(roleArn: "arn:aws:iam::1:role/r", sessionName: "s", token: "eyJ.x.y")
        XCTAssertEqual(web.credentials.sessionToken, "tok==")
        XCTAssertNil(capture.requests[1].header("Authorization"))
        XCTAssertEqual(capture.requests[1].form("WebIdentityToken"), "eyJ.x.y")

        let identity = try await sts.getCallerIdentity()
        XCTAssertEqual(identity, CallerIdentity(account: "123456789012", arn: "arn:aws:iam::123456789012:user/me", userId: "AIDA1"))
        XCTAssertStubDone(stub)
    }
}
