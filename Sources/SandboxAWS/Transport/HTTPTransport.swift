import Foundation

/// A fully prepared HTTP request: URL already percent-encoded, headers already signed.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An HTTP response with lower-cased header names.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Sends one request and returns its response. The only seam between sandbox and the network.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// A failure below HTTP: nothing, or nothing usable, came back.
public struct TransportError: SandboxError, Equatable {
    public enum Kind: String, Sendable {
        case connectionRefused = "connection refused"
        case timedOut = "timed out"
        case hostNotFound = "host not found"
        case connectionLost = "connection lost"
        /// The TLS handshake failed: an untrusted or mismatched certificate, or not TLS at all. Retrying cannot help.
        case tls = "TLS handshake failed"
        case other = "network error"
    }

    public let kind: Kind
    public let endpoint: String
    public let detail: String
    /// For `.tls`: the store the certificate was checked against (see `TrustStore.description`).
    public let trust: String?
    public let category: FailureCategory = .infrastructure

    public init(kind: Kind, endpoint: String, detail: String, trust: String? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.detail = detail
        self.trust = trust
    }

    /// Connection-level failures may heal on a new attempt; a certificate the client distrusts will not.
    public var isRetryable: Bool { kind != .tls }

    public var userMessage: String {
        guard kind == .tls else {
            return "cannot reach \(endpoint): \(kind.rawValue) (\(detail)); check the endpoint URL, AWS_ENDPOINT_URL and your network"
        }
        return "TLS to \(endpoint) failed (\(detail)), checked against \(trust ?? "the system trust store"); if a proxy or private CA signs this endpoint's certificate, set AWS_CA_BUNDLE or the profile's ca_bundle to its PEM, otherwise check the endpoint URL"
    }
}

import SandboxCore
