import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

/// Each service call declares what it changes; the journal a run leaves is the list of those declarations.
/// The targets are the ones the engine journalled before the declarations replaced body parsing
/// (IAM: the policy ARN, else its name, else the user; Budgets: the budget; Glue: the database; S3: bucket or bucket/key),
/// except Budgets UpdateBudget and the tag calls, which were journalled as "-" and now name their budget, and IAM
/// SimulateCustomPolicy, which was counted as mutating by its name although it changes nothing.
final class JournalTargetsTests: XCTestCase {
    func observed(_ stub: StubTransport, _ observer: RecordingCallObserver) throws -> AWSClient {
        try stubClient(stub).with(observer: observer)
    }

    func testIAMMutationsAreJournalledWithTheirPolicyOrUserAndReadsAreNot() async throws {
        let stub = StubTransport()
        let observer = RecordingCallObserver()
        let iam = IAMClient(try observed(stub, observer))
        let arn = "arn:aws:iam::123456789012:policy/sandbox-ci"
        let policy = "<Policy><Arn>\(arn)</Arn><PolicyName>sandbox-ci</PolicyName><DefaultVersionId>v1</DefaultVersionId></Policy>"
        let version = "<PolicyVersion><VersionId>v2</VersionId><Document>%7B%7D</Document></PolicyVersion>"
        func answer(_ action: String, _ result: String = "") {
            stub.expect(action, body: "<\(action)Response><\(action)Result>\(result)</\(action)Result></\(action)Response>")
        }
        answer("CreatePolicy", policy)
        answer("GetPolicy", policy)
        answer("CreatePolicyVersion", version)
        answer("ListPolicyVersions", "<Versions/><IsTruncated>false</IsTruncated>")
        answer("DeletePolicyVersion")
        answer("TagPolicy")
        answer("UntagPolicy")
        answer("CreateUser", "<User><UserName>ci</UserName><Arn>arn:aws:iam::123456789012:user/ci</Arn></User>")
        answer("AttachUserPolicy")
        answer("ListAttachedUserPolicies", "<AttachedPolicies/><IsTruncated>false</IsTruncated>")
        answer("DetachUserPolicy")
        answer("TagUser")
        answer("SimulateCustomPolicy", "<EvaluationResults/><IsTruncated>false</IsTruncated>")
        answer("DeleteUser")
        answer("DeletePolicy")

        _ = try await iam.createPolicy(name: "sandbox-ci", document: "{}")
        _ = try await iam.getPolicy(arn: arn)
        _ = try await iam.createPolicyVersion(arn: arn, document: "{}")
        _ = try await iam.listPolicyVersions(arn: arn)
        try await iam.deletePolicyVersion(arn: arn, versionId: "v1")
        try await iam.tagPolicy(arn: arn, tags: ["team": "ci"])
        try await iam.untagPolicy(arn: arn, keys: ["team"])
        _ = try await iam.createUser(name: "ci")
        try await iam.attachUserPolicy(user: "ci", policyArn: arn)
        _ = try await iam.listAttachedUserPolicies(user: "ci")
        try await iam.detachUserPolicy(user: "ci", policyArn: arn)
        try await iam.tagUser(name: "ci", tags: ["team": "ci"])
        _ = try await iam.simulateCustomPolicy(documents: ["{}"], actions: ["s3:GetObject"], resources: ["*"])
        try await iam.deleteUser(name: "ci")
        try await iam.deletePolicy(arn: arn)

        XCTAssertEqual(observer.journal, [
            "IAM:CreatePolicy sandbox-ci",
            "IAM:CreatePolicyVersion \(arn)",
            "IAM:DeletePolicyVersion \(arn)",
            "IAM:TagPolicy \(arn)",
            "IAM:UntagPolicy \(arn)",
            "IAM:CreateUser ci",
            "IAM:AttachUserPolicy \(arn)",
            "IAM:DetachUserPolicy \(arn)",
            "IAM:TagUser ci",
            "IAM:DeleteUser ci",
            "IAM:DeletePolicy \(arn)",
        ])
        XCTAssertEqual(observer.finished.count, observer.started.count)
        XCTAssertTrue(observer.finished.allSatisfy(\.succeeded))
        XCTAssertStubDone(stub)
    }

