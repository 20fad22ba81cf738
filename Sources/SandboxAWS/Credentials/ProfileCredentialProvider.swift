import Foundation
import SandboxCore
import SandboxSigV4

/// Credentials described by a profile of the shared files, in botocore's order: an assumed role (`role_arn` with
/// `source_profile` or `credential_source`), web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`/`AWS_ROLE_ARN`, each
/// falling back to the profile's `web_identity_token_file`/`role_arn`), SSO, keys in the credentials file,
/// `credential_process`, keys in the config file. The first source the configuration names is used; a source that
/// is named but broken fails rather than falling back.
///
/// The provider behind the profile is built on first use and kept, so the caches inside it survive; a broken
/// profile therefore only fails when the chain reaches it, not when an earlier source already supplied credentials.
public final class ProfileCredentialProvider: CredentialProvider, @unchecked Sendable {
    /// The profile whose credentials this resolves.
    public let profileName: String
    /// The files the profile is read from.
    public let config: SharedConfig
    /// Whether `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME` count: not when `--profile`
    /// named the profile, as in the AWS CLI.
    public let environmentWebIdentity: Bool
    private let context: CredentialContext
    private let lock = NSLock()
    private var built: CredentialProvider??

    /// A provider for `profile`; nothing is checked until the first `resolve()`.
    public init(profile: String, config: SharedConfig, context: CredentialContext, environmentWebIdentity: Bool = false) {
        self.profileName = profile
        self.config = config
        self.context = context
        self.environmentWebIdentity = environmentWebIdentity
    }

