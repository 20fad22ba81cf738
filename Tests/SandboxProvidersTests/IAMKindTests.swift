import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxTestSupport
import XCTest

/// An IAM Query answer: `<ActionResponse><ActionResult>inner</ActionResult></ActionResponse>`.
func iam(_ action: String, _ inner: String = "") -> Answer {
    Answer(action, "<\(action)Response><\(action)Result>\(inner)</\(action)Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></\(action)Response>")
}

final class IAMPolicyKindTests: XCTestCase {
    let provider = adapter(IAMPolicyKind.self)
    let arn = "arn:aws:iam::123456789012:policy/sbx/p"
    let document: JSONValue = .object(["Version": .string("2012-10-17"),
                                       "Statement": .array([.object(["Effect": .string("Allow"), "Action": .string("s3:GetObject"), "Resource": .string("*")])])])

    var policyXML: String {
        "<Policy><PolicyName>p</PolicyName><DefaultVersionId>v1</DefaultVersionId><PolicyId>ANPA1</PolicyId><Path>/sbx/</Path><Arn>\(arn)</Arn></Policy>"
    }

    func reads(version: String = "v1", tags: String = "") -> [Answer] {
        let encoded = document.compactJSON.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return [iam("GetPolicyVersion", "<PolicyVersion><Document>\(encoded)</Document><VersionId>\(version)</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>"),
                iam("ListPolicyTags", "<Tags>\(tags)</Tags><IsTruncated>false</IsTruncated>")]
    }

    var desired: Attributes {
        ["name": .string("p"), "path": .string("/sbx/"), "document": document, "tags": .object(["ManagedBy": .string("sandbox")])]
    }

