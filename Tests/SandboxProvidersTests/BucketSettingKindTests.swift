import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxTestSupport
import XCTest

/// The four bucket settings share one skeleton: read (nil when unconfigured or the bucket is gone), put then read
/// back, delete that tolerates "already gone". Each test drives one setting through it.
final class BucketSettingKindTests: XCTestCase {
    let block = """
        <PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>\
        <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>
        """

    // MARK: public access block

    func testPublicAccessBlockDefaultsComeFromTheSchemaAndArePutThenReadBack() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("PUT /b?publicAccessBlock"), Answer("GET /b?publicAccessBlock", block)], sent: sent)
        let provider = adapter(PublicAccessBlockKind.self)
        let out = try await provider.create(["bucket": .string("b")], context: stubContext(stub))
        XCTAssertEqual(out["block_public_acls"], .bool(true))
        XCTAssertEqual(out["restrict_public_buckets"], .bool(true))
        XCTAssertTrue(sent.requests[0].bodyText.contains("<RestrictPublicBuckets>true</RestrictPublicBuckets>"), sent.requests[0].bodyText)
        XCTAssertStubDone(stub)
    }

    func testPublicAccessBlockReadWhenUnconfiguredOrBucketGoneIsNil() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?publicAccessBlock", status: 404, s3Error("NoSuchPublicAccessBlockConfiguration")),
                            Answer("GET /gone?publicAccessBlock", status: 404, s3Error("NoSuchBucket"))], sent: sent)
        let provider = adapter(PublicAccessBlockKind.self)
        let context = try stubContext(stub)
        let unconfigured = try await provider.read(["bucket": .string("b")], context: context)
        XCTAssertNil(unconfigured)
        let gone = try await provider.read(["bucket": .string("gone")], context: context)
        XCTAssertNil(gone)
        XCTAssertStubDone(stub)
    }

    func testPublicAccessBlockDeleteToleratesGoneAndPropagatesAccessDenied() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("DELETE /b?publicAccessBlock", status: 404, s3Error("NoSuchBucket")),
                            Answer("DELETE /b?publicAccessBlock", status: 403, s3Error("AccessDenied"))], sent: sent)
        let provider = adapter(PublicAccessBlockKind.self)
        let context = try stubContext(stub)
        let recorded: Attributes = ["bucket": .string("b")]
        try await provider.delete(recorded, context: context, options: DeleteOptions())
        let denied = await thrown { try await provider.delete(recorded, context: context, options: DeleteOptions()) }
        XCTAssertEqual((denied as? AWSError)?.kind, .accessDenied)
        XCTAssertStubDone(stub)
    }

    func testAPutThatNeverShowsFailsNothingButStopsPolling() async throws {
        // S3 keeps answering the old setting: the write returns after the policy's attempts, not forever.
        let stub = StubTransport(), sent = Sent()
        let old = block.replacingOccurrences(of: "<BlockPublicAcls>true", with: "<BlockPublicAcls>false")
        stub.expectInOrder([Answer("PUT /b?publicAccessBlock"), Answer("GET /b?publicAccessBlock", old), Answer("GET /b?publicAccessBlock", old)], sent: sent)
        _ = try await adapter(PublicAccessBlockKind.self).update(["bucket": .string("b")], live: ["bucket": .string("b")], context: stubContext(stub, consistencyAttempts: 2))
        XCTAssertEqual(sent.operations.count, 3)
        XCTAssertStubDone(stub)
    }

    // MARK: encryption

    func testEncryptionReadsKMSAndSendsTheKeyOnlyWithKMS() async throws {
        let stub = StubTransport(), sent = Sent()
        let kms = """
            <ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>\
            <KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>
            """
        let aes = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        stub.expectInOrder([Answer("GET /b?encryption", kms), Answer("PUT /b?encryption"), Answer("GET /b?encryption", aes)], sent: sent)
        let provider = adapter(BucketEncryptionKind.self)
        // One read-back: the stray key never shows, so the poll gives up after its single attempt.
        let context = try stubContext(stub, consistencyAttempts: 1)
        let live = try await provider.read(["bucket": .string("b")], context: context)
        XCTAssertEqual(live, ["bucket": .string("b"), "algorithm": .string("aws:kms"), "kms_key_id": .string("k"), "bucket_key_enabled": .bool(true)])
        _ = try await provider.create(["bucket": .string("b"), "kms_key_id": .string("ignored")], context: context)
        XCTAssertFalse(sent.requests[1].bodyText.contains("KMSMasterKeyID"), "AES256 (the schema default) sends no key")
        XCTAssertStubDone(stub)
    }

    func testEncryptionNormalizeRequiresAKeyWithKMS() {
        let provider = adapter(BucketEncryptionKind.self)
        let facts = StackFacts(stackName: "s", accountId: "1", region: "r")
        var kms: Attributes = ["bucket": .string("b"), "algorithm": .string("aws:kms")]
        XCTAssertEqual(provider.normalize(&kms, unknown: [], facts: facts), ["algorithm aws:kms needs kms_key_id"])
        XCTAssertEqual(provider.normalize(&kms, unknown: ["kms_key_id"], facts: facts), [])
        var aes: Attributes = ["bucket": .string("b")]
        XCTAssertEqual(provider.normalize(&aes, unknown: [], facts: facts), [])
        XCTAssertEqual(aes, ["bucket": .string("b")], "normalize adds no defaults")
    }

    func testEncryptionDeleteOfAMissingConfigurationIsNotAnError() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("DELETE /b?encryption", status: 404, s3Error("ServerSideEncryptionConfigurationNotFoundError"))], sent: sent)
        try await adapter(BucketEncryptionKind.self).delete(["bucket": .string("b"), "algorithm": .string("AES256")], context: stubContext(stub), options: DeleteOptions())
        XCTAssertStubDone(stub)
    }

    // MARK: versioning

    func testVersioningCreateOnAnUnversionedBucketWantingDisabledOnlyReads() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?versioning", "<VersioningConfiguration/>")], sent: sent)
        let out = try await adapter(BucketVersioningKind.self).create(["bucket": .string("b")], context: stubContext(stub))
        XCTAssertEqual(out["status"], .string("Disabled"))
        XCTAssertStubDone(stub)
    }

    func testVersioningEnableThenDeleteSuspends() async throws {
        let stub = StubTransport(), sent = Sent()
        let enabled = "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
        stub.expectInOrder([Answer("GET /b?versioning", "<VersioningConfiguration/>"), Answer("PUT /b?versioning"), Answer("GET /b?versioning", enabled),
                            Answer("PUT /b?versioning")], sent: sent)
        let provider = adapter(BucketVersioningKind.self)
        let context = try stubContext(stub)
        let out = try await provider.create(["bucket": .string("b"), "status": .string("Enabled")], context: context)
        XCTAssertTrue(sent.requests[1].bodyText.contains("<Status>Enabled</Status>"))
        try await provider.delete(out, context: context, options: DeleteOptions())
        XCTAssertTrue(sent.requests[3].bodyText.contains("<Status>Suspended</Status>"))
        XCTAssertStubDone(stub)
    }

    func testVersioningDeleteOfANeverVersionedBucketSendsNothing() async throws {
        let stub = StubTransport()
        try await adapter(BucketVersioningKind.self).delete(["bucket": .string("b"), "status": .string("Disabled")], context: stubContext(stub), options: DeleteOptions())
        XCTAssertEqual(stub.requestCount, 0)
    }

    func testVersioningSuspendedSatisfiesDisabled() {
        let provider = adapter(BucketVersioningKind.self)
        XCTAssertEqual(provider.differences(desired: ["bucket": .string("b"), "status": .string("Disabled")], live: ["bucket": .string("b"), "status": .string("Suspended")]), [])
        let changes = provider.differences(desired: ["bucket": .string("b"), "status": .string("Enabled")], live: ["bucket": .string("b"), "status": .string("Suspended")])
        XCTAssertEqual(changes, [AttributeChange(name: "status", old: .string("Suspended"), new: .string("Enabled"))])
    }

    // MARK: lifecycle

    let rules = """
        <LifecycleConfiguration>
          <Rule><ID>theirs</ID><Filter><Prefix>x/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>9</Days></Expiration></Rule>
          <Rule><ID>sandbox-expire-runs</ID><Filter><Prefix>runs/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>3</Days></Expiration>
            <AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
        </LifecycleConfiguration>
        """

    func testLifecycleReadsItsOwnRuleAndReportsItDisabled() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?lifecycle", rules)], sent: sent)
        let provider = adapter(BucketLifecycleKind.self)
        let live = try await provider.read(["bucket": .string("b")], context: stubContext(stub))
        XCTAssertEqual(live, ["bucket": .string("b"), "rule_id": .string("sandbox-expire-runs"), "prefix": .string("runs/"),
                              "expiration_days": .number(3), "abort_incomplete_upload_days": .number(1), "enabled": .bool(false)])
        let desired: Attributes = ["bucket": .string("b"), "prefix": .string("runs/"), "expiration_days": .number(3),
                                   "abort_incomplete_upload_days": .number(1), "rule_id": .string("sandbox-expire-runs")]
        XCTAssertEqual(provider.differences(desired: desired, live: try XCTUnwrap(live)).map(\.name), ["enabled"])
        XCTAssertEqual(provider.physicalId(desired), "b/sandbox-expire-runs")
        XCTAssertStubDone(stub)
    }

    func testLifecycleWriteKeepsOtherRulesAndUsesSchemaDefaults() async throws {
        let stub = StubTransport(), sent = Sent()
        let after = rules.replacingOccurrences(of: "<Status>Disabled</Status>", with: "<Status>Enabled</Status>")
        stub.expectInOrder([Answer("GET /b?lifecycle", rules), Answer("PUT /b?lifecycle"), Answer("GET /b?lifecycle", after)], sent: sent)
        _ = try await adapter(BucketLifecycleKind.self).create(["bucket": .string("b")], context: stubContext(stub))
        let body = sent.requests[1].bodyText
        XCTAssertTrue(body.contains("<ID>theirs</ID>"), body)
        XCTAssertTrue(body.contains("<ID>sandbox-expire-runs</ID>"), body)
        XCTAssertTrue(body.contains("<Expiration><Days>3</Days></Expiration>"), body)
        XCTAssertTrue(body.contains("<DaysAfterInitiation>1</DaysAfterInitiation>"), body)
        XCTAssertStubDone(stub)
    }

    func testLifecycleDeleteLeavesOtherRulesOrDeletesTheConfiguration() async throws {
        let stub = StubTransport(), sent = Sent()
        let onlyOurs = "<LifecycleConfiguration><Rule><ID>sandbox-expire-runs</ID><Prefix>runs/</Prefix><Status>Enabled</Status></Rule></LifecycleConfiguration>"
        stub.expectInOrder([Answer("GET /b?lifecycle", rules), Answer("PUT /b?lifecycle"),
                            Answer("GET /b?lifecycle", onlyOurs), Answer("DELETE /b?lifecycle"),
                            Answer("GET /gone?lifecycle", status: 404, s3Error("NoSuchBucket"))], sent: sent)
        let provider = adapter(BucketLifecycleKind.self)
        let context = try stubContext(stub)
        try await provider.delete(["bucket": .string("b")], context: context, options: DeleteOptions())
        XCTAssertFalse(sent.requests[1].bodyText.contains("sandbox-expire-runs"))
        XCTAssertTrue(sent.requests[1].bodyText.contains("<ID>theirs</ID>"))
        try await provider.delete(["bucket": .string("b")], context: context, options: DeleteOptions())
        try await provider.delete(["bucket": .string("gone")], context: context, options: DeleteOptions())
        XCTAssertStubDone(stub)
    }

    func testLifecycleMalformedAnswerThrows() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("GET /b?lifecycle", "<LifecycleConfiguration><Rule>")], sent: sent)
        let error = await thrown { _ = try await adapter(BucketLifecycleKind.self).read(["bucket": .string("b")], context: try stubContext(stub)) }
        XCTAssertNotNil(error)
        XCTAssertStubDone(stub)
    }

    func testLifecycleTerraformMappingRefusesAConfigurationWithoutTheRule() throws {
        let mapping = try XCTUnwrap(adapter(BucketLifecycleKind.self).terraformImports.first)
        XCTAssertEqual(mapping.terraformType, "aws_s3_bucket_lifecycle_configuration")
        let target: Attributes = ["bucket": .string("b"), "rule_id": .string("sandbox-expire-runs")]
        let other: [String: JSONValue] = ["rule": .array([.object(["id": .string("x")])])]
        XCTAssertEqual(mapping.mismatch?(other, target), "holds lifecycle rule(s) x, not sandbox-expire-runs that the stack manages")
        XCTAssertNil(mapping.mismatch?(["rule": .array([.object(["id": .string("sandbox-expire-runs")])])], target))
    }

    func testExpirationDaysAccessor() {
        let resources: [(type: String, attributes: Attributes)] = [("s3_bucket", ["name": .string("b")]),
                                                                  (BucketLifecycleKind.name, ["bucket": .string("b"), "prefix": .string("runs/"), "rule_id": .string("r"), "expiration_days": .number(5)])]
        XCTAssertEqual(BucketLifecycleSetting.expirationDays(among: resources), 5)
        XCTAssertNil(BucketLifecycleSetting.expirationDays(among: [("s3_bucket", [:])]))
    }

    func testEverySettingDeclaresItsReadAndIsNotStandalone() throws {
        let context = try stubContext(StubTransport())
        let providers: [any ResourceProvider] = [adapter(PublicAccessBlockKind.self), adapter(BucketEncryptionKind.self),
                                                 adapter(BucketVersioningKind.self), adapter(BucketLifecycleKind.self)]
        let actions = providers.map { $0.readCalls(["bucket": .string("b"), "rule_id": .string("r"), "algorithm": .string("AES256")], context: context).map(\.action) }
        XCTAssertEqual(actions, [["s3:GetBucketPublicAccessBlock"], ["s3:GetEncryptionConfiguration"], ["s3:GetBucketVersioning"], ["s3:GetLifecycleConfiguration"]])
        XCTAssertEqual(providers.map(\.isStandalone), [false, false, false, false])
        XCTAssertEqual(providers.map { $0.importAttributes(id: "b", context: context) }, Array(repeating: ["bucket": .string("b")], count: 4))
    }
}
