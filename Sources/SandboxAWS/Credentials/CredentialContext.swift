import Foundation
import SandboxCore

/// What credential providers may use of the outside world, injected so tests control all of it.
public struct CredentialContext: Sendable {
    /// The environment variables to read (never `ProcessInfo` directly).
    public var environment: [String: String]
    /// A client with no credentials of its own, for STS and SSO calls; providers add the credentials a call needs.
    public var client: AWSClient
    /// Secrets seen while resolving (session tokens, web identity tokens) are registered here when set.
    public var redactor: Redactor?
    /// Seconds a `credential_process` may run before it is killed.
    public var processTimeout: TimeInterval
    /// Temporary credentials are refreshed this many seconds before they expire.
    public var refreshMargin: TimeInterval

    /// A context; the factory builds one from its own inputs.
    public init(environment: [String: String], client: AWSClient, redactor: Redactor? = nil,
                processTimeout: TimeInterval = 60, refreshMargin: TimeInterval = 300) {
        self.environment = environment
        self.client = client
        self.redactor = redactor
        self.processTimeout = processTimeout
        self.refreshMargin = refreshMargin
    }

    /// The clock expiry is judged by: the client's, so signing and caching agree.
    public var clock: WallClock { client.clock }

    /// Wraps a provider of temporary credentials so they are reused until shortly before they expire.
    func cached(_ provider: CredentialProvider) -> CredentialProvider {
        CachingCredentialProvider(provider, clock: clock, refreshMargin: refreshMargin)
    }

    /// A session name for STS when the configuration gives none; unique per second like the SDKs' defaults.
    func defaultSessionName() -> String {
        "sandbox-\(Int(clock.now().timeIntervalSince1970))"
    }
}

/// A credential source that applies but cannot produce credentials: bad configuration, a failed exchange.
/// Messages name the profile, file or variable at fault and never contain secret values.
public struct CredentialProviderError: SandboxError, Equatable {
    public let userMessage: String
    public let category: FailureCategory = .credentials

    /// An error with a message already free of secrets; line breaks are folded.
    public init(_ message: String) {
        userMessage = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}

/// Resolves nothing: the credentials of the client used for unsigned STS and SSO calls.
struct NoCredentialProvider: CredentialProvider {
    func resolve() async throws -> ResolvedCredentials? { nil }
}

extension AWSClient {
    /// The same client signing with other credentials (STS AssumeRole signs with the source profile's).
    public func with(credentialProvider: CredentialProvider) -> AWSClient {
        AWSClient(region: region, endpoints: endpoints, credentialProvider: credentialProvider, transport: transport,
                  retryPolicy: retryPolicy, clock: clock, sleeper: sleeper, log: log, stats: stats, observer: observer)
    }
}
