import Foundation
import SandboxCore

/// The command-line flags that shape how sandbox reaches AWS; nil means the flag was not given.
public struct AWSOptions: Sendable, Equatable {
    /// `--profile`: outranks `AWS_PROFILE` and, as in the AWS CLI, keys exported in the environment.
    public var profile: String?
    /// `--region`: outranks `AWS_REGION`, `AWS_DEFAULT_REGION` and the profile.
    public var region: String?
    /// `--endpoint-url`: one endpoint for every service (moto, LocalStack).
    public var endpointURL: String?
    /// `--max-attempts`: outranks `AWS_MAX_ATTEMPTS` and the profile's `max_attempts`.
    public var maxAttempts: Int?

    /// Options as parsed from the command line.
    public init(profile: String? = nil, region: String? = nil, endpointURL: String? = nil, maxAttempts: Int? = nil) {
        self.profile = profile
        self.region = region
        self.endpointURL = endpointURL
        self.maxAttempts = maxAttempts
    }
}

/// Everything needed to talk to AWS, resolved from flags, environment variables and the `~/.aws` files.
///
/// Building it reads the files and checks region, endpoints and retry settings, so usage errors surface at once;
/// credentials are only resolved on the first signed request, as the SDKs do.
public struct AWSEnvironment: Sendable {
    /// Both `~/.aws` files as read.
    public let config: SharedConfig
    /// Which profile was chosen, and by what.
    public let profileSelection: ProfileSelection
    /// The chosen profile (empty when an implicit `default` is not defined).
    public let profile: ConfigProfile
    /// The region and where it came from.
    public let region: RegionResolution
    /// Endpoint overrides from the flag, the environment and the profile.
    public let endpoints: EndpointResolver
    /// The retry policy with the resolved maximum number of attempts.
    public let retryPolicy: RetryPolicy
    /// The credential chain the client signs with; resolved lazily on the first signed request.
    public let credentials: CredentialChain
    /// The client every service call goes through.
    public let client: AWSClient

    /// Resolves everything from `options` and `environment`; nothing is read from the process itself.
    /// - Parameters:
    ///   - transport: defaults to a new `AsyncHTTPClientTransport` with the CA bundle, proxies and timeout resolved here.
    ///   - clientVersion: the version the `User-Agent` names.
    ///   - redactor: when given, every secret found in the environment, the files or a credential answer is registered.
    public init(options: AWSOptions, environment: [String: String], transport: HTTPTransport? = nil,
                clock: WallClock = SystemClock(), sleeper: Sleeper = TaskSleeper(), log: Log = .silent,
                redactor: Redactor? = nil, stats: RequestStats = RequestStats(), processTimeout: TimeInterval = 60,
                clientVersion: String = "unknown") throws {
        let config = try SharedConfig.load(environment: environment)
        let selection = ProfileSelection.choose(flag: options.profile, environment: environment)
        let profile = try config.profile(for: selection)
        if let redactor { Self.registerKnownSecrets(environment: environment, config: config, in: redactor) }

        guard let region = try RegionResolution.resolve(flag: options.region, environment: environment,
                                                        profileRegion: profile.region, profileName: profile.name) else {
            throw SimpleError(.usage, "no AWS region configured: set --region or AWS_REGION, or add region to profile '\(profile.name)' in \(config.configPath)")
        }
        let endpoints = try EndpointResolver.resolve(environment: environment, profile: profile, services: config.services, flag: options.endpointURL)
        let attempts = try Self.maxAttempts(flag: options.maxAttempts, environment: environment, profile: profile)
        let retryPolicy = RetryPolicy(maxAttempts: attempts)

        let transportConfiguration = TransportConfiguration(
            timeout: try Self.httpTimeout(environment), trust: try CABundleSetting.resolve(environment: environment, profile: profile),
            proxy: try ProxySettings.fromEnvironment(environment), userAgent: UserAgent(version: clientVersion).header)
        let base = AWSClient(region: region.region, endpoints: endpoints, credentialProvider: NoCredentialProvider(),
                             transport: transport ?? AsyncHTTPClientTransport(configuration: transportConfiguration), retryPolicy: retryPolicy, clock: clock,
                             sleeper: sleeper, log: log, stats: stats)
        let context = CredentialContext(environment: environment, client: base, redactor: redactor, processTimeout: processTimeout)
        let chain = Self.defaultChain(selection: selection, config: config, context: context)

        self.config = config
        self.profileSelection = selection
        self.profile = profile
        self.region = region
        self.endpoints = endpoints
        self.retryPolicy = retryPolicy
        self.credentials = chain
        self.client = base.with(credentialProvider: chain)
        log.debug("AWS: profile \(profile.name) (from \(selection.origin.rawValue)), region \(region.region) (from \(region.source)), credentials from \(chain.tried.joined(separator: " > "))")
    }

