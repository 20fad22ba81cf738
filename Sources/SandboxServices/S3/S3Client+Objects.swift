import Foundation
import SandboxAWS

/// Objects: listing, batch deletion, and the single-object calls sandbox's probes and tests use.
extension S3Client {
    /// The most keys one `DeleteObjects` call accepts.
    public static let maxKeysPerDelete = 1000

    // MARK: - Listing

    /// One page of `ListObjectsV2`, keys url-decoded.
    public func listObjectsV2(bucket: String, prefix: String? = nil, delimiter: String? = nil,
                              continuationToken: String? = nil, startAfter: String? = nil, maxKeys: Int? = nil) async throws -> ObjectListPage {
        var query: [(String, String)] = [("list-type", "2"), ("encoding-type", "url")]
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let startAfter { query.append(("start-after", startAfter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        return try await readList("ListObjectsV2", bucket: bucket, query: query, versions: false).objectListPage
    }

    /// One page of `ListObjectVersions` (versions and delete markers interleaved as S3 orders them).
    public func listObjectVersions(bucket: String, prefix: String? = nil, delimiter: String? = nil, keyMarker: String? = nil,
                                   versionIdMarker: String? = nil, maxKeys: Int? = nil) async throws -> VersionListPage {
        var query: [(String, String)] = [("versions", ""), ("encoding-type", "url")]
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let keyMarker { query.append(("key-marker", keyMarker)) }
        if let versionIdMarker { query.append(("version-id-marker", versionIdMarker)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        return try await readList("ListObjectVersions", bucket: bucket, query: query, versions: true).versionListPage
    }

    private func readList(_ operation: String, bucket: String, query: [(String, String)], versions: Bool) async throws -> S3ListPageReader {
        let response = try await send(operation, .read, method: "GET", bucket: bucket, query: query)
        var reader = S3ListPageReader(versions: versions)
        try read(response, operation: operation, into: &reader)
        return reader
    }

    // MARK: - Deleting

    /// Deletes up to 1,000 objects (or versions) in one call. More throw `ClientInputError` before anything is sent;
    /// an empty list sends nothing. Per-key failures come back in `errors`; with `quiet` only failures are listed.
    ///
    /// Keys XML 1.0 cannot carry (U+0001, U+FFFF, ...) never go into the body, where S3 would reject the whole batch
    /// as MalformedXML: each is deleted with DeleteObject, key in the URL, as AWS's SDK maintainers advise. Their
    /// refusals (AccessDenied, ...) come back in `errors` like the batch's; throttling and transport errors are thrown.
    public func deleteObjects(bucket: String, _ objects: [ObjectIdentifier], quiet: Bool = true) async throws -> DeleteObjectsResult {
        guard objects.count <= Self.maxKeysPerDelete else {
            throw ClientInputError(service: "S3", operation: "DeleteObjects",
                                   reason: "\(objects.count) keys given, at most \(Self.maxKeysPerDelete) per call")
        }
        guard !objects.isEmpty else { return DeleteObjectsResult() }
        var batch = objects
        var oneByOne: [ObjectIdentifier] = []
        if !objects.allSatisfy({ XMLText.isCarriable($0.key) }) {
            batch = objects.filter { XMLText.isCarriable($0.key) }
            oneByOne = objects.filter { !XMLText.isCarriable($0.key) }
        }
        var result = DeleteObjectsResult()
        if !batch.isEmpty {
            let (body, headers) = Self.deleteObjectsBody(batch, quiet: quiet)
            let response = try await send("DeleteObjects", .mutating, method: "POST", bucket: bucket, query: [("delete", "")], headers: headers, body: body)
            result = Self.deleteObjectsResult(try parse(response, operation: "DeleteObjects"))
        }
        for object in oneByOne {
            do {
                try await deleteObject(bucket: bucket, key: object.key, versionId: object.versionId)
                if !quiet { result.deleted.append(DeletedObject(key: object.key, versionId: object.versionId)) }
            } catch let error as AWSError where !RetryPolicy.isRetryable(error) {
                result.errors.append(DeleteObjectError(key: object.key, versionId: object.versionId, code: error.code, message: error.message))
            }
        }
        return result
    }

    /// The DeleteObjects body, written straight into bytes (no element tree): at 1,000 keys a request this is on
    /// cleanup's hot path. Keys must be XML-carriable (see `deleteObjects`).
    static func deleteObjectsBody(_ objects: [ObjectIdentifier], quiet: Bool) -> (Data, [String: String]) {
        var out: [UInt8] = []
        out.reserveCapacity(128 + objects.reduce(0) { $0 + $1.key.utf8.count + ($1.versionId?.utf8.count ?? 0) + 48 })
        XMLText.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">", to: &out)
        for object in objects {
            XMLText.append("<Object><Key>", to: &out)
            XMLText.appendEscaped(object.key, to: &out)
            XMLText.append("</Key>", to: &out)
            if let version = object.versionId {
                XMLText.append("<VersionId>", to: &out)
                XMLText.appendEscaped(version, to: &out)
                XMLText.append("</VersionId>", to: &out)
            }
            XMLText.append("</Object>", to: &out)
        }
        XMLText.append(quiet ? "<Quiet>true</Quiet></Delete>" : "<Quiet>false</Quiet></Delete>", to: &out)
        let body = Data(out)
        return (body, ["Content-Type": "application/xml", "Content-MD5": S3Wire.contentMD5(body)])
    }

    static func deleteObjectsResult(_ root: XMLNode) -> DeleteObjectsResult {
        let deleted = root.all("Deleted").map { node in
            DeletedObject(key: node.string("Key") ?? "",
                          versionId: S3Wire.nonEmpty(node.string("VersionId")),
                          deleteMarker: S3Wire.bool(node.string("DeleteMarker")) ?? false,
                          deleteMarkerVersionId: S3Wire.nonEmpty(node.string("DeleteMarkerVersionId")))
        }
        let errors = root.all("Error").map { node in
            DeleteObjectError(key: node.string("Key") ?? "",
                              versionId: S3Wire.nonEmpty(node.string("VersionId")),
                              code: node.string("Code") ?? "",
                              message: node.string("Message") ?? "")
        }
        return DeleteObjectsResult(deleted: deleted, errors: errors)
    }

    /// Deletes one object, or one version of it. Deleting a missing key succeeds (S3 answers 204).
    /// - Parameter ifMatch: delete only while the object's ETag is this one (`PreconditionFailed` otherwise).
    public func deleteObject(bucket: String, key: String, versionId: String? = nil, ifMatch: String? = nil) async throws {
        let query = versionId.map { [("versionId", $0)] } ?? []
        try await send("DeleteObject", .mutating, method: "DELETE", bucket: bucket, key: key, query: query, headers: ifMatch.map { ["If-Match": $0] } ?? [:])
    }

    // MARK: - Single objects

    /// Writes an object and returns its ETag. `ifNoneMatch: "*"` makes the write fail (`PreconditionFailed`)
    /// when the key exists; `ifMatch` when its ETag differs.
    @discardableResult
    public func putObject(bucket: String, key: String, body: Data, contentType: String? = nil,
                          ifNoneMatch: String? = nil, ifMatch: String? = nil) async throws -> String? {
        var headers = ["Content-MD5": S3Wire.contentMD5(body)]
        headers["Content-Type"] = contentType ?? "application/octet-stream"
        if let ifNoneMatch { headers["If-None-Match"] = ifNoneMatch }
        if let ifMatch { headers["If-Match"] = ifMatch }
        let response = try await send("PutObject", .mutating, method: "PUT", bucket: bucket, key: key, headers: headers, body: body)
        return response.header("etag")
    }

    public func getObject(bucket: String, key: String) async throws -> (body: Data, eTag: String?) {
        let response = try await send("GetObject", .read, method: "GET", bucket: bucket, key: key)
        return (response.body, response.header("etag"))
    }

    /// The object's metadata; throws `AWSError` (kind `.notFound`) when the key does not exist.
    public func headObject(bucket: String, key: String) async throws -> ObjectHead {
        let response = try await send("HeadObject", .read, method: "HEAD", bucket: bucket, key: key)
        return ObjectHead(size: response.header("content-length").flatMap { Int($0) } ?? 0,
                          eTag: response.header("etag"),
                          contentType: response.header("content-type"),
                          lastModified: Timestamp.parse(response.header("last-modified")),
                          versionId: response.header("x-amz-version-id"))
    }

    // MARK: - Multipart uploads

    /// One page of in-progress multipart uploads, keys url-decoded.
    public func listMultipartUploads(bucket: String, prefix: String? = nil, keyMarker: String? = nil,
                                     uploadIdMarker: String? = nil) async throws -> UploadListPage {
        var query: [(String, String)] = [("uploads", ""), ("encoding-type", "url")]
        if let prefix { query.append(("prefix", prefix)) }
        if let keyMarker { query.append(("key-marker", keyMarker)) }
        if let uploadIdMarker { query.append(("upload-id-marker", uploadIdMarker)) }
        let root = try await sendXML("ListMultipartUploads", .read, bucket: bucket, query: query)
        return Self.uploadListPage(root)
    }

    static func uploadListPage(_ root: XMLNode) -> UploadListPage {
        let decode = S3Wire.keyDecoder(for: root)
        let uploads = root.all("Upload").map { node in
            MultipartUpload(key: decode(node.string("Key") ?? ""), uploadId: node.string("UploadId") ?? "",
                            initiated: Timestamp.parse(node.string("Initiated")))
        }
        let truncated = S3Wire.bool(root.string("IsTruncated")) ?? false
        return UploadListPage(uploads: uploads,
                              commonPrefixes: root.all("CommonPrefixes").compactMap { $0.string("Prefix").map(decode) },
                              nextKeyMarker: truncated ? S3Wire.nonEmpty(root.string("NextKeyMarker")).map(decode) : nil,
                              nextUploadIdMarker: truncated ? S3Wire.nonEmpty(root.string("NextUploadIdMarker")) : nil,
                              isTruncated: truncated)
    }

    /// Starts a multipart upload and returns its id (sandbox uses it in tests and permission probes).
    public func createMultipartUpload(bucket: String, key: String) async throws -> String {
        let root = try await sendXML("CreateMultipartUpload", .mutating, method: "POST", bucket: bucket, key: key, query: [("uploads", "")])
        guard let id = S3Wire.nonEmpty(root.string("UploadId")) else {
            throw MalformedResponseError(service: "S3", operation: "CreateMultipartUpload", status: 200,
                                         detail: "no UploadId in the answer", endpoint: client.endpoint(for: .s3).baseURL.absoluteString)
        }
        return id
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws {
        try await send("AbortMultipartUpload", .mutating, method: "DELETE", bucket: bucket, key: key, query: [("uploadId", uploadId)])
    }
}