    func testReadAssemblesPolicyDocumentAndTags() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("GetPolicy", policyXML)], sent: sent)
        stub.expectAnyOrder(reads(tags: "<member><Key>ManagedBy</Key><Value>sandbox</Value></member>"), sent: sent)
        let read = try await provider.read(["arn": .string(arn), "path": .string("/")], context: stubContext(stub))
        let live = try XCTUnwrap(read)
        XCTAssertEqual(live["name"], .string("p"))
        XCTAssertEqual(live["policy_id"], .string("ANPA1"))
        XCTAssertEqual(live["default_version_id"], .string("v1"))
        XCTAssertEqual(live["tags"], .object(["ManagedBy": .string("sandbox")]))
        XCTAssertTrue(PolicyDocument.equivalent(try XCTUnwrap(live["document"]), document))
        XCTAssertEqual(provider.differences(desired: desired, live: live), [])
        XCTAssertStubDone(stub)
    }

    func testReadNotFoundIsNilAccessDeniedAndMalformedThrow() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GetPolicy", status: 404, iamError("NoSuchEntity")), Answer("GetPolicy", status: 403, iamError("AccessDenied")),
                            iam("GetPolicy", "<Nothing/>")], sent: sent)
        let context = try stubContext(stub)
        let identity: Attributes = ["arn": .string(arn)]
        let gone = try await provider.read(identity, context: context)
        XCTAssertNil(gone)
        let denied = await thrown { _ = try await self.provider.read(identity, context: context) }
        XCTAssertEqual((denied as? AWSError)?.kind, .accessDenied)
        let malformed = await thrown { _ = try await self.provider.read(identity, context: context) }
        XCTAssertTrue(malformed is MalformedResponseError, "\(String(describing: malformed))")
        XCTAssertStubDone(stub)
    }

    func testCreateSendsTheDocumentAndReturnsTheComputedIds() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("CreatePolicy", policyXML), iam("GetPolicy", policyXML)], sent: sent)
        stub.expectAnyOrder(reads(), sent: sent)
        let out = try await provider.create(desired, context: stubContext(stub))
        XCTAssertEqual(out["arn"], .string(arn))
        XCTAssertEqual(out["policy_id"], .string("ANPA1"))
        XCTAssertEqual(sent.requests[0].form("PolicyDocument"), document.compactJSON)
        XCTAssertEqual(sent.requests[0].form("Path"), "/sbx/")
        XCTAssertStubDone(stub)
    }

    func testUpdateOfTheDocumentDropsTheOldestVersionAtTheLimit() async throws {
        let stub = StubTransport(), sent = Sent()
        let versions = (1...5).map { "<member><VersionId>v\($0)</VersionId><IsDefaultVersion>\($0 == 5)</IsDefaultVersion><CreateDate>2024-05-0\($0)T00:00:00Z</CreateDate></member>" }
        stub.expectInOrder([iam("ListPolicyVersions", "<Versions>\(versions.joined())</Versions><IsTruncated>false</IsTruncated>"),
                            iam("DeletePolicyVersion"), iam("CreatePolicyVersion", "<PolicyVersion><VersionId>v6</VersionId><IsDefaultVersion>true</IsDefaultVersion></PolicyVersion>"),
                            iam("GetPolicy", policyXML.replacingOccurrences(of: "v1", with: "v6"))], sent: sent)
        stub.expectAnyOrder(reads(version: "v6", tags: "<member><Key>ManagedBy</Key><Value>sandbox</Value></member>"), sent: sent)
        var live = desired
        live["arn"] = .string(arn)
        live["document"] = .object(["Version": .string("2012-10-17"), "Statement": .array([])])
        let out = try await provider.update(desired, live: live, context: stubContext(stub))
        XCTAssertEqual(sent.requests[1].form("VersionId"), "v1", "the oldest non-default version goes")
        XCTAssertEqual(sent.requests[2].form("SetAsDefault"), "true")
        XCTAssertEqual(out["default_version_id"], .string("v6"))
        XCTAssertStubDone(stub)
    }

    func testDeleteRemovesVersionsFirstAndAGonePolicyIsNotAnError() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("ListPolicyVersions", """
            <Versions><member><VersionId>v1</VersionId><IsDefaultVersion>false</IsDefaultVersion></member>\
            <member><VersionId>v2</VersionId><IsDefaultVersion>true</IsDefaultVersion></member></Versions><IsTruncated>false</IsTruncated>
            """), iam("DeletePolicyVersion"), iam("DeletePolicy"),
                            Answer("ListPolicyVersions", status: 404, iamError("NoSuchEntity"))], sent: sent)
        let context = try stubContext(stub)
        var recorded = desired
        recorded["arn"] = .string(arn)
        try await provider.delete(recorded, context: context, options: DeleteOptions())
        try await provider.delete(recorded, context: context, options: DeleteOptions())
        XCTAssertEqual(sent.operations, ["ListPolicyVersions", "DeletePolicyVersion", "DeletePolicy", "ListPolicyVersions"])
        XCTAssertStubDone(stub)
    }

    func testDeleteOfRecordedAttributesThatDoNotFitIsAnInternalError() async throws {
        let error = await thrown { try await self.provider.delete(["arn": .string(self.arn)], context: try stubContext(StubTransport()), options: DeleteOptions()) }
        XCTAssertEqual((error as? ProviderError)?.category, .internal)
        XCTAssertTrue((error as? ProviderError)?.message.contains("name is missing") == true, "\(String(describing: error))")
    }

    func testPlannedArnImportAndCanonicalDocument() throws {
        let context = try stubContext(StubTransport())
        XCTAssertEqual(provider.plannedAttributes(desired, context: context)["arn"], .string(arn))
        XCTAssertEqual(provider.importAttributes(id: arn, context: context), ["arn": .string(arn), "name": .string("p")])
        XCTAssertEqual(provider.importAttributes(id: "q", context: context), ["arn": .string("arn:aws:iam::123456789012:policy/q"), "name": .string("q")])
        var reordered = desired
        reordered["document"] = .object(["Version": .string("2012-10-17"),
                                         "Statement": .object(["Effect": .string("Allow"), "Action": .array([.string("s3:GetObject")]), "Resource": .string("*")])])
        XCTAssertEqual(provider.canonical(desired), provider.canonical(reordered))
        XCTAssertEqual(provider.readCalls(["arn": .string(arn)], context: context).map(\.required), [false, false, false])
    }
}

final class IAMUserKindTests: XCTestCase {
    let provider = adapter(IAMUserKind.self)
    let userXML = "<User><UserName>u</UserName><UserId>AIDA1</UserId><Arn>arn:aws:iam::123456789012:user/u</Arn><Path>/</Path></User>"