    /// Nil when the profile configures no credentials.
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
        let made = try Self.make(profile: profileName, config: config, context: context, environmentWebIdentity: environmentWebIdentity)
        built = .some(made)
        return made
    }

    /// Builds the provider the selected profile describes, following `source_profile` links and refusing loops.
    public static func make(profile name: String, config: SharedConfig, context: CredentialContext,
                            environmentWebIdentity: Bool = false) throws -> CredentialProvider? {
        if let profile = config.profiles[name], hasAssumeRoleSettings(profile) {
            return try assumeRole(profile, config: config, context: context, visited: [name])
        }
        return try profileSources(name, config: config, context: context, environmentWebIdentity: environmentWebIdentity)
    }

    /// `role_arn` without `web_identity_token_file`: botocore's AssumeRole provider applies.
    static func hasAssumeRoleSettings(_ profile: ConfigProfile) -> Bool {
        profile.value("role_arn") != nil && profile.value("web_identity_token_file") == nil
    }

    /// Either static key in the merged profile.
    static func hasStaticKeys(_ profile: ConfigProfile) -> Bool {
        profile.value("aws_access_key_id") != nil || profile.value("aws_secret_access_key") != nil
    }

    /// The sources botocore tries after AssumeRole, for the selected profile and for source profiles alike.
    static func profileSources(_ name: String, config: SharedConfig, context: CredentialContext,
                               environmentWebIdentity: Bool) throws -> CredentialProvider? {
        let profile = config.profiles[name] ?? ConfigProfile(name: name)
        if let web = try webIdentity(profile, context: context, environment: environmentWebIdentity) { return web }
        if profile.value("sso_role_name") != nil || profile.value("sso_account_id") != nil {
            let settings = try SSOCredentialProvider.Settings.from(profile: profile, config: config)
            return context.cached(SSOCredentialProvider(settings: settings, profile: name, context: context))
        }
        if let keys = try staticKeys(config.credentialsFileProfiles[name], file: config.credentialsPath) { return keys }
        if let command = profile.value("credential_process") {
            return context.cached(ProcessCredentialProvider(command: command, profile: name, environment: context.environment,
                                                            timeout: context.processTimeout, redactor: context.redactor, clock: context.clock))
        }
        return try staticKeys(config.configFileProfiles[name], file: config.configPath)
    }

    /// Web identity: each setting from its variable when that is set (and allowed), else from the profile.
    static func webIdentity(_ profile: ConfigProfile, context: CredentialContext, environment: Bool) throws -> CredentialProvider? {
        func setting(_ variable: String, _ key: String) -> (value: String?, origin: String) {
            // botocore takes a variable that is present, even empty, over the profile.
            if environment, let value = context.environment[variable] { return (nonEmpty(value), variable) }
            return (profile.value(key), "profile \(profile.name) \(key)")
        }
        let tokenFile = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file")
        guard let file = tokenFile.value else { return nil }
        let role = setting("AWS_ROLE_ARN", "role_arn")
        guard let roleArn = role.value else {
            throw CredentialProviderError("web identity is configured by \(tokenFile.origin) but no role is: set AWS_ROLE_ARN or role_arn in profile \(profile.name)")
        }
        let home = SharedConfig.homeDirectory(context.environment)
        let settings = WebIdentityCredentialProvider.Settings(tokenFile: SharedConfig.expandTilde(file, home: home), roleArn: roleArn,
                                                              sessionName: setting("AWS_ROLE_SESSION_NAME", "role_session_name").value)
        return context.cached(WebIdentityCredentialProvider(settings: settings, profile: profile.name, context: context))
    }

    /// AssumeRole for `profile`, whose source is a `source_profile` (resolved like botocore, loops refused) or a
    /// `credential_source`. - Parameter visited: the profiles on the way here, the selected one first.
    private static func assumeRole(_ profile: ConfigProfile, config: SharedConfig, context: CredentialContext,
                                   visited: [String]) throws -> CredentialProvider {
        let name = profile.name
        guard let roleArn = profile.value("role_arn") else {
            throw CredentialProviderError("profile \(name) has no role_arn")
        }
        if profile.value("mfa_serial") != nil {
            throw CredentialProviderError("profile \(name) needs an MFA code (mfa_serial), which sandbox cannot prompt for; export temporary credentials instead (aws sts get-session-token)")
        }
        let source: CredentialProvider
        let sourceName: String
        switch (profile.value("source_profile"), profile.value("credential_source")) {
        case (nil, nil):
            throw CredentialProviderError("profile \(name) sets role_arn but neither source_profile nor credential_source (\(profile.location(of: "role_arn")))")
        case (.some, .some):
            throw CredentialProviderError("profile \(name) sets both source_profile and credential_source; keep one")
        case (let sourceProfile?, nil):
            guard let target = config.profiles[sourceProfile] else {
                throw CredentialProviderError("profile \(name): source_profile '\(sourceProfile)' is not defined in \(config.configPath) or \(config.credentialsPath)")
            }
            // A profile may name itself to take its own keys; any other return to a visited profile is a loop.
            if visited.contains(sourceProfile), sourceProfile != name || !hasStaticKeys(target) {
                throw CredentialProviderError("source_profile loop: \((visited + [sourceProfile]).joined(separator: " -> ")); point one of them at a profile with credentials")
            }
            source = try sourceCredentials(target, config: config, context: context, visited: visited + [sourceProfile])
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
        let provider = AssumeRoleCredentialProvider(roleArn: roleArn, sessionName: profile.value("role_session_name") ?? context.defaultSessionName(),
                                                    externalId: profile.value("external_id"), durationSeconds: duration,
                                                    profile: name, source: source, sourceName: sourceName, client: context.client)
        return context.cached(provider)
    }

    /// A source profile with keys, or without a role of its own, gives what its own sources give (SSO before keys,
    /// environment variables never); one with only a role assumes it in turn.
    private static func sourceCredentials(_ profile: ConfigProfile, config: SharedConfig, context: CredentialContext,
                                          visited: [String]) throws -> CredentialProvider {
        if hasStaticKeys(profile) || !hasAssumeRoleSettings(profile) {
            guard let provider = try profileSources(profile.name, config: config, context: context, environmentWebIdentity: false) else {
                throw CredentialProviderError("source profile \(profile.name) configures no credentials (\(config.credentialsPath), \(config.configPath))")
            }
            return provider
        }
        return try assumeRole(profile, config: config, context: context, visited: visited)
    }

    /// `aws_access_key_id` and `aws_secret_access_key` (and `aws_security_token` or `aws_session_token`) of one
    /// file's section, as botocore reads them: both keys from the same file. Nil without `aws_access_key_id`.
    static func staticKeys(_ section: ConfigProfile?, file: String) throws -> CredentialProvider? {
        guard let section, let id = section.value("aws_access_key_id") else { return nil }
        guard let secret = section.value("aws_secret_access_key") else {
            throw CredentialProviderError("profile \(section.name) sets aws_access_key_id in \(file) but not aws_secret_access_key there (\(section.location(of: "aws_access_key_id"))); put both keys in the same file")
        }
        let token = section.value("aws_security_token") ?? section.value("aws_session_token")
        let credentials = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
        return StaticCredentialProvider(credentials, source: .profile(section.name))
    }
}
