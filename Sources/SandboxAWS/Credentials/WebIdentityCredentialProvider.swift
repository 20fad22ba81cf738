import Foundation
import SandboxCore
import SandboxSigV4

/// Temporary credentials from STS AssumeRoleWithWebIdentity (EKS pods, GitHub Actions OIDC).
/// The call is unsigned: the token in the file is the proof of identity. Wrap it in `CachingCredentialProvider`.
public struct WebIdentityCredentialProvider: CredentialProvider {
    /// The token file, role and session name; nil when the environment does not configure web identity.
    public struct Settings: Sendable, Equatable {
        /// The file holding the OIDC token; read on every exchange.
        public let tokenFile: String
        /// The role to assume.
        public let roleArn: String
        /// `RoleSessionName`; nil means `sandbox-<epoch seconds>`.
        public let sessionName: String?

        /// Settings given directly.
        public init(tokenFile: String, roleArn: String, sessionName: String?) {
            self.tokenFile = tokenFile
            self.roleArn = roleArn
            self.sessionName = sessionName
        }
    }

    private let settings: @Sendable () throws -> Settings?
    private let label: String
    private let context: CredentialContext

    /// Configured by `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`.
    public static func fromEnvironment(context: CredentialContext) -> WebIdentityCredentialProvider {
        let environment = context.environment
        return WebIdentityCredentialProvider(label: "AWS_WEB_IDENTITY_TOKEN_FILE", context: context) {
            let file = nonEmpty(environment["AWS_WEB_IDENTITY_TOKEN_FILE"])
            let role = nonEmpty(environment["AWS_ROLE_ARN"])
            switch (file, role) {
            case (nil, nil):
                return nil
            case (nil, .some):
                throw CredentialProviderError("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not; set both for web identity, or unset AWS_ROLE_ARN")
            case (.some, nil):
                throw CredentialProviderError("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set both for web identity")
            case let (file?, role?):
                return Settings(tokenFile: file, roleArn: role, sessionName: nonEmpty(environment["AWS_ROLE_SESSION_NAME"]))
            }
        }
    }

    /// Configured by a profile's `web_identity_token_file` and `role_arn`.
    public init(settings: Settings, profile: String, context: CredentialContext) {
        self.init(label: "profile \(profile)", context: context) { settings }
    }

    private init(label: String, context: CredentialContext, settings: @escaping @Sendable () throws -> Settings?) {
        self.label = label
        self.context = context
        self.settings = settings
    }

    public func resolve() async throws -> ResolvedCredentials? {
        guard let settings = try settings() else { return nil }
        // Read on every exchange: orchestrators rotate the token file in place.
        let token: String
        do {
            token = try String(contentsOfFile: settings.tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw CredentialProviderError("\(label): cannot read the web identity token file \(settings.tokenFile)")
        }
        guard !token.isEmpty else {
            throw CredentialProviderError("\(label): the web identity token file \(settings.tokenFile) is empty")
        }
        context.redactor?.register(token)
        let parameters = [
            ("RoleArn", settings.roleArn),
            ("RoleSessionName", settings.sessionName ?? context.defaultSessionName()),
            ("WebIdentityToken", token),
        ]
        let result: XMLNode
        do {
            result = try await context.client.query(.sts, action: "AssumeRoleWithWebIdentity", parameters: parameters, unsigned: true, journal: .read)
        } catch {
            throw CredentialProviderError("\(label): web identity exchange for \(settings.roleArn) failed: \(error.oneLine)")
        }
        let credentials = try STSCredentials.parse(result, action: "AssumeRoleWithWebIdentity")
        return ResolvedCredentials(credentials: credentials, source: .webIdentity(roleArn: settings.roleArn))
    }
}

func nonEmpty(_ value: String?) -> String? {
    guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
    return value
}
