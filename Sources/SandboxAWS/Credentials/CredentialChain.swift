import Foundation
import SandboxCore

/// Tries providers in order; the first that returns credentials wins and is asked directly from then on.
///
/// A provider that does not apply returns nil and the next is tried; one that applies but fails throws, and the
/// chain passes that error on rather than silently falling back to other credentials.
public final class CredentialChain: CredentialProvider, @unchecked Sendable {
    /// A provider and how to name it in the "tried" list of `NoCredentialsError`.
    public struct Link: Sendable {
        /// How the source is named to the user (`environment (AWS_ACCESS_KEY_ID)`).
        public let name: String
        /// The provider asked for credentials.
        public let provider: CredentialProvider

        /// A named link.
        public init(_ name: String, _ provider: CredentialProvider) {
            self.name = name
            self.provider = provider
        }
    }

    /// The providers in the order they are tried.
    public let links: [Link]
    private let redactor: Redactor?
    private let lock = NSLock()
    private var winner: Int?

    /// - Parameter redactor: every secret the chain hands out is registered here.
    public init(_ links: [Link], redactor: Redactor? = nil) {
        self.links = links
        self.redactor = redactor
    }

    /// The names of the providers, in the order they are tried.
    public var tried: [String] { links.map(\.name) }

    public func resolve() async throws -> ResolvedCredentials? {
        let known: Int? = {
            lock.lock(); defer { lock.unlock() }
            return winner
        }()
        if let known, let resolved = try await links[known].provider.resolve() {
            return register(resolved)
        }
        for (index, link) in links.enumerated() {
            guard let resolved = try await link.provider.resolve() else { continue }
            lock.withLock { winner = index }
            return register(resolved)
        }
        throw NoCredentialsError(tried: tried)
    }

    public func invalidate() async {
        for link in links { await link.provider.invalidate() }
    }

    private func register(_ resolved: ResolvedCredentials) -> ResolvedCredentials {
        redactor?.register(resolved.credentials.secretAccessKey)
        redactor?.register(resolved.credentials.sessionToken)
        return resolved
    }
}
