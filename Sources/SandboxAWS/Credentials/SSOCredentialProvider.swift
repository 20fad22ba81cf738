import Crypto
import Foundation
import SandboxCore
import SandboxSigV4

/// Role credentials from IAM Identity Center (SSO), using the token `aws sso login` left in `~/.aws/sso/cache`.
/// For `sso-session` profiles a token within 5 minutes of expiry is refreshed through SSO OIDC CreateToken with the
/// cached refresh token and client registration, and the cache file is updated, as the AWS SDKs do. It never logs
/// in: when there is no token, or it expired and cannot be refreshed, the user is told to run `aws sso login`.
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

    /// SSO OIDC, where an expiring token is refreshed (`AWS_ENDPOINT_URL_SSO_OIDC` overrides the address).
    static let oidc = ServiceDescriptor(name: "oidc", displayName: "SSO OIDC", wireProtocol: .json, apiVersion: "2019-06-10",
                                        targetPrefix: nil, isGlobal: false, environmentKey: "SSO_OIDC")

    /// How long before its expiry a token is refreshed.
    static let refreshWindow: TimeInterval = 300

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
        guard let region = try? Region(settings.region) else {
            throw CredentialProviderError("profile \(profile): sso_region '\(settings.region)' is not a region name like us-east-1")
        }
        let token = try await currentToken(region: region)
        context.redactor?.register(token)
        let request = AWSRequest(operation: "GetRoleCredentials", journal: .read, method: "GET", path: "/federation/credentials",
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

    struct CreateTokenAnswer: Decodable {
        let accessToken: String?
        /// Seconds.
        let expiresIn: Double?
        let refreshToken: String?
    }

    /// The cached access token, refreshed first when it expires within `refreshWindow` and the cache can refresh it.
    func currentToken(region: Region) async throws -> String {
        let path = tokenCachePath
        let data = FileManager.default.contents(atPath: path)  // read once; loadToken checks these same bytes
        guard let data, let cache = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let expiresText = cache["expiresAt"] as? String, let expiresAt = Timestamp.iso8601(expiresText),
              let refresh = cache["refreshToken"] as? String, let clientId = cache["clientId"] as? String,
              let clientSecret = cache["clientSecret"] as? String, settings.sessionName != nil,
              expiresAt.timeIntervalSince(context.clock.now()) < Self.refreshWindow else {
            return try loadToken(data)
        }
        for secret in [refresh, clientSecret, cache["accessToken"] as? String] { context.redactor?.register(secret) }
        if let registrationText = cache["registrationExpiresAt"] as? String, let registration = Timestamp.iso8601(registrationText),
           registration <= context.clock.now() {
            return try loadToken(data, refreshFailure: "its client registration expired at \(Timestamp.string(registration))")
        }
        do {
            return try await refreshToken(cache: cache, path: path, refresh: refresh, clientId: clientId, clientSecret: clientSecret, region: region)
        } catch let error as SandboxError {
            return try loadToken(data, refreshFailure: error.userMessage)
        }
    }

    /// SSO OIDC CreateToken with the refresh token; writes the new token back to the cache (mode 0600, atomically).
    func refreshToken(cache: [String: Any], path: String, refresh: String, clientId: String, clientSecret: String, region: Region) async throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["clientId": clientId, "clientSecret": clientSecret,
                                                               "grantType": "refresh_token", "refreshToken": refresh], options: [.sortedKeys])
        let request = AWSRequest(operation: "CreateToken", journal: .read, method: "POST", path: "/token", headers: ["Content-Type": "application/json"],
                                 body: body, unsigned: true)
        let response = try await serviceClient(Self.oidc, region: region).send(request, to: Self.oidc)
        guard let answer = try? JSONDecoder().decode(CreateTokenAnswer.self, from: response.body), let token = answer.accessToken,
              !token.isEmpty, let expiresIn = answer.expiresIn, expiresIn > 0 else {
            throw CredentialProviderError("SSO OIDC CreateToken answered without accessToken and expiresIn")
        }
        context.redactor?.register(token)
        context.redactor?.register(answer.refreshToken)
        var updated = cache
        updated["accessToken"] = token
        updated["expiresAt"] = Timestamp.string(context.clock.now().addingTimeInterval(expiresIn))
        if let newRefresh = answer.refreshToken, !newRefresh.isEmpty { updated["refreshToken"] = newRefresh }
        // A cache that cannot be written still leaves a usable token for this process.
        if let data = try? JSONSerialization.data(withJSONObject: updated, options: [.sortedKeys]) {
            let temporary = path + ".sandbox-\(UUID().uuidString)"
            if FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) {
                if rename(temporary, path) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
            }
        }
        return token
    }

    /// The access token from the cache file's bytes (nil: no file), if present and unexpired; `refreshFailure` says
    /// why refreshing it did not work.
    func loadToken(_ data: Data?, refreshFailure: String? = nil) throws -> String {
        let path = tokenCachePath
        guard let data else {
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
            let refresh = refreshFailure.map { " and could not be refreshed (\($0))" } ?? ""
            throw CredentialProviderError("profile \(profile): the SSO login expired at \(Timestamp.string(expiresAt))\(refresh); \(loginHint)")
        }
        return token
    }

    /// A client aimed at the portal of the SSO region, at the address the configuration gives (`AWS_ENDPOINT_URL_SSO`,
    /// `AWS_ENDPOINT_URL`, `[services]`, ... unless configured endpoints are ignored), as for every other service.
    func portalClient(region: Region) throws -> AWSClient {
        try serviceClient(Self.portal, region: region)
    }

    /// An unsigned client for an SSO service in the SSO region, using the environment's endpoint resolution.
    func serviceClient(_ service: ServiceDescriptor, region: Region) throws -> AWSClient {
        let endpoints = context.client.endpoints
        let base = context.client
        return AWSClient(region: region, endpoints: endpoints, credentialProvider: NoCredentialProvider(), transport: base.transport,
                         retryPolicy: base.retryPolicy, clock: base.clock, sleeper: base.sleeper, log: base.log, stats: base.stats)
    }
}
