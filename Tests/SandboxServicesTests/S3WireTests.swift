import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

final class S3WireTests: XCTestCase {
    func testDeleteObjectsBodyEscapesKeysAndCarriesContentMD5() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: """
            <?xml version="1.0" encoding="UTF-8"?>
            <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Deleted><Key>a&amp;b&lt;c&gt;</Key></Deleted>
              <Deleted><Key>q"'</Key><VersionId>v1</VersionId><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>dm1</DeleteMarkerVersionId></Deleted>
              <Error><Key>line&#10;feed ü+%</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
            </DeleteResult>
            """)
        let s3 = S3Client(try stubClient(stub))
        let result = try await s3.deleteObjects(bucket: "bkt", [
            ObjectIdentifier("a&b<c>"),
            ObjectIdentifier(key: "q\"'", versionId: "v1"),
            ObjectIdentifier("line\nfeed ü+%"),
        ])
        XCTAssertStubDone(stub)
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.url.path, "/bkt")
        XCTAssertEqual(request.queryItems.map(\.0), ["delete"])
        XCTAssertEqual(request.bodyText, """
            <?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <Object><Key>a&amp;b&lt;c&gt;</Key></Object>\
            <Object><Key>q&quot;&apos;</Key><VersionId>v1</VersionId></Object>\
            <Object><Key>line&#10;feed ü+%</Key></Object>\
            <Quiet>true</Quiet></Delete>
            """)
        // base64(MD5(body)), computed independently (python hashlib).
        XCTAssertEqual(request.header("Content-MD5"), "QjFqn1AtMc2SpG8z4J6nUA==")
        XCTAssertNotNil(request.header("Authorization"))

        XCTAssertEqual(result.deleted, [
            DeletedObject(key: "a&b<c>"),
            DeletedObject(key: "q\"'", versionId: "v1", deleteMarker: true, deleteMarkerVersionId: "dm1"),
        ])
        XCTAssertEqual(result.errors, [DeleteObjectError(key: "line\nfeed ü+%", code: "AccessDenied", message: "Access Denied")])
    }

    func testDeleteObjectsRefusesMoreThan1000KeysWithoutSending() async throws {
        let stub = StubTransport()
        let s3 = S3Client(try stubClient(stub))
        let keys = (0...1000).map { ObjectIdentifier("k\($0)") }
        do {
            _ = try await s3.deleteObjects(bucket: "bkt", keys)
            XCTFail("expected ClientInputError")
        } catch let error as ClientInputError {
            XCTAssertEqual(error.operation, "DeleteObjects")
            XCTAssertTrue(error.userMessage.contains("1001"))
        }
        let empty = try await s3.deleteObjects(bucket: "bkt", [])
        XCTAssertEqual(empty, DeleteObjectsResult())
        XCTAssertEqual(stub.requestCount, 0)
    }

    func testListObjectsV2QueryAndUrlEncodedKeys() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bkt</Name><Prefix>dir%2F</Prefix><KeyCount>4</KeyCount><MaxKeys>2</MaxKeys>
              <Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents><Key>dir/a+b%2Bc%25d%3De</Key><LastModified>2024-05-01T12:00:00.500Z</LastModified><ETag>"abc"</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>dir/%C3%BC%26%3C%3E</Key><LastModified>2024-05-01T12:00:00Z</LastModified><ETag>&quot;def&quot;</ETag><Size>0</Size></Contents>
              <CommonPrefixes><Prefix>dir/sub%20dir/</Prefix></CommonPrefixes>
              <CommonPrefixes><Prefix>dir/x%2By/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """)
        let s3 = S3Client(try stubClient(stub))
        let page = try await s3.listObjectsV2(bucket: "bkt", prefix: "dir/", delimiter: "/", continuationToken: "tok+/=", maxKeys: 2)
        XCTAssertStubDone(stub)
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.method, "GET")
        XCTAssertEqual(request.url.path, "/bkt")
        XCTAssertEqual(request.query("list-type"), "2")
        XCTAssertEqual(request.query("encoding-type"), "url")
        XCTAssertEqual(request.query("prefix"), "dir/")
        XCTAssertEqual(request.query("delimiter"), "/")
        XCTAssertEqual(request.query("continuation-token"), "tok+/=")
        XCTAssertEqual(request.query("max-keys"), "2")
        // Reserved characters travel percent-encoded in the URL.
        XCTAssertTrue(request.url.absoluteString.contains("continuation-token=tok%2B%2F%3D"), request.url.absoluteString)

        XCTAssertEqual(page.objects.map(\.key), ["dir/a b+c%d=e", "dir/ü&<>"])
        XCTAssertEqual(page.objects.map(\.size), [12, 0])
        XCTAssertEqual(page.objects.map(\.eTag), ["\"abc\"", "\"def\""])
        XCTAssertEqual(page.objects[0].lastModified, Date(timeIntervalSince1970: 1_714_564_800.5))
        XCTAssertEqual(page.commonPrefixes, ["dir/sub dir/", "dir/x+y/"])
        XCTAssertEqual(page.nextContinuationToken, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.keyCount, 4)
    }

    func testListingKeysAreLeftAloneWhenTheServerIgnoresEncodingType() async throws {
        let stub = StubTransport()
        let capture = Captured()
        // moto ignores encoding-type on ListObjectVersions: raw keys, no <EncodingType>.
        stub.answer(capture, body: """
            <ListVersionsResult><Name>bkt</Name><IsTruncated>true</IsTruncated>
              <NextKeyMarker>b+c</NextKeyMarker><NextVersionIdMarker>v9</NextVersionIdMarker>
              <Version><Key>100%25 a+b</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest><Size>3</Size><ETag>"e"</ETag></Version>
              <DeleteMarker><Key>100%25 a+b</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest></DeleteMarker>
              <Version><Key>b+c</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><Size>1</Size></Version>
            </ListVersionsResult>
            """)
        let s3 = S3Client(try stubClient(stub))
        let page = try await s3.listObjectVersions(bucket: "bkt", prefix: "p", keyMarker: "k m", versionIdMarker: "vm", maxKeys: 3)
        XCTAssertStubDone(stub)
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.queryItems.map(\.0), ["versions", "encoding-type", "prefix", "key-marker", "version-id-marker", "max-keys"])
        XCTAssertEqual(request.query("key-marker"), "k m")
        XCTAssertEqual(page.versions, [
            ObjectVersion(key: "100%25 a+b", versionId: "v2", isLatest: true, size: 3, isDeleteMarker: false, eTag: "\"e\""),
            ObjectVersion(key: "100%25 a+b", versionId: "v1", isLatest: false, size: 0, isDeleteMarker: true),
            ObjectVersion(key: "b+c", versionId: "null", isLatest: true, size: 1),
        ])
        XCTAssertEqual(page.nextKeyMarker, "b+c")
        XCTAssertEqual(page.nextVersionIdMarker, "v9")
    }

    func testListObjectVersionsDecodesKeysAndMarkersWhenEncoded() async throws {
        let stub = StubTransport()
        stub.expect("GET /bkt", body: """
            <ListVersionsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextKeyMarker>a%20b%2B</NextKeyMarker><NextVersionIdMarker>v1</NextVersionIdMarker>
              <DeleteMarker><Key>a%20b%2B</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest></DeleteMarker>
            </ListVersionsResult>
            """)
        let page = try await S3Client(try stubClient(stub)).listObjectVersions(bucket: "bkt")
        XCTAssertStubDone(stub)
        XCTAssertEqual(page.versions.map(\.key), ["a b+"])
        XCTAssertEqual(page.versions.map(\.isDeleteMarker), [true])
        XCTAssertEqual(page.nextKeyMarker, "a b+")
    }

    func testCreateBucketSendsLocationConstraintOutsideUsEast1() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture).answer(capture)
        try await S3Client(try stubClient(stub, region: "eu-west-1")).createBucket("bkt-eu")
        try await S3Client(try stubClient(stub, region: "us-east-1")).createBucket("bkt-us")
        XCTAssertStubDone(stub)
        let (eu, us) = (capture.requests[0], capture.requests[1])
        XCTAssertEqual(eu.method, "PUT")
        XCTAssertEqual(eu.url.path, "/bkt-eu")
        XCTAssertEqual(eu.bodyText, """
            <?xml version="1.0" encoding="UTF-8"?><CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>
            """)
        XCTAssertTrue(eu.header("Authorization")?.contains("/eu-west-1/s3/aws4_request") == true)
        XCTAssertEqual(us.method, "PUT")
        XCTAssertEqual(us.url.path, "/bkt-us")
        XCTAssertTrue(us.body.isEmpty)
    }

    func testVirtualHostedAddressingOnAWSEndpoints() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture)
        let client = AWSClient(region: try Region("eu-west-1"), credentialProvider: StaticCredentialProvider(.init(accessKeyId: "A", secretAccessKey: "S")),
                               transport: stub, retryPolicy: RetryPolicy(maxAttempts: 1))
        _ = try await S3Client(client).putObject(bucket: "bkt", key: "dir/a b+c%.txt", body: Data("hi".utf8))
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.url.host, "bkt.s3.eu-west-1.amazonaws.com")
        XCTAssertTrue(request.url.absoluteString.hasSuffix("/dir/a%20b%2Bc%25.txt"), request.url.absoluteString)
    }

    func testBucketLocationMapping() async throws {
        let stub = StubTransport()
        stub.expect("GET /b1", body: #"<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#)
        stub.expect("GET /b2", body: #"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">EU</LocationConstraint>"#)
        stub.expect("GET /b3", body: #"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">ap-south-2</LocationConstraint>"#)
        let s3 = S3Client(try stubClient(stub))
        let first = try await s3.getBucketLocation("b1")
        let second = try await s3.getBucketLocation("b2")
        let third = try await s3.getBucketLocation("b3")
        XCTAssertEqual([first, second, third], ["us-east-1", "eu-west-1", "ap-south-2"])
        XCTAssertStubDone(stub)
    }

    func testTaggingAbsentIsEmptyButMissingBucketThrows() async throws {
        let stub = StubTransport()
        stub.expect("GET /b", status: 404, body: s3Error("NoSuchTagSet"))
        stub.expect("GET /gone", status: 404, body: s3Error("NoSuchBucket"))
        let s3 = S3Client(try stubClient(stub))
        let tags = try await s3.getBucketTagging("b")
        XCTAssertEqual(tags, [:])
        do {
            _ = try await s3.getBucketTagging("gone")
            XCTFail("expected NoSuchBucket")
        } catch let error as AWSError {
            XCTAssertEqual(error.code, "NoSuchBucket")
            XCTAssertEqual(error.kind, .notFound)
        }
        XCTAssertStubDone(stub)
    }

    func testPutBucketTaggingBody() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, status: 204)
        try await S3Client(try stubClient(stub)).putBucketTagging("b", tags: ["owner": "me", "env": "a&b"])
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.method, "PUT")
        XCTAssertEqual(request.queryItems.map(\.0), ["tagging"])
        XCTAssertEqual(request.bodyText, """
            <?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>\
            <Tag><Key>env</Key><Value>a&amp;b</Value></Tag><Tag><Key>owner</Key><Value>me</Value></Tag></TagSet></Tagging>
            """)
        XCTAssertEqual(request.header("Content-MD5"), "yd1o0h4HK/eSOoDGZYulCQ==")
    }

    func testHeadBucketNotFoundFromAnEmptyBody() async throws {
        let stub = StubTransport()
        stub.expect("HEAD", status: 404)
        stub.expect("HEAD", status: 403)
        let s3 = S3Client(try stubClient(stub))
        let exists = try await s3.bucketExists("missing")
        XCTAssertFalse(exists)
        do {
            _ = try await s3.bucketExists("theirs")
            XCTFail("403 must not read as absent")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .accessDenied)
        }
        XCTAssertStubDone(stub)
    }

    func testLifecycleRoundTrip() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture)
        stub.expect("GET /b", body: """
            <LifecycleConfiguration>
              <Rule><ID>expire</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>
                <Expiration><Days>7</Days></Expiration>
                <NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration>
                <AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
              <Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Disabled</Status></Rule>
              <Rule><ID>and</ID><Filter><And><Prefix>x/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status></Rule>
            </LifecycleConfiguration>
            """)
        stub.expect("GET /b", status: 404, body: s3Error("NoSuchLifecycleConfiguration"))
        let s3 = S3Client(try stubClient(stub))
        let rule = LifecycleRule(id: "expire", prefix: "tmp/", expirationDays: 7, abortIncompleteMultipartUploadDays: 1, noncurrentVersionExpirationDays: 3)
        try await s3.putBucketLifecycle("b", rules: [rule])
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.queryItems.map(\.0), ["lifecycle"])
        XCTAssertNotNil(request.header("Content-MD5"))
        XCTAssertEqual(request.bodyText, """
            <?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>\
            <Expiration><Days>7</Days></Expiration><ID>expire</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>\
            <NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration>\
            <AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>\
            </Rule></LifecycleConfiguration>
            """)
        let rules = try await s3.getBucketLifecycle("b")
        XCTAssertEqual(rules, [rule, LifecycleRule(id: "legacy", prefix: "old/", enabled: false), LifecycleRule(id: "and", prefix: "x/")])
        let none = try await s3.getBucketLifecycle("b")
        XCTAssertEqual(none, [])
        XCTAssertStubDone(stub)
    }

    func testEncryptionAndPublicAccessBlockParsing() async throws {
        let stub = StubTransport()
        stub.expect("GET /b", body: """
            <ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>\
            <KMSMasterKeyID>arn:aws:kms:us-east-1:1:key/k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>\
            <BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>
            """)
        stub.expect("GET /b", status: 404, body: s3Error("ServerSideEncryptionConfigurationNotFoundError"))
        stub.expect("GET /b", body: """
            <PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>\
            <BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>
            """)
        stub.expect("GET /b", status: 404, body: s3Error("NoSuchPublicAccessBlockConfiguration"))
        stub.expect("GET /b", body: "<VersioningConfiguration/>")
        stub.expect("GET /b", body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>")
        let s3 = S3Client(try stubClient(stub))
        let kms = try await s3.getBucketEncryption("b")
        XCTAssertEqual(kms, BucketEncryption(algorithm: "aws:kms", kmsKeyId: "arn:aws:kms:us-east-1:1:key/k", bucketKeyEnabled: true))
        let noEncryption = try await s3.getBucketEncryption("b")
        XCTAssertNil(noEncryption)
        let block = try await s3.getPublicAccessBlock("b")
        XCTAssertEqual(block, PublicAccessBlock(blockPublicAcls: true, ignorePublicAcls: false, blockPublicPolicy: true, restrictPublicBuckets: false))
        let noBlock = try await s3.getPublicAccessBlock("b")
        XCTAssertNil(noBlock)
        let unversioned = try await s3.getBucketVersioning("b")
        let suspended = try await s3.getBucketVersioning("b")
        XCTAssertEqual([unversioned, suspended], [.unversioned, .suspended])
        XCTAssertStubDone(stub)
    }

    func testObjectPagesFollowContinuationTokens() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken><Contents><Key>a</Key><Size>1</Size></Contents></ListBucketResult>")
        stub.answer(capture, body: "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>b</Key><Size>2</Size></Contents></ListBucketResult>")
        var keys: [String] = []
        for try await page in S3Client(try stubClient(stub)).objectPages(bucket: "bkt", prefix: "") {
            keys += page.objects.map(\.key)
        }
        XCTAssertEqual(keys, ["a", "b"])
        XCTAssertNil(capture.requests[0].query("continuation-token"))
        XCTAssertEqual(capture.requests[1].query("continuation-token"), "t1")
        XCTAssertStubDone(stub)
    }

    func testRepeatedPageTokenEndsWithAnError() async throws {
        let stub = StubTransport()
        let page = "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>same</NextContinuationToken></ListBucketResult>"
        stub.expect(body: page).expect(body: page)
        var count = 0
        do {
            for try await _ in S3Client(try stubClient(stub)).objectPages(bucket: "bkt") { count += 1 }
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error.oneLine.contains("same page token"), error.oneLine)
        }
        XCTAssertEqual(count, 1)
    }

    func testMultipartUploadCalls() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k y</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>")
        stub.answer(capture, body: """
            <ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextKeyMarker>k%20y</NextKeyMarker><NextUploadIdMarker>up-1</NextUploadIdMarker>
              <Upload><Key>k%20y</Key><UploadId>up-1</UploadId><Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>
            </ListMultipartUploadsResult>
            """)
        stub.answer(capture, status: 204)
        let s3 = S3Client(try stubClient(stub))
        let id = try await s3.createMultipartUpload(bucket: "b", key: "k y")
        XCTAssertEqual(id, "up-1")
        let page = try await s3.listMultipartUploads(bucket: "b", prefix: "k", keyMarker: "a", uploadIdMarker: "u0")
        XCTAssertEqual(page.uploads, [MultipartUpload(key: "k y", uploadId: "up-1", initiated: Date(timeIntervalSince1970: 1_289_422_113))])
        XCTAssertEqual(page.nextKeyMarker, "k y")
        XCTAssertEqual(page.nextUploadIdMarker, "up-1")
        try await s3.abortMultipartUpload(bucket: "b", key: "k y", uploadId: "up-1")
        let requests = capture.requests
        XCTAssertEqual(requests[0].method, "POST")
        XCTAssertEqual(requests[0].url.path, "/b/k y")
        XCTAssertEqual(requests[0].queryItems.map(\.0), ["uploads"])
        XCTAssertEqual(requests[1].queryItems.map(\.0), ["uploads", "encoding-type", "prefix", "key-marker", "upload-id-marker"])
        XCTAssertEqual(requests[2].method, "DELETE")
        XCTAssertEqual(requests[2].query("uploadId"), "up-1")
        XCTAssertStubDone(stub)
    }

    func testPutObjectHeadersAndUnversionedRefusal() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, headers: ["ETag": "\"5d41\""])
        let s3 = S3Client(try stubClient(stub))
        let etag = try await s3.putObject(bucket: "b", key: "k", body: Data("hello".utf8), contentType: "text/plain", ifNoneMatch: "*")
        XCTAssertEqual(etag, "\"5d41\"")
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.header("If-None-Match"), "*")
        XCTAssertEqual(request.header("Content-Type"), "text/plain")
        XCTAssertEqual(request.header("Content-MD5"), "XUFAKrxLKna5cZ2REBfFkg==")  // md5("hello")
        do {
            try await s3.putBucketVersioning("b", .unversioned)
            XCTFail("expected ClientInputError")
        } catch is ClientInputError {}
        XCTAssertStubDone(stub)
    }

    func testDotSegmentKeysAreRefusedBeforeSending() async throws {
        let stub = StubTransport()
        let s3 = S3Client(try stubClient(stub))
        for key in ["a/../b", "./x", "x/.", "..", "a//./b"] {
            do {
                _ = try await s3.getObject(bucket: "b", key: key)
                XCTFail("expected ClientInputError for \(key)")
            } catch is ClientInputError {}
        }
        XCTAssertEqual(stub.requestCount, 0)
    }
}
