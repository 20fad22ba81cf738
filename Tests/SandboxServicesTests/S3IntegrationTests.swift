import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

final class S3IntegrationTests: MotoTestCase {
    /// Keys that break naive clients: reserved and unsafe URL characters, XML specials, unicode, long keys.
    static let oddKeys: [String] = [
        "plain.txt",
        "with space.txt",
        "plus+sign",
        "percent%20literal%",
        "eq=sign&amp;?#frag",
        "xml<tag>\"quote\"'apos'",
        "unicode/ü日本🙂",
        "dir/sub dir/file",
        "a//double",
        "tilde~star*paren()comma,semi;colon:at@dollar$bang!",
        "tab\there",
        String(repeating: "é", count: 450) + String(repeating: "k", count: 100),  // 1,000 bytes
    ]

    func testBucketLifecycleCalls() async throws {
        let s3 = S3Client(try motoClient())
        let absent = try await s3.bucketExists("sbx-bucket")
        XCTAssertFalse(absent)
        try await s3.createBucket("sbx-bucket")
        try await s3.headBucket("sbx-bucket")
        let present = try await s3.bucketExists("sbx-bucket")
        XCTAssertTrue(present)
        let location = try await s3.getBucketLocation("sbx-bucket")
        XCTAssertEqual(location, "us-east-1")
        // Re-creating an owned bucket in us-east-1 succeeds (S3's legacy behaviour, which moto mirrors).
        try await s3.createBucket("sbx-bucket")
        try await s3.deleteBucket("sbx-bucket")
        let missing = await assertAWSError { try await s3.headBucket("sbx-bucket") }
        XCTAssertEqual(missing?.kind, .notFound)
        let gone = await assertAWSError { try await s3.deleteBucket("sbx-bucket") }
        XCTAssertEqual(gone?.code, "NoSuchBucket")
    }

    func testCreateBucketInEuWest1SendsLocationConstraint() async throws {
        let eu = S3Client(try motoClient(region: "eu-west-1"))
        try await eu.createBucket("sbx-eu-bucket")
        let location = try await eu.getBucketLocation("sbx-eu-bucket")
        XCTAssertEqual(location, "eu-west-1")
        let fromUS = try await S3Client(try motoClient()).getBucketLocation("sbx-eu-bucket")
        XCTAssertEqual(fromUS, "eu-west-1")
        let duplicate = await assertAWSError { try await eu.createBucket("sbx-eu-bucket") }
        XCTAssertEqual(duplicate?.code, "BucketAlreadyOwnedByYou")
        XCTAssertEqual(duplicate?.kind, .conflict)
        let exists = try await eu.bucketExists("sbx-eu-bucket")
        XCTAssertTrue(exists)
        try await eu.deleteBucket("sbx-eu-bucket")
    }

