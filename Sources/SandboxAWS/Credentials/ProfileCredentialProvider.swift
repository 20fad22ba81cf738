import Foundation
import SandboxCore
import SandboxSigV4

/// Credentials described by a profile of the shared files: an assumed role, web identity, SSO, static keys or a
/// `credential_process`, checked in that order as the AWS SDKs do.
///
/// The provider behind the profile is built on first use and kept, so the caches inside it survive; a broken
/// profile therefore only fails when the chain reaches it, not when an earlier source already supplied credentials.
public final class ProfileCredentialProvider: CredentialProvider, @unchecked Sendable {
    /// The profile whose credentials this resolves.
    public let profileName: String
    /// The files the profile is read from.
    public let config: SharedConfig
    private let context: CredentialContext
    private let lock = NSLock()
    private var built: CredentialProvider??

    /// A provider for `profile`; nothing is checked until the first `resolve()`.
    public init(profile: String, config: SharedConfig, context: CredentialContext) {
        self.profileName = profile
        self.config = config
        self.context = context
    }

    /// Nil when the profile does not exist or configures no credentials.
    public func resolve() async throws -> ResolvedCredentials? {
        guard let provider = try provider() else { return nil }
        return try await provider.resolve()
    }

    public func invalidate() async {
        let current: CredentialProvider? = {
            lock.lock(); defer { lock.unlock() }
            return built ?? nil
        }()
        await current?.invalidate()
    }

    private func provider() throws -> CredentialProvider? {
        lock.lock(); defer { lock.unlock() }
        if let built { return built }
        let made = try Self.make(profile: profileName, config: config, context: context)
        built = .some(made)
        return made
    }

    /// Builds the provider a profile describes, following `source_profile` links and refusing cycles.
    /// - Parameter visited: the profiles that led here through `source_profile`, outermost first.
    public static func make(profile name: String, config: SharedConfig, context: CredentialContext, visited: [String] = []) throws -> CredentialProvider? {
        guard let profile = config.profiles[name] else {
            guard let referrer = visited.last else { return nil }
            throw CredentialProviderError("profile \(referrer): source_profile '\(name)' is not defined in \(config.configPath) or \(config.credentialsPath)")
        }
        // A source profile with its own keys uses them even if it also names a role, as botocore does;
        // this is also what makes a profile that names itself as source_profile work.
        if !visited.isEmpty, let keys = try staticKeys(profile) { return keys }
        if visited.contains(name) {
            throw CredentialProviderError("source_profile cycle: \((visited + [name]).joined(separator: " -> ")); point one of them at a profile with keys")
        }

        if let roleArn = profile.value("role_arn") {
            return try assumeRole(roleArn, profile: profile, config: config, context: context, visited: visited)
        }
        if ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"].contains(where: { profile.value($0) != nil }) {
            let settings = try SSOCredentialProvider.Settings.from(profile: profile, config: config)
            return context.cached(SSOCredentialProvider(settings: settings, profile: name, context: context))
        }
        if let keys = try staticKeys(profile) { return keys }
        if let command = profile.value("credential_process") {
            return context.cached(ProcessCredentialProvider(command: command, profile: name, environment: context.environment,
                                                            timeout: context.processTimeout, redactor: context.redactor))
        }
        return nil
    }

    private static func assumeRole(_ roleArn: String, profile: ConfigProfile, config: SharedConfig, context: CredentialContext,
                                   visited: [String]) throws -> CredentialProvider {
        let name = profile.name
        let sessionName = profile.value("role_session_name")
        if profile.value("mfa_serial") != nil {
            throw CredentialProviderError("profile \(name) needs an MFA code (mfa_serial), which sandbox cannot prompt for; export temporary credentials instead (aws sts get-session-token)")
        }
        let sourceProfile = profile.value("source_profile")
        let credentialSource = profile.value("credential_source")
        if let tokenFile = profile.value("web_identity_token_file"), sourceProfile == nil, credentialSource == nil {
            let home = SharedConfig.homeDirectory(context.environment)
            let settings = WebIdentityCredentialProvider.Settings(tokenFile: SharedConfig.expandTilde(tokenFile, home: home),
                                                                  roleArn: roleArn, sessionName: sessionName)
            return context.cached(WebIdentityCredentialProvider(settings: settings, profile: name, context: context))
        }

        let source: CredentialProvider
        let sourceName: String
        switch (sourceProfile, credentialSource) {
        case (nil, nil):
            throw CredentialProviderError("profile \(name) sets role_arn but neither source_profile nor credential_source (\(profile.location(of: "role_arn")))")
        case (.some, .some):
            throw CredentialProviderError("profile \(name) sets both source_profile and credential_source; keep one")
        case (let sourceProfile?, nil):
            guard let built = try make(profile: sourceProfile, config: config, context: context, visited: visited + [name]) else {
                throw CredentialProviderError("profile \(name): source_profile '\(sourceProfile)' configures no credentials")
            }
            source = built
            sourceName = "source_profile \(sourceProfile)"
        case (nil, let credentialSource?):
            switch credentialSource.lowercased() {
            case "environment":
                source = EnvironmentCredentialProvider(environment: context.environment)
                sourceName = "credential_source Environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"
            case "ec2instancemetadata", "ecscontainer":
                throw CredentialProviderError("profile \(name): credential_source \(credentialSource) is not supported; sandbox never queries instance or container metadata, use source_profile or Environment")
            default:
                throw CredentialProviderError("profile \(name): unknown credential_source '\(credentialSource)'; expected Environment")
            }
        }
        let duration = try STSCredentials.duration(profile.value("duration_seconds"), location: profile.location(of: "duration_seconds"))
        let provider = AssumeRoleCredentialProvider(roleArn: roleArn, sessionName: sessionName ?? context.defaultSessionName(),
                                                    externalId: profile.value("external_id"), durationSeconds: duration,
                                                    profile: name, source: source, sourceName: sourceName, client: context.client)
        return context.cached(provider)
    }

    /// `aws_access_key_id` and `aws_secret_access_key` (and `aws_session_token`); nil when neither key is set.
    static func staticKeys(_ profile: ConfigProfile) throws -> CredentialProvider? {
        let id = profile.value("aws_access_key_id")
        let secret = profile.value("aws_secret_access_key")
        switch (id, secret) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw CredentialProviderError("profile \(profile.name) sets aws_access_key_id but not aws_secret_access_key (\(profile.location(of: "aws_access_key_id")))")
        case (nil, .some):
            throw CredentialProviderError("profile \(profile.name) sets aws_secret_access_key but not aws_access_key_id (\(profile.location(of: "aws_secret_access_key")))")
        case let (id?, secret?):
            let credentials = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: profile.value("aws_session_token"))
            return StaticCredentialProvider(credentials, source: .profile(profile.name))
        }
    }
}