    func testReadListsAttachedPoliciesSortedAndTags() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("GetUser", userXML)], sent: sent)
        stub.expectAnyOrder([iam("ListAttachedUserPolicies", """
            <AttachedPolicies><member><PolicyName>b</PolicyName><PolicyArn>arn:b</PolicyArn></member>\
            <member><PolicyName>a</PolicyName><PolicyArn>arn:a</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>
            """), iam("ListUserTags", "<Tags></Tags><IsTruncated>false</IsTruncated>")], sent: sent)
        let live = try await provider.read(["name": .string("u"), "path": .string("/")], context: stubContext(stub))
        XCTAssertEqual(live, ["name": .string("u"), "path": .string("/"), "arn": .string("arn:aws:iam::123456789012:user/u"), "user_id": .string("AIDA1"),
                              "policy_arns": .array([.string("arn:a"), .string("arn:b")]), "tags": .object([:])])
        XCTAssertStubDone(stub)
    }

    func testCreateAttachesEveryPolicy() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("CreateUser", userXML), iam("AttachUserPolicy"), iam("AttachUserPolicy")], sent: sent)
        let out = try await provider.create(["name": .string("u"), "policy_arns": .array([.string("arn:a"), .string("arn:b")])], context: stubContext(stub))
        XCTAssertEqual(out["user_id"], .string("AIDA1"))
        XCTAssertEqual(out["path"], .string("/"), "the schema default")
        XCTAssertEqual(sent.requests.dropFirst().map { $0.form("PolicyArn") }, ["arn:a", "arn:b"])
        XCTAssertStubDone(stub)
    }

    func testUpdateAttachesDetachesAndTags() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("AttachUserPolicy"), iam("DetachUserPolicy"), iam("TagUser")], sent: sent)
        let desired: Attributes = ["name": .string("u"), "policy_arns": .array([.string("arn:new")]), "tags": .object(["a": .string("1")])]
        let live: Attributes = ["name": .string("u"), "path": .string("/"), "policy_arns": .array([.string("arn:old")]), "user_id": .string("AIDA1"), "tags": .object([:])]
        let out = try await provider.update(desired, live: live, context: stubContext(stub))
        XCTAssertEqual(sent.requests[0].form("PolicyArn"), "arn:new")
        XCTAssertEqual(sent.requests[1].form("PolicyArn"), "arn:old")
        XCTAssertEqual(out["user_id"], .string("AIDA1"))
        XCTAssertStubDone(stub)
    }

    func testDeleteDetachesFirstAndAGoneUserIsNotAnErrorButDeniedIs() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([iam("ListAttachedUserPolicies", "<AttachedPolicies><member><PolicyName>a</PolicyName><PolicyArn>arn:a</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>"),
                            iam("DetachUserPolicy"), iam("DeleteUser"),
                            Answer("ListAttachedUserPolicies", status: 404, iamError("NoSuchEntity")),
                            Answer("ListAttachedUserPolicies", status: 403, iamError("AccessDenied"))], sent: sent)
        let context = try stubContext(stub)
        let recorded: Attributes = ["name": .string("u"), "path": .string("/"), "policy_arns": .array([])]
        try await provider.delete(recorded, context: context, options: DeleteOptions())
        try await provider.delete(recorded, context: context, options: DeleteOptions())
        let denied = await thrown { try await self.provider.delete(recorded, context: context, options: DeleteOptions()) }
        XCTAssertEqual((denied as? AWSError)?.kind, .accessDenied)
        XCTAssertStubDone(stub)
    }

    func testTerraformAttachmentMustBeListed() throws {
        let attachment = try XCTUnwrap(provider.terraformImports.first { $0.partOf })
        let target: Attributes = ["name": .string("u"), "path": .string("/"), "policy_arns": .array([.string("arn:a")])]
        XCTAssertNil(attachment.mismatch?(["policy_arn": .string("arn:a")], target))
        XCTAssertEqual(attachment.mismatch?(["policy_arn": .string("arn:z")], target), "attaches arn:z, which the stack's user does not list in policy_arns")
    }
}
