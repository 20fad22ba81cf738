import Foundation
import SandboxAWS
import SandboxCore

/// S3 (REST-XML): buckets, their configuration, objects, versions and multipart uploads.
///
/// Buckets are addressed through `AWSRequest.bucket` (path style on custom endpoints, virtual-hosted on AWS);
/// a bucket in another region is followed once by the S3 descriptor's `S3BucketRegionRedirect` step. Keys round-trip exactly: listings ask for
/// `encoding-type=url` and decode what comes back, request bodies are XML-escaped.
public struct S3Client: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    // MARK: - Plumbing

    /// Whether a call changes the bucket or object it is sent to; a mutating call is journalled with that
    /// bucket (`bucket/key` for an object) as its target.
    enum Effect {
        case read
        case mutating
    }

    @discardableResult
    func send(_ operation: String, _ effect: Effect, method: String, bucket: String, key: String? = nil, query: [(String, String)] = [],
              headers: [String: String] = [:], body: Data = Data()) async throws -> HTTPResponse {
        if let key, Self.hasDotSegment(key) {
            throw ClientInputError(service: "S3", operation: operation,
                                   reason: "key '\(key)' has a '.' or '..' path segment, which the HTTP stack would resolve and so address "
                                       + "another key; such keys can only be deleted with DeleteObjects")
        }
        let path = key.map { "/" + $0 } ?? "/"
        let journal: Journal = effect == .read ? .read : .mutating(target: key.map { bucket + "/" + $0 } ?? bucket)
        let request = AWSRequest(operation: operation, journal: journal, method: method, bucket: bucket, path: path, query: query,
                                 headers: headers, body: body)
        return try await client.send(request, to: .s3)
    }

    /// True when a key has a `.` or `..` segment (`a/../b`, `./x`): URL handling (libcurl) removes dot segments
    /// from request paths, so such a key cannot be put in a URL without addressing a different object.
    static func hasDotSegment(_ key: String) -> Bool {
        key.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == "." || $0 == ".." }
    }

    /// Sends and parses the XML answer.
    func sendXML(_ operation: String, _ effect: Effect, method: String = "GET", bucket: String, key: String? = nil, query: [(String, String)] = [],
                 headers: [String: String] = [:], body: Data = Data()) async throws -> XMLNode {
        let response = try await send(operation, effect, method: method, bucket: bucket, key: key, query: query, headers: headers, body: body)
        return try parse(response, operation: operation)
    }

    func parse(_ response: HTTPResponse, operation: String) throws -> XMLNode {
        var builder = XMLTreeBuilder()
        try read(response, operation: operation, into: &builder)
        guard let root = builder.root else { throw malformed(response, operation: operation, what: "not well-formed XML") }
        return root
    }

    /// Reads the XML answer into `reader`, once its root is known to be the operation's.
    func read<Reader: XMLEventReader>(_ response: HTTPResponse, operation: String, into reader: inout Reader) throws {
        let root = XMLReading.read(response.body, into: &reader)
        let expected = Self.documentRoots[operation]
        // moto names some roots after the operation (`<GetBucketVersioningResponse>`); a wrong document never is.
        let accepted = expected.map { [$0, "\(operation)Response", "\(operation)Result", "\(operation)Output"] }
        guard let root, accepted.map({ $0.contains(root) }) ?? true else {
            // A document with the wrong root (an HTML page, an empty `<Response/>`) read as "no settings" would let
            // plan and cleanup act on answers AWS never gave.
            throw malformed(response, operation: operation, what: root.map { "<\($0)> where <\(expected ?? "?")> belongs" } ?? "not well-formed XML")
        }
    }

    private func malformed(_ response: HTTPResponse, operation: String, what: String) -> MalformedResponseError {
        let head = String(decoding: response.body.prefix(60), as: UTF8.self)
        return MalformedResponseError(service: "S3", operation: operation, status: response.status,
                                      detail: "\(what): \(response.header("content-type") ?? "no content type"), \(response.body.count) bytes, starts \"\(Diagnostic.escapingControlCharacters(head))\"",
                                      endpoint: client.endpoint(for: .s3).baseURL.absoluteString)
    }

    /// The root element of each XML answer S3 documents.
    static let documentRoots = [
        "ListObjectsV2": "ListBucketResult", "ListObjectVersions": "ListVersionsResult", "ListMultipartUploads": "ListMultipartUploadsResult",
        "CreateMultipartUpload": "InitiateMultipartUploadResult", "DeleteObjects": "DeleteResult", "GetBucketLocation": "LocationConstraint",
        "GetBucketTagging": "Tagging", "GetPublicAccessBlock": "PublicAccessBlockConfiguration",
        "GetBucketEncryption": "ServerSideEncryptionConfiguration", "GetBucketVersioning": "VersioningConfiguration",
        "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    ]

    /// Sends an XML configuration body with its Content-MD5 (a mutation of the bucket).
    func put(_ operation: String, bucket: String, subresource: String, _ root: XMLNode) async throws {
        let (body, headers) = S3Wire.xmlBody(root)
        try await send(operation, .mutating, method: "PUT", bucket: bucket, query: [(subresource, "")], headers: headers, body: body)
    }

    /// Runs `body`, turning the AWS error `code` (and only that code) into `fallback`.
    func absent<T>(_ code: String, _ fallback: T, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AWSError where error.code == code {
            return fallback
        }
    }

    // MARK: - Buckets

    /// Creates a bucket in the client's region (`CreateBucketConfiguration/LocationConstraint` outside us-east-1).
    public func createBucket(_ name: String) async throws {
        var headers: [String: String] = [:]
        var body = Data()
        if client.region.name != "us-east-1" {
            let configuration = XMLNode.element("CreateBucketConfiguration", [.element("LocationConstraint", client.region.name)])
            body = configuration.document(namespace: S3Wire.namespace)
            headers["Content-Type"] = "application/xml"
        }
        try await send("CreateBucket", .mutating, method: "PUT", bucket: name, headers: headers, body: body)
    }

    /// Succeeds when the bucket exists and the caller may use it; throws `AWSError` (kind `.notFound`) when it does not.
    public func headBucket(_ name: String) async throws {
        try await send("HeadBucket", .read, method: "HEAD", bucket: name)
    }

    /// True when the bucket exists (and is reachable with these credentials); other failures are thrown.
    public func bucketExists(_ name: String) async throws -> Bool {
        do {
            try await headBucket(name)
            return true
        } catch let error as AWSError where error.kind == .notFound {
            return false
        }
    }

    /// The bucket's region; S3's empty answer (and the legacy `EU`) are mapped to region names.
    public func getBucketLocation(_ name: String) async throws -> String {
        let root = try await sendXML("GetBucketLocation", .read, bucket: name, query: [("location", "")])
        let constraint = (root.name == "LocationConstraint" ? root.text : root.string("LocationConstraint") ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch constraint {
        case "", "null": return "us-east-1"
        case "EU": return "eu-west-1"
        default: return constraint
        }
    }

    public func deleteBucket(_ name: String) async throws {
        try await send("DeleteBucket", .mutating, method: "DELETE", bucket: name)
    }
}