    /// Builds from this process's environment variables.
    public static func current(options: AWSOptions, log: Log = .silent, redactor: Redactor? = nil, clientVersion: String = "unknown") throws -> AWSEnvironment {
        try AWSEnvironment(options: options, environment: ProcessInfo.processInfo.environment, log: log, redactor: redactor, clientVersion: clientVersion)
    }

    /// botocore's order: environment keys (skipped when `--profile` names the profile), then what the profile
    /// describes (see `ProfileCredentialProvider`). Instance and container metadata are never queried: a test tool
    /// must not silently pick up a machine's role.
    public static func defaultChain(selection: ProfileSelection, config: SharedConfig, context: CredentialContext) -> CredentialChain {
        var links: [CredentialChain.Link] = []
        // As in the AWS CLI, an explicit --profile outranks keys exported in the environment.
        if selection.origin != .flag {
            links.append(.init("environment (AWS_ACCESS_KEY_ID)", EnvironmentCredentialProvider(environment: context.environment)))
        }
        let webIdentity = selection.origin != .flag ? "web identity (AWS_WEB_IDENTITY_TOKEN_FILE or the profile), " : ""
        links.append(.init("profile \(selection.name): role, \(webIdentity)SSO, keys, credential_process (\(config.credentialsPath), \(config.configPath))",
                           ProfileCredentialProvider(profile: selection.name, config: config, context: context,
                                                     environmentWebIdentity: selection.origin != .flag)))
        return CredentialChain(links, redactor: context.redactor)
    }

    /// Seconds an HTTP exchange may stall before it fails and is retried: `SANDBOX_HTTP_TIMEOUT`, default 60.
    static func httpTimeout(_ environment: [String: String]) throws -> TimeInterval {
        guard let raw = nonEmpty(environment["SANDBOX_HTTP_TIMEOUT"]) else { return 60 }
        guard let value = Double(raw), value > 0, value <= 3600 else {
            throw SimpleError(.usage, "SANDBOX_HTTP_TIMEOUT must be a number of seconds between 0 and 3600, got '\(raw)'")
        }
        return value
    }

    /// `--max-attempts` > `AWS_MAX_ATTEMPTS` > the profile's `max_attempts` > 3.
    static func maxAttempts(flag: Int?, environment: [String: String], profile: ConfigProfile) throws -> Int {
        if flag != nil || nonEmpty(environment["AWS_MAX_ATTEMPTS"]) != nil {
            return try RetryPolicy.attempts(flag: flag, environment: environment)
        }
        guard let raw = profile.value("max_attempts") else { return 3 }
        guard let value = Int(raw), (1...20).contains(value) else {
            throw SimpleError(.usage, "\(profile.location(of: "max_attempts")): max_attempts must be an integer between 1 and 20, got '\(raw)'")
        }
        return value
    }

    /// Registers secrets that are known before any request, so even early error text cannot leak them.
    static func registerKnownSecrets(environment: [String: String], config: SharedConfig, in redactor: Redactor) {
        redactor.register(environment["AWS_SECRET_ACCESS_KEY"])
        redactor.register(environment["AWS_SESSION_TOKEN"])
        redactor.register(environment["AWS_SECURITY_TOKEN"])
        for profile in Array(config.profiles.values) + Array(config.configFileProfiles.values) {
            redactor.register(profile.value("aws_secret_access_key"))
            redactor.register(profile.value("aws_session_token"))
            redactor.register(profile.value("aws_security_token"))
        }
    }
}
