import Foundation
import SandboxCore
import SandboxSigV4

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    /// The variables to read.
    public let environment: [String: String]

    /// A provider reading `environment`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Nil when neither key variable is set; an error when only one is, since that is always a mistake.
    public func resolve() async throws -> ResolvedCredentials? {
        let id = value("AWS_ACCESS_KEY_ID")
        let secret = value("AWS_SECRET_ACCESS_KEY")
        switch (id, secret) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw CredentialProviderError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; export both or neither")
        case (nil, .some):
            throw CredentialProviderError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; export both or neither")
        case let (id?, secret?):
            let credentials = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
            return ResolvedCredentials(credentials: credentials, source: .environment)
        }
    }

    private func value(_ key: String) -> String? {
        guard let raw = environment[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }
}
