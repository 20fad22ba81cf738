import Foundation
import SandboxCore
import SandboxSigV4

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally `AWS_SECURITY_TOKEN` (the legacy
/// name, which botocore reads first) or `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentialProvider: CredentialProvider {
    /// The variables to read.
    public let environment: [String: String]

    /// A provider reading `environment`.
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Nil without `AWS_ACCESS_KEY_ID` (botocore ignores a lone secret too); an error when the secret is missing.
    public func resolve() async throws -> ResolvedCredentials? {
        guard let id = value("AWS_ACCESS_KEY_ID") else { return nil }
        guard let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw CredentialProviderError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; export both or neither")
        }
        let token = value("AWS_SECURITY_TOKEN") ?? value("AWS_SESSION_TOKEN")
        let credentials = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
        return ResolvedCredentials(credentials: credentials, source: .environment)
    }

    private func value(_ key: String) -> String? {
        guard let raw = environment[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        return raw
    }
}
