import Crypto
import Foundation

/// What the signer needs of an HTTP request. Path and query are raw (not yet percent-encoded).
public struct SigningRequest: Sendable {
    public var method: String
    /// `host` or `host:port`, exactly as the transport will send it.
    public var host: String
    /// The decoded path, starting with `/`.
    public var path: String
    public var query: [(String, String)]
    /// Headers the caller sets itself; only these (plus host and the x-amz ones) are signed.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, host: String, path: String, query: [(String, String)] = [], headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

/// The outcome of signing: headers to add to the request, and the intermediate strings for diagnosis.
public struct SignedRequest: Sendable {
    /// Every header to send except Host (the transport derives Host from the URL).
    public let headers: [String: String]
    public let canonicalRequest: String
    public let stringToSign: String
    public let authorization: String
}

/// AWS Signature Version 4 header signing. The date is a parameter so tests can check exact signatures.
public struct SigV4Signer: Sendable {
    public let service: String
    public let region: String
    /// S3 signs the path encoded once; every other service encodes it twice.
    public let encodePathTwice: Bool
    /// S3 requires the payload hash as the `x-amz-content-sha256` header.
    public let sendsContentHashHeader: Bool

    public init(service: String, region: String) {
        self.service = service
        self.region = region
        self.encodePathTwice = service != "s3"
        self.sendsContentHashHeader = service == "s3"
    }

    public init(service: String, region: String, encodePathTwice: Bool, sendsContentHashHeader: Bool) {
        self.service = service
        self.region = region
        self.encodePathTwice = encodePathTwice
        self.sendsContentHashHeader = sendsContentHashHeader
    }

    static let amzDateFormat: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()

    public static func amzDate(_ date: Date) -> String {
        amzDateFormat.string(from: date)
    }

    public static func hexSHA256(_ data: Data) -> String {
        SHA256.hash(data: data).hexString
    }

    public func sign(_ request: SigningRequest, credentials: Credentials, date: Date) -> SignedRequest {
        let amzDate = Self.amzDate(date)
        let day = String(amzDate.prefix(8))
        let payloadHash = Self.hexSHA256(request.body)

        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name] = value }
        headers["X-Amz-Date"] = amzDate
        if let token = credentials.sessionToken { headers["X-Amz-Security-Token"] = token }
        if sendsContentHashHeader { headers["x-amz-content-sha256"] = payloadHash }

        var canonicalHeaders: [String: String] = ["host": request.host]
        for (name, value) in headers {
            canonicalHeaders[name.lowercased()] = Self.trimHeaderValue(value)
        }
        let signedNames = canonicalHeaders.keys.sorted()
        let headerBlock = signedNames.map { "\($0):\(canonicalHeaders[$0] ?? "")\n" }.joined()
        let signedHeaders = signedNames.joined(separator: ";")

        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.path),
            URIEncoding.canonicalQuery(request.query),
            headerBlock,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            amzDate,
            scope,
            Self.hexSHA256(Data(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let key = signingKey(secret: credentials.secretAccessKey, day: day)
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers["Authorization"] = authorization
        return SignedRequest(headers: headers, canonicalRequest: canonicalRequest, stringToSign: stringToSign, authorization: authorization)
    }

    func canonicalURI(_ path: String) -> String {
        let raw = path.isEmpty ? "/" : path
        let once = URIEncoding.encode(raw, keepSlash: true)
        return encodePathTwice ? URIEncoding.encode(once, keepSlash: true) : once
    }

    func signingKey(secret: String, day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    /// Trims surrounding whitespace and collapses inner runs of whitespace (spaces, tabs, line breaks) to one space,
    /// as the canonical form requires (botocore: `' '.join(value.split())`).
    static func trimHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits: [Character] = Array("0123456789abcdef")
        var out = ""
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }
}
