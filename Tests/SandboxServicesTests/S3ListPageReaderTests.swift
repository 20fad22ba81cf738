import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

/// List pages are read as they stream (no element tree): what they decode to, through both XML parsers.
final class S3ListPageReaderTests: XCTestCase {
    func list(_ body: String) async throws -> ObjectListPage {
        let stub = StubTransport().answer(Captured(), body: body)
        let page = try await S3Client(try stubClient(stub)).listObjectsV2(bucket: "bkt", prefix: "runs/r/")
        XCTAssertStubDone(stub)
        return page
    }

    func versions(_ body: String) async throws -> VersionListPage {
        let stub = StubTransport().answer(Captured(), body: body)
        let page = try await S3Client(try stubClient(stub)).listObjectVersions(bucket: "bkt", prefix: "runs/r/")
        XCTAssertStubDone(stub)
        return page
    }

    static let objects = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bkt</Name><Prefix>runs%2Fr%2F</Prefix>
          <KeyCount>3</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok+en/=</NextContinuationToken>
          <Contents><Key>runs/r/a%20b+c</Key><Key>runs/r/second-key-ignored</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
            <ETag>&quot;abc&quot;</ETag><Size>42</Size><Owner><ID>owner</ID><Key>nested-key-ignored</Key></Owner><StorageClass>STANDARD</StorageClass></Contents>
          <Contents><Key>runs/r/%E3%83%87</Key><Size>0</Size></Contents>
          <CommonPrefixes><Prefix>runs/r/t%2B1/</Prefix></CommonPrefixes>
          <CommonPrefixes><NotAPrefix>x</NotAPrefix></CommonPrefixes>
          <Wrapper><Contents><Key>runs/r/deeper-contents-ignored</Key></Contents></Wrapper>
          <EncodingType>url</EncodingType>
        </ListBucketResult>
        """

    func testObjectsPageReadsFirstLeavesAndDecodesKeysOnceEncodingTypeIsKnown() async throws {
        let page = try await list(Self.objects)
        XCTAssertEqual(page.objects.map(\.key), ["runs/r/a b c", "runs/r/デ"], "EncodingType after the keys still applies to them")
        XCTAssertEqual(page.objects.first?.size, 42)
        XCTAssertEqual(page.objects.first?.eTag, "\"abc\"")
        XCTAssertEqual(page.objects.first?.lastModified, Date(timeIntervalSince1970: 1_767_323_045))
        XCTAssertNil(page.objects.last?.eTag)
        XCTAssertEqual(page.commonPrefixes, ["runs/r/t+1/"], "a CommonPrefixes without Prefix adds nothing")
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextContinuationToken, "tok+en/=", "tokens are opaque: never URL-decoded")
        XCTAssertEqual(page.keyCount, 3)
    }

    func testAPageOutsideThePlainSubsetReadsTheSameThroughFoundationXML() async throws {
        // A comment sends the whole document to FoundationXML; the reader starts again from scratch there.
        let withComment = Self.objects.replacingOccurrences(of: "<Name>bkt</Name>", with: "<Name>bkt</Name><!-- c -->")
        let fast = try await list(Self.objects)
        let fallback = try await list(withComment)
        XCTAssertEqual(fast, fallback)
        let late = withComment.replacingOccurrences(of: "<EncodingType>url</EncodingType>", with: "<!-- c --><EncodingType>url</EncodingType>")
        let lateFallback = try await list(late)
        XCTAssertEqual(lateFallback, fast, "declined after half the page was read: nothing of the first attempt is kept")
    }

    func testVersionsAndDeleteMarkersKeepDocumentOrder() async throws {
        let page = try await versions("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextKeyMarker>runs/r/b%20c</NextKeyMarker><NextVersionIdMarker>v%2B2</NextVersionIdMarker>
              <Version><Key>runs/r/a</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><Size>7</Size></Version>
              <DeleteMarker><Key>runs/r/a</Key><VersionId>dm1</VersionId><IsLatest>true</IsLatest></DeleteMarker>
              <Version><Key>runs/r/b%20c</Key><Size>1</Size></Version>
            </ListVersionsResult>
            """)
        XCTAssertEqual(page.versions.map(\.key), ["runs/r/a", "runs/r/a", "runs/r/b c"])
        XCTAssertEqual(page.versions.map(\.versionId), ["v1", "dm1", "null"])
        XCTAssertEqual(page.versions.map(\.isDeleteMarker), [false, true, false])
        XCTAssertEqual(page.versions.map(\.isLatest), [false, true, false])
        XCTAssertEqual(page.versions.map(\.size), [7, 0, 1])
        XCTAssertEqual(page.nextKeyMarker, "runs/r/b c")
        XCTAssertEqual(page.nextVersionIdMarker, "v%2B2", "version ids are never URL-decoded")
    }

    func testAWrongRootOrBrokenDocumentIsAnErrorNotAnEmptyPage() async throws {
        for body in ["<Error><Code>x</Code></Error>", "<ListBucketResult><Contents><Key>a</Key>", "not xml"] {
            do {
                _ = try await list(body)
                XCTFail("read \(body) as a page")
            } catch let error as MalformedResponseError {
                XCTAssertTrue(error.detail.contains("ListBucketResult") || error.detail.contains("not well-formed"), error.detail)
            }
        }
    }
}
