import Foundation

/// How the transport reaches AWS: the stall timeout, whom to trust, which proxy, and how it names itself.
public struct TransportConfiguration: Sendable {
    /// Seconds one exchange may stall (connect, or no bytes in either direction) before it fails; `SANDBOX_HTTP_TIMEOUT`.
    public var timeout: TimeInterval
    /// Connections kept open per host for reuse and for parallel requests.
    public var maxConnectionsPerHost: Int
    /// The CAs that may sign a server's certificate.
    public var trust: TrustStore
    /// HTTP(S) proxies from the environment, as the AWS CLI reads them.
    public var proxy: ProxySettings
    /// Sent as `User-Agent` on every request that does not set one.
    public var userAgent: String

    public init(timeout: TimeInterval = 60, maxConnectionsPerHost: Int = 16, trust: TrustStore = .system,
                proxy: ProxySettings = ProxySettings(), userAgent: String = UserAgent(version: "unknown").header) {
        self.timeout = timeout
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.trust = trust
        self.proxy = proxy
        self.userAgent = userAgent
    }
}
