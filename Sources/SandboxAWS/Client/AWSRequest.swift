import Foundation

/// One operation call before endpoint resolution and signing. Path and query are raw, not yet encoded.
public struct AWSRequest: Sendable {
    public var operation: String
    public var method: String
    /// For S3: the bucket, addressed virtual-host style on AWS and path style on custom endpoints.
    public var bucket: String?
    /// The decoded path below the bucket (S3) or the service root; starts with `/`.
    public var path: String
    public var query: [(String, String)]
    public var headers: [String: String]
    public var body: Data
    /// Web identity exchange is the one call made without credentials.
    public var unsigned: Bool
    /// Whether the call mutates, and what: required, so no call is built without saying.
    public var journal: Journal

    public init(operation: String, journal: Journal, method: String = "POST", bucket: String? = nil, path: String = "/", query: [(String, String)] = [],
                headers: [String: String] = [:], body: Data = Data(), unsigned: Bool = false) {
        self.operation = operation
        self.journal = journal
        self.method = method
        self.bucket = bucket
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.unsigned = unsigned
    }
}
