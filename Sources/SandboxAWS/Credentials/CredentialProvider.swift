import Foundation
import SandboxCore
import SandboxSigV4

/// Where a set of credentials came from, shown by `whoami` and reports (never the credentials themselves).
public enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    case environment
    case profile(String)
    case assumeRole(roleArn: String, profile: String)
    case webIdentity(roleArn: String)
    case process(profile: String)
    case sso(profile: String)
    case explicit(String)

    public var description: String {
        switch self {
        case .environment: return "env"
        case .profile(let name): return "profile \(name)"
        case .assumeRole(let arn, let profile): return "assume-role \(arn) (profile \(profile))"
        case .webIdentity(let arn): return "web identity \(arn)"
        case .process(let profile): return "process (profile \(profile))"
        case .sso(let profile): return "sso (profile \(profile))"
        case .explicit(let name): return name
        }
    }

    /// A short machine-friendly kind: env, profile, assume-role, web-identity, process, sso.
    public var kind: String {
        switch self {
        case .environment: return "env"
        case .profile: return "profile"
        case .assumeRole: return "assume-role"
        case .webIdentity: return "web-identity"
        case .process: return "process"
        case .sso: return "sso"
        case .explicit: return "explicit"
        }
    }
}

/// Credentials together with their source.
public struct ResolvedCredentials: Sendable, Equatable {
    public let credentials: Credentials
    public let source: CredentialSource

    public init(credentials: Credentials, source: CredentialSource) {
        self.credentials = credentials
        self.source = source
    }
}

/// Produces credentials. Providers that hand out temporary credentials refresh them before they expire.
public protocol CredentialProvider: Sendable {
    /// Returns current credentials, or nil when this provider does not apply (so the chain tries the next one).
    func resolve() async throws -> ResolvedCredentials?
    /// Forgets cached credentials (after AWS rejected them as expired).
    func invalidate() async
}

extension CredentialProvider {
    public func invalidate() async {}
}

/// Raised when no provider in the chain produced credentials.
public struct NoCredentialsError: SandboxError {
    public let tried: [String]
    public let category: FailureCategory = .credentials

    public init(tried: [String]) { self.tried = tried }

    public var userMessage: String {
        "no AWS credentials found (tried: \(tried.joined(separator: ", "))); export AWS_PROFILE, run aws sso login, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    }
}

/// A fixed set of credentials, for tests and for callers that already hold them.
public struct StaticCredentialProvider: CredentialProvider {
    public let resolved: ResolvedCredentials

    public init(_ credentials: Credentials, source: CredentialSource = .explicit("static")) {
        resolved = ResolvedCredentials(credentials: credentials, source: source)
    }

    public func resolve() async throws -> ResolvedCredentials? { resolved }
}