    func testTagging() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-tags")
        let none = try await s3.getBucketTagging("sbx-tags")
        XCTAssertEqual(none, [:])
        let tags = ["sandbox:stack": "demo", "owner": "a&b <c>", "empty": ""]
        try await s3.putBucketTagging("sbx-tags", tags: tags)
        let read = try await s3.getBucketTagging("sbx-tags")
        XCTAssertEqual(read, tags)
        let missing = await assertAWSError { _ = try await s3.getBucketTagging("sbx-no-such-bucket") }
        XCTAssertEqual(missing?.code, "NoSuchBucket")
    }

    func testPublicAccessBlock() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-pab")
        let none = try await s3.getPublicAccessBlock("sbx-pab")
        XCTAssertNil(none)
        let block = PublicAccessBlock(blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false)
        try await s3.putPublicAccessBlock("sbx-pab", block)
        let read = try await s3.getPublicAccessBlock("sbx-pab")
        XCTAssertEqual(read, block)
        try await s3.putPublicAccessBlock("sbx-pab", .all)
        let all = try await s3.getPublicAccessBlock("sbx-pab")
        XCTAssertEqual(all, .all)
        try await s3.deletePublicAccessBlock("sbx-pab")
        let deleted = try await s3.getPublicAccessBlock("sbx-pab")
        XCTAssertNil(deleted)
    }

    func testEncryption() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-enc")
        let none = try await s3.getBucketEncryption("sbx-enc")
        XCTAssertNil(none)
        try await s3.putBucketEncryption("sbx-enc", .aes256)
        let aes = try await s3.getBucketEncryption("sbx-enc")
        XCTAssertEqual(aes?.algorithm, "AES256")
        XCTAssertNil(aes?.kmsKeyId)
        let kms = BucketEncryption(algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/abc", bucketKeyEnabled: true)
        try await s3.putBucketEncryption("sbx-enc", kms)
        let readKMS = try await s3.getBucketEncryption("sbx-enc")
        XCTAssertEqual(readKMS, kms)
        try await s3.deleteBucketEncryption("sbx-enc")
        let deleted = try await s3.getBucketEncryption("sbx-enc")
        XCTAssertNil(deleted)
    }

    func testVersioning() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-ver")
        let initial = try await s3.getBucketVersioning("sbx-ver")
        XCTAssertEqual(initial, .unversioned)
        try await s3.putBucketVersioning("sbx-ver", .enabled)
        let enabled = try await s3.getBucketVersioning("sbx-ver")
        XCTAssertEqual(enabled, .enabled)
        try await s3.putBucketVersioning("sbx-ver", .suspended)
        let suspended = try await s3.getBucketVersioning("sbx-ver")
        XCTAssertEqual(suspended, .suspended)
    }

    func testLifecycle() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-lc")
        let none = try await s3.getBucketLifecycle("sbx-lc")
        XCTAssertEqual(none, [])
        let rules = [
            LifecycleRule(id: "expire-tmp", prefix: "tmp/", expirationDays: 7, abortIncompleteMultipartUploadDays: 1, noncurrentVersionExpirationDays: 3),
            LifecycleRule(id: "all", prefix: "", enabled: false, expirationDays: 30),
        ]
        try await s3.putBucketLifecycle("sbx-lc", rules: rules)
        let read = try await s3.getBucketLifecycle("sbx-lc")
        XCTAssertEqual(read, rules)
        try await s3.deleteBucketLifecycle("sbx-lc")
        let deleted = try await s3.getBucketLifecycle("sbx-lc")
        XCTAssertEqual(deleted, [])
        try await s3.putBucketLifecycle("sbx-lc", rules: [rules[1]])
        try await s3.putBucketLifecycle("sbx-lc", rules: [])  // empty = delete
        let emptied = try await s3.getBucketLifecycle("sbx-lc")
        XCTAssertEqual(emptied, [])
    }

    func testOddKeysRoundTripThroughPutGetHeadListAndDelete() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-keys")
        XCTAssertEqual(Self.oddKeys.last?.utf8.count, 1000)
        for (index, key) in Self.oddKeys.enumerated() {
            let body = Data("body \(index)".utf8)
            let etag = try await s3.putObject(bucket: "sbx-keys", key: key, body: body, contentType: "text/plain")
            XCTAssertNotNil(etag, key)
            let object = try await s3.getObject(bucket: "sbx-keys", key: key)
            XCTAssertEqual(object.body, body, key)
            XCTAssertEqual(object.eTag, etag, key)
            let head = try await s3.headObject(bucket: "sbx-keys", key: key)
            XCTAssertEqual(head.size, body.count, key)
            XCTAssertEqual(head.eTag, etag, key)
            XCTAssertEqual(head.contentType, "text/plain", key)
        }
        let page = try await s3.listObjectsV2(bucket: "sbx-keys")
        XCTAssertEqual(Set(page.objects.map(\.key)), Set(Self.oddKeys))
        XCTAssertEqual(page.keyCount, Self.oddKeys.count)
        XCTAssertFalse(page.isTruncated)
        XCTAssertTrue(page.objects.allSatisfy { $0.size > 0 && $0.eTag != nil && $0.lastModified != nil })

        // Prefix and delimiter with characters that need encoding.
        let scoped = try await s3.listObjectsV2(bucket: "sbx-keys", prefix: "dir/sub dir/")
        XCTAssertEqual(scoped.objects.map(\.key), ["dir/sub dir/file"])
        let grouped = try await s3.listObjectsV2(bucket: "sbx-keys", prefix: "", delimiter: "/")
        XCTAssertEqual(Set(grouped.commonPrefixes), ["unicode/", "dir/", "a/"])

        // Manual paging with maxKeys, then the paginator, both see every key exactly once.
        var paged: [String] = []
        var token: String?
        repeat {
            let next = try await s3.listObjectsV2(bucket: "sbx-keys", continuationToken: token, maxKeys: 5)
            XCTAssertLessThanOrEqual(next.objects.count, 5)
            paged += next.objects.map(\.key)
            token = next.nextContinuationToken
        } while token != nil
        XCTAssertEqual(paged.sorted(), Self.oddKeys.sorted())
        var viaPages: [String] = []
        for try await page in s3.objectPages(bucket: "sbx-keys") { viaPages += page.objects.map(\.key) }
        XCTAssertEqual(viaPages.sorted(), Self.oddKeys.sorted())

        // Delete one key directly, the rest in one batch.
        try await s3.deleteObject(bucket: "sbx-keys", key: Self.oddKeys[0])
        let missing = await assertAWSError { _ = try await s3.headObject(bucket: "sbx-keys", key: Self.oddKeys[0]) }
        XCTAssertEqual(missing?.kind, .notFound)
        let result = try await s3.deleteObjects(bucket: "sbx-keys", Self.oddKeys.dropFirst().map { ObjectIdentifier($0) }, quiet: false)
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(Set(result.deleted.map(\.key)), Set(Self.oddKeys.dropFirst()))
        let empty = try await s3.listObjectsV2(bucket: "sbx-keys")
        XCTAssertEqual(empty.objects, [])
        try await s3.deleteBucket("sbx-keys")
    }

    func testDotSegmentKeysAreRefusedInURLsButDeletableInBatches() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-dots")
        for key in ["dir/../dot", "./here", "a/./b", ".."] {
            do {
                try await s3.putObject(bucket: "sbx-dots", key: key, body: Data(key.utf8))
                XCTFail("expected ClientInputError for \(key)")
            } catch let error as ClientInputError {
                XCTAssertEqual(error.operation, "PutObject")
            }
        }
        // Dots that are not whole segments are ordinary characters.
        for key in ["..a", "a..", "a/.b/c.", "...", ".hidden/"] {
            try await s3.putObject(bucket: "sbx-dots", key: key, body: Data(key.utf8))
            let object = try await s3.getObject(bucket: "sbx-dots", key: key)
            XCTAssertEqual(String(decoding: object.body, as: UTF8.self), key)
        }
        let page = try await s3.listObjectsV2(bucket: "sbx-dots")
        XCTAssertEqual(Set(page.objects.map(\.key)), ["..a", "a..", "a/.b/c.", "...", ".hidden/"])
        // Keys in a DeleteObjects body never pass through a URL.
        let result = try await s3.deleteObjects(bucket: "sbx-dots", page.objects.map { ObjectIdentifier($0.key) } + [ObjectIdentifier("dir/../dot")])
        XCTAssertEqual(result.errors, [])
    }

    func testQuietDeleteObjectsAndErrors() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-quiet")
        try await s3.putObject(bucket: "sbx-quiet", key: "a", body: Data("1".utf8))
        let quiet = try await s3.deleteObjects(bucket: "sbx-quiet", [ObjectIdentifier("a"), ObjectIdentifier("never-existed")])
        // moto ignores <Quiet> and lists every key as deleted; S3 would list none.
        XCTAssertEqual(quiet.errors, [])
        let empty = try await s3.listObjectsV2(bucket: "sbx-quiet")
        XCTAssertEqual(empty.objects, [])
        let gone = await assertAWSError { _ = try await s3.deleteObjects(bucket: "sbx-none", [ObjectIdentifier("a")]) }
        XCTAssertEqual(gone?.code, "NoSuchBucket")
        do {
            _ = try await s3.deleteObjects(bucket: "sbx-quiet", (0..<1001).map { ObjectIdentifier("k\($0)") })
            XCTFail("expected ClientInputError")
        } catch is ClientInputError {}
    }

    func testConditionalPuts() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-cond")
        let first = try await s3.putObject(bucket: "sbx-cond", key: "lock", body: Data("1".utf8), ifNoneMatch: "*")
        let exists = await assertAWSError { _ = try await s3.putObject(bucket: "sbx-cond", key: "lock", body: Data("2".utf8), ifNoneMatch: "*") }
        XCTAssertEqual(exists?.code, "PreconditionFailed")
        XCTAssertEqual(exists?.kind, .conflict)
        let wrong = await assertAWSError { _ = try await s3.putObject(bucket: "sbx-cond", key: "lock", body: Data("3".utf8), ifMatch: "\"0000\"") }
        XCTAssertEqual(wrong?.code, "PreconditionFailed")
        let second = try await s3.putObject(bucket: "sbx-cond", key: "lock", body: Data("4".utf8), ifMatch: first)
        XCTAssertNotEqual(second, first)
        let object = try await s3.getObject(bucket: "sbx-cond", key: "lock")
        XCTAssertEqual(object.body, Data("4".utf8))

        // Conditional delete (the state lock's release): the old ETag fails, the current one deletes.
        let stale = await assertAWSError { try await s3.deleteObject(bucket: "sbx-cond", key: "lock", ifMatch: first) }
        XCTAssertEqual(stale?.code, "PreconditionFailed")
        let kept = try await s3.getObject(bucket: "sbx-cond", key: "lock")
        XCTAssertEqual(kept.body, Data("4".utf8))
        try await s3.deleteObject(bucket: "sbx-cond", key: "lock", ifMatch: second)
        let gone = await assertAWSError { _ = try await s3.getObject(bucket: "sbx-cond", key: "lock") }
        XCTAssertEqual(gone?.code, "NoSuchKey")
    }

    func testVersionsAndDeleteMarkers() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-versions")
        try await s3.putBucketVersioning("sbx-versions", .enabled)
        let keys = ["a b+c", "d%e", "ü"]
        for key in keys {
            try await s3.putObject(bucket: "sbx-versions", key: key, body: Data("v1".utf8))
            try await s3.putObject(bucket: "sbx-versions", key: key, body: Data("v2".utf8))
        }
        try await s3.deleteObject(bucket: "sbx-versions", key: keys[0])  // delete marker

        let page = try await s3.listObjectVersions(bucket: "sbx-versions")
        XCTAssertEqual(page.versions.count, 7)
        XCTAssertEqual(Set(page.versions.map(\.key)), Set(keys))
        let markers = page.versions.filter(\.isDeleteMarker)
        XCTAssertEqual(markers.map(\.key), [keys[0]])
        XCTAssertEqual(markers.first?.isLatest, true)
        XCTAssertEqual(page.versions.filter { !$0.isDeleteMarker }.map(\.size), Array(repeating: 2, count: 6))
        XCTAssertTrue(page.versions.allSatisfy { !$0.versionId.isEmpty && $0.versionId != "null" })

        let scoped = try await s3.listObjectVersions(bucket: "sbx-versions", prefix: "d%")
        XCTAssertEqual(scoped.versions.map(\.key), ["d%e", "d%e"])

        // Paging by markers, one entry per page.
        var seen: [ObjectVersion] = []
        var keyMarker: String?
        var idMarker: String?
        for _ in 0..<20 {
            let next = try await s3.listObjectVersions(bucket: "sbx-versions", keyMarker: keyMarker, versionIdMarker: idMarker, maxKeys: 2)
            seen += next.versions
            guard next.isTruncated else { break }
            keyMarker = next.nextKeyMarker
            idMarker = next.nextVersionIdMarker
        }
        XCTAssertEqual(Set(seen), Set(page.versions))
        var viaPages: [ObjectVersion] = []
        for try await next in s3.versionPages(bucket: "sbx-versions") { viaPages += next.versions }
        XCTAssertEqual(Set(viaPages), Set(page.versions))

        let result = try await s3.deleteObjects(bucket: "sbx-versions", page.versions.map(\.identifier), quiet: false)
        XCTAssertEqual(result.errors, [])
        XCTAssertEqual(result.deleted.count, 7)
        let after = try await s3.listObjectVersions(bucket: "sbx-versions")
        XCTAssertEqual(after.versions, [])
        try await s3.deleteBucket("sbx-versions")
    }

    func testMultipartUploads() async throws {
        let s3 = S3Client(try motoClient())
        try await s3.createBucket("sbx-mpu")
        let keys = ["big file.bin", "plus+key", "other/ü"]
        var ids: [String: String] = [:]
        for key in keys { ids[key] = try await s3.createMultipartUpload(bucket: "sbx-mpu", key: key) }
        let page = try await s3.listMultipartUploads(bucket: "sbx-mpu")
        XCTAssertEqual(Set(page.uploads.map(\.key)), Set(keys))
        XCTAssertEqual(Set(page.uploads.map(\.uploadId)), Set(ids.values))
        XCTAssertTrue(page.uploads.allSatisfy { $0.initiated != nil })
        let scoped = try await s3.listMultipartUploads(bucket: "sbx-mpu", prefix: "other/")
        XCTAssertEqual(scoped.uploads.map(\.key), ["other/ü"])
        var viaPages: [MultipartUpload] = []
        for try await next in s3.uploadPages(bucket: "sbx-mpu") { viaPages += next.uploads }
        XCTAssertEqual(Set(viaPages), Set(page.uploads))
        for upload in page.uploads {
            try await s3.abortMultipartUpload(bucket: "sbx-mpu", key: upload.key, uploadId: upload.uploadId)
        }
        let after = try await s3.listMultipartUploads(bucket: "sbx-mpu")
        XCTAssertEqual(after.uploads, [])
        let unknown = await assertAWSError { try await s3.abortMultipartUpload(bucket: "sbx-mpu", key: "x", uploadId: "nope") }
        XCTAssertEqual(unknown?.kind, .notFound)
    }
}