    func testBudgetsMutationsAreJournalledWithTheBudget() async throws {
        let stub = StubTransport()
        let observer = RecordingCallObserver()
        let budgets = BudgetsClient(try observed(stub, observer))
        let budget = try XCTUnwrap(Budget(name: "sandbox-monthly", limit: "10"))
        let arn = BudgetsClient.budgetARN(accountId: "123456789012", name: budget.name)
        let notification = BudgetNotification(threshold: 80)
        let subscriber = BudgetSubscriber(address: "ops@example.com")
        for operation in ["CreateBudget", "DescribeNotificationsForBudget", "UpdateBudget", "ListTagsForResource", "TagResource",
                          "UntagResource", "CreateNotification", "CreateSubscriber", "DeleteSubscriber", "DeleteNotification", "DeleteBudget"] {
            stub.expect(operation, body: "{}")
        }
        stub.expect("DescribeBudget", status: 400, body: #"{"__type":"NotFoundException","Message":"gone"}"#)

        try await budgets.createBudget(accountId: "123456789012", budget: budget)
        _ = try await budgets.describeNotificationsForBudget(accountId: "123456789012", name: budget.name)
        try await budgets.updateBudget(accountId: "123456789012", budget: budget)
        _ = try await budgets.listTagsForResource(arn: arn)
        try await budgets.tagResource(arn: arn, tags: ["team": "ci"])
        try await budgets.untagResource(arn: arn, keys: ["team"])
        try await budgets.createNotification(accountId: "123456789012", name: budget.name, notification: notification, subscribers: [subscriber])
        try await budgets.createSubscriber(accountId: "123456789012", name: budget.name, notification: notification, subscriber: subscriber)
        try await budgets.deleteSubscriber(accountId: "123456789012", name: budget.name, notification: notification, subscriber: subscriber)
        try await budgets.deleteNotification(accountId: "123456789012", name: budget.name, notification: notification)
        try await budgets.deleteBudget(accountId: "123456789012", name: budget.name)
        let missing = try await budgets.describeBudget(accountId: "123456789012", name: budget.name)
        XCTAssertNil(missing)

        XCTAssertEqual(observer.journal, [
            "Budgets:CreateBudget sandbox-monthly",
            "Budgets:UpdateBudget sandbox-monthly",
            "Budgets:TagResource \(arn)",
            "Budgets:UntagResource \(arn)",
            "Budgets:CreateNotification sandbox-monthly",
            "Budgets:CreateSubscriber sandbox-monthly",
            "Budgets:DeleteSubscriber sandbox-monthly",
            "Budgets:DeleteNotification sandbox-monthly",
            "Budgets:DeleteBudget sandbox-monthly",
        ])
        XCTAssertStubDone(stub)
    }

    func testGlueMutationsAreJournalledWithTheDatabase() async throws {
        let stub = StubTransport()
        let observer = RecordingCallObserver()
        let glue = GlueClient(try observed(stub, observer))
        for operation in ["CreateDatabase", "GetDatabases", "UpdateDatabase", "CreateTable", "GetTables", "BatchDeleteTable", "DeleteDatabase"] {
            stub.expect(operation, body: "{}")
        }
        stub.expect("GetDatabase", status: 400, body: #"{"__type":"EntityNotFoundException","Message":"gone"}"#)

        try await glue.createDatabase(name: "sandbox_run")
        _ = try await glue.getDatabases()
        try await glue.updateDatabase(name: "sandbox_run", description: "d")
        try await glue.createTable(database: "sandbox_run", name: "events", columns: [("id", "string")])
        _ = try await glue.getTables(database: "sandbox_run")
        _ = try await glue.batchDeleteTable(database: "sandbox_run", names: ["events"])
        try await glue.deleteDatabase(name: "sandbox_run")
        let missing = try await glue.getDatabase(name: "sandbox_run")
        XCTAssertNil(missing)

        XCTAssertEqual(observer.journal, [
            "Glue:CreateDatabase sandbox_run",
            "Glue:UpdateDatabase sandbox_run",
            "Glue:CreateTable sandbox_run",
            "Glue:BatchDeleteTable sandbox_run",
            "Glue:DeleteDatabase sandbox_run",
        ])
        XCTAssertStubDone(stub)
    }

    func testS3MutationsAreJournalledWithTheBucketOrObjectTheyAddress() async throws {
        let stub = StubTransport()
        let observer = RecordingCallObserver()
        let s3 = S3Client(try observed(stub, observer))
        let capture = Captured()
        stub.answer(capture)  // CreateBucket
        stub.answer(capture)  // HeadBucket
        stub.answer(capture, body: "<Tagging><TagSet/></Tagging>")
        stub.answer(capture)  // PutBucketTagging
        stub.answer(capture)  // PutPublicAccessBlock
        stub.answer(capture)  // PutBucketVersioning
        stub.answer(capture, headers: ["ETag": "\"e\""])  // PutObject
        stub.answer(capture, body: "data")  // GetObject
        stub.answer(capture, body: "<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>")
        stub.answer(capture)  // AbortMultipartUpload
        stub.answer(capture, body: "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")
        stub.answer(capture, body: "<DeleteResult/>")
        stub.answer(capture)  // DeleteObject
        stub.answer(capture)  // DeletePublicAccessBlock
        stub.answer(capture)  // DeleteBucket

        try await s3.createBucket("sandbox-data")
        try await s3.headBucket("sandbox-data")
        _ = try await s3.getBucketTagging("sandbox-data")
        try await s3.putBucketTagging("sandbox-data", tags: ["team": "ci"])
        try await s3.putPublicAccessBlock("sandbox-data", PublicAccessBlock())
        try await s3.putBucketVersioning("sandbox-data", .enabled)
        try await s3.putObject(bucket: "sandbox-data", key: "runs/r1/a.txt", body: Data("a".utf8))
        _ = try await s3.getObject(bucket: "sandbox-data", key: "runs/r1/a.txt")
        let upload = try await s3.createMultipartUpload(bucket: "sandbox-data", key: "runs/r1/big")
        try await s3.abortMultipartUpload(bucket: "sandbox-data", key: "runs/r1/big", uploadId: upload)
        _ = try await s3.listObjectsV2(bucket: "sandbox-data", prefix: "runs/")
        _ = try await s3.deleteObjects(bucket: "sandbox-data", [ObjectIdentifier(key: "runs/r1/b.txt")])
        try await s3.deleteObject(bucket: "sandbox-data", key: "runs/r1/a.txt")
        try await s3.deletePublicAccessBlock("sandbox-data")
        try await s3.deleteBucket("sandbox-data")

        XCTAssertEqual(observer.journal, [
            "S3:CreateBucket sandbox-data",
            "S3:PutBucketTagging sandbox-data",
            "S3:PutPublicAccessBlock sandbox-data",
            "S3:PutBucketVersioning sandbox-data",
            "S3:PutObject sandbox-data/runs/r1/a.txt",
            "S3:CreateMultipartUpload sandbox-data/runs/r1/big",
            "S3:AbortMultipartUpload sandbox-data/runs/r1/big",
            "S3:DeleteObjects sandbox-data",
            "S3:DeleteObject sandbox-data/runs/r1/a.txt",
            "S3:DeletePublicAccessBlock sandbox-data",
            "S3:DeleteBucket sandbox-data",
        ])
        XCTAssertEqual(capture.requests.count, 15)
        XCTAssertStubDone(stub)
    }

    func testSTSCallsAreNotJournalled() async throws {
        let stub = StubTransport()
        let observer = RecordingCallObserver()
        let sts = STSClient(try observed(stub, observer))
        stub.expect("GetCallerIdentity", body: "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/ci</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>")
        stub.expect("AssumeRole", body: "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken></Credentials></AssumeRoleResult></AssumeRoleResponse>")
        _ = try await sts.getCallerIdentity()
        _ = try await sts.assumeRole(roleArn: "arn:aws:iam::123456789012:role/ci", sessionName: "s")
        XCTAssertEqual(observer.started, [], "identity and credential exchanges change nothing a later run must know about")
        XCTAssertStubDone(stub)
    }
}
