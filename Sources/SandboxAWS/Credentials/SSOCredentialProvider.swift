import Crypto
import Foundation
import SandboxCore
import SandboxSigV4

/// Role credentials from IAM Identity Center (SSO), using the token `aws sso login` left in `~/.aws/sso/cache`.
/// This never logs in or refreshes the token itself: when it is missing or expired the user is told to log in.
/// Wrap it in `CachingCredentialProvider`.
public struct SSOCredentialProvider: CredentialProvider {
    /// The SSO settings of a profile, from its own keys or its `[sso-session NAME]` section.
    public struct Settings: Sendable, Equatable {
        /// The IAM Identity Center start URL.
        public let startURL: String
        /// The region of the SSO portal (not necessarily the working region).
        public let region: String
        /// The account whose role is fetched.
        public let accountId: String
        /// The permission set's role name.
        public let roleName: String
        /// The `sso_session` name, when the profile uses one rather than the legacy `sso_start_url`.
        public let sessionName: String?

        /// Settings given directly.
        public init(startURL: String, region: String, accountId: String, roleName: String, sessionName: String?) {
            self.startURL = startURL
            self.region = region
            self.accountId = accountId
            self.roleName = roleName
            self.sessionName = sessionName
        }

        /// The token cache is keyed by the session name, or by the start URL for legacy profiles (as the AWS CLI does).
        public var cacheKey: String { sessionName ?? startURL }

        /// Reads the settings; errors name the profile and the missing keys.
        public static func from(profile: ConfigProfile, config: SharedConfig) throws -> Settings {
            var startURL = profile.value("sso_start_url")
            var region = profile.value("sso_region")
            let sessionName = profile.value("sso_session")
            if let sessionName {
                guard let session = config.ssoSessions[sessionName] else {
                    throw CredentialProviderError("profile \(profile.name): sso_session '\(sessionName)' has no [sso-session \(sessionName)] section in \(config.configPath)")
                }
                for key in ["sso_start_url", "sso_region"] {
                    if let own = profile.value(key), let shared = session.value(key), own != shared {
                        throw CredentialProviderError("profile \(profile.name): \(key) differs from the one in [sso-session \(sessionName)]; remove it from the profile")
                    }
                }
                startURL = session.value("sso_start_url")
                region = session.value("sso_region")
            }
            let accountId = profile.value("sso_account_id")
            let roleName = profile.value("sso_role_name")
            let missing = [("sso_start_url", startURL), ("sso_region", region), ("sso_account_id", accountId), ("sso_role_name", roleName)]
                .filter { $0.1 == nil }.map(\.0)
            guard missing.isEmpty, let startURL, let region, let accountId, let roleName else {
                throw CredentialProviderError("profile \(profile.name) is set up for SSO but lacks \(missing.joined(separator: ", "))")
            }
            return Settings(startURL: startURL, region: region, accountId: accountId, roleName: roleName, sessionName: sessionName)
        }
    }

    /// The SSO portal, spoken to like a JSON service so it gets the client's retries and error parsing.
    static let portal = ServiceDescriptor(name: "portal.sso", displayName: "SSO", wireProtocol: .json, apiVersion: "2019-06-10",
                                          targetPrefix: nil, isGlobal: false, environmentKey: "SSO")

    /// Where the token and the role come from.
    public let settings: Settings
    /// The profile, for messages and the `aws sso login` hint.
    public let profile: String
    /// Environment (for `HOME`), clock and client.
    public let context: CredentialContext

    /// A provider for one SSO profile.
    public init(settings: Settings, profile: String, context: CredentialContext) {
        self.settings = settings
        self.profile = profile
        self.context = context
    }

    /// `$HOME/.aws/sso/cache/<sha1 of the cache key>.json`.
    public var tokenCachePath: String {
        let digest = Insecure.SHA1.hash(data: Data(settings.cacheKey.utf8))
        let name = digest.map { String(format: "%02x", $0) }.joined()
        return "\(SharedConfig.homeDirectory(context.environment))/.aws/sso/cache/\(name).json"
    }

    private var loginHint: String { "run `aws sso login --profile \(profile)`" }

    struct CachedToken: Decodable {
        let accessToken: String?
        let expiresAt: String?
    }

    struct PortalAnswer: Decodable {
        struct RoleCredentials: Decodable {
            let accessKeyId: String?
            let secretAccessKey: String?
            let sessionToken: String?
            /// Milliseconds since 1970.
            let expiration: Double?
        }
        let roleCredentials: RoleCredentials?
    }

    public func resolve() async throws -> ResolvedCredentials? {
        let token = try loadToken()
        context.redactor?.register(token)
        guard let region = try? Region(settings.region) else {
            throw CredentialProviderError("profile \(profile): sso_region '\(settings.region)' is not a region name like us-east-1")
        }
        let request = AWSRequest(operation: "GetRoleCredentials", method: "GET", path: "/federation/credentials",
                                 query: [("role_name", settings.roleName), ("account_id", settings.accountId)],
                                 headers: ["x-amz-sso_bearer_token": token], unsigned: true)
        let response: HTTPResponse
        do {
            response = try await portalClient(region: region).send(request, to: Self.portal)
        } catch let error as AWSError where [401, 403].contains(error.status) {
            throw CredentialProviderError("profile \(profile): the SSO portal rejected the cached login (\(error.code)); \(loginHint)")
        } catch {
            throw CredentialProviderError("profile \(profile): SSO GetRoleCredentials failed: \(error.oneLine)")
        }
        guard let answer = try? JSONDecoder().decode(PortalAnswer.self, from: response.body), let role = answer.roleCredentials,
              let id = role.accessKeyId, let secret = role.secretAccessKey, let sessionToken = role.sessionToken,
              let expiration = role.expiration else {
            throw CredentialProviderError("profile \(profile): the SSO portal answered GetRoleCredentials without complete roleCredentials")
        }
        let credentials = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: sessionToken,
                                      expiration: Date(timeIntervalSince1970: expiration / 1000))
        return ResolvedCredentials(credentials: credentials, source: .sso(profile: profile))
    }

    /// The access token from the cache, if present and unexpired.
    func loadToken() throws -> String {
        let path = tokenCachePath
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialProviderError("profile \(profile): no SSO login found for \(settings.sessionName.map { "sso-session \($0)" } ?? settings.startURL); \(loginHint)")
        }
        guard let cached = try? JSONDecoder().decode(CachedToken.self, from: data), let token = cached.accessToken, !token.isEmpty,
              let expiresText = cached.expiresAt else {
            throw CredentialProviderError("profile \(profile): the SSO token cache \(path) is unreadable; \(loginHint)")
        }
        guard let expiresAt = Timestamp.iso8601(expiresText) else {
            throw CredentialProviderError("profile \(profile): the SSO token cache \(path) has an unreadable expiresAt; \(loginHint)")
        }
        guard expiresAt > context.clock.now() else {
            throw CredentialProviderError("profile \(profile): the SSO login expired at \(Timestamp.string(expiresAt)); \(loginHint)")
        }
        return token
    }

    /// A client aimed at the portal of the SSO region; `AWS_ENDPOINT_URL_SSO` overrides the address (tests, proxies).
    func portalClient(region: Region) throws -> AWSClient {
        var endpoints = EndpointResolver()
        if let override = nonEmpty(context.environment["AWS_ENDPOINT_URL_SSO"]) {
            endpoints = EndpointResolver(perService: [Self.portal.name: try EndpointResolver.parse(override, from: "AWS_ENDPOINT_URL_SSO")])
        }
        let base = context.client
        return AWSClient(region: region, endpoints: endpoints, credentialProvider: NoCredentialProvider(), transport: base.transport,
                         retryPolicy: base.retryPolicy, clock: base.clock, sleeper: base.sleeper, log: base.log, stats: base.stats)
    }
}
