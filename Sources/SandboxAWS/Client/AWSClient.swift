import Foundation
import SandboxCore
import SandboxSigV4

/// Sends AWS requests: resolves the endpoint, signs, sends, maps errors and retries.
/// Each concern is a separate piece (resolver, signer, policy, parser, the service's steps); this type only strings them together.
public final class AWSClient: Sendable {
    public let region: Region
    public let endpoints: EndpointResolver
    public let credentialProvider: CredentialProvider
    public let transport: HTTPTransport
    public let retryPolicy: RetryPolicy
    public let clock: WallClock
    public let sleeper: Sleeper
    public let log: Log
    public let stats: RequestStats
    /// Told about every mutating call (the engine journals them in state); nil for read-only commands.
    public let observer: AWSCallObserver?
    private let skew = ClockSkew()

    public init(region: Region, endpoints: EndpointResolver = EndpointResolver(), credentialProvider: CredentialProvider,
                transport: HTTPTransport, retryPolicy: RetryPolicy = RetryPolicy(), clock: WallClock = SystemClock(),
                sleeper: Sleeper = TaskSleeper(), log: Log = .silent, stats: RequestStats = RequestStats(), observer: AWSCallObserver? = nil) {
        self.region = region
        self.endpoints = endpoints
        self.credentialProvider = credentialProvider
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.sleeper = sleeper
        self.log = log
        self.stats = stats
        self.observer = observer
    }

    /// The same client aimed at another region (S3 buckets that live elsewhere, STS regional calls).
    public func with(region: Region) -> AWSClient {
        AWSClient(region: region, endpoints: endpoints, credentialProvider: credentialProvider, transport: transport,
                  retryPolicy: retryPolicy, clock: clock, sleeper: sleeper, log: log, stats: stats, observer: observer)
    }

    /// The same client reporting mutating calls to `observer`.
    public func with(observer: AWSCallObserver?) -> AWSClient {
        AWSClient(region: region, endpoints: endpoints, credentialProvider: credentialProvider, transport: transport,
                  retryPolicy: retryPolicy, clock: clock, sleeper: sleeper, log: log, stats: stats, observer: observer)
    }

    public func endpoint(for service: ServiceDescriptor) -> ResolvedEndpoint {
        endpoints.resolve(service, region: region)
    }

    /// Sends the request and returns a 2xx response, or throws a typed error after the retry policy gives up.
    public func send(_ request: AWSRequest, to service: ServiceDescriptor) async throws -> HTTPResponse {
        guard let observer, case .mutating(let target) = request.journal else {
            return try await sendWithRetries(request, to: service)
        }
        let token = observer.willSend(service: service.displayName, operation: request.operation, target: target)
        do {
            let response = try await sendWithRetries(request, to: service)
            observer.didFinish(token: token, succeeded: true, requestId: response.header("x-amz-request-id") ?? response.header("x-amzn-requestid"), detail: nil)
            return response
        } catch {
            observer.didFinish(token: token, succeeded: false, requestId: (error as? AWSError)?.requestId, detail: error.oneLine)
            throw error
        }
    }

    private func sendWithRetries(_ request: AWSRequest, to service: ServiceDescriptor) async throws -> HTTPResponse {
        var attempt = 0
        var state = AttemptState(clientRegion: region)
        var refreshedCredentials = false
        while true {
            attempt += 1
            let endpoint = endpoints.resolve(service, region: state.region)
            let started = Date()
            do {
                let response = try await sendOnce(request, service: service, endpoint: endpoint)
                log.debug("\(service.displayName) \(request.operation) -> \(response.status) in \(Int(Date().timeIntervalSince(started) * 1000)) ms (attempt \(attempt))")
                return response
            } catch let error as AWSError {
                log.debug("\(service.displayName) \(request.operation) -> \(error.status) \(error.code) (attempt \(attempt))")
                if Self.runSteps(of: service, after: error, request: request, state: &state) == .resend {
                    // A service quirk moved the call (S3: the bucket's region); that is not a retry.
                    attempt -= 1
                    continue
                }
                if error.kind == .clockSkew, let serverDate = error.headers["date"].flatMap({ HTTPDate.parse($0) }) {
                    skew.set(serverDate.timeIntervalSince(clock.now()))
                }
                if ThrottleFeedback.isThrottle(error), let feedback = ThrottleFeedback.current {
                    feedback.onThrottle(error)
                    if feedback.callerRetriesThrottles { throw error }
                }
                if error.kind == .expiredCredentials, !refreshedCredentials {
                    // Temporary credentials may have lapsed between resolve and use: refresh once.
                    refreshedCredentials = true
                    await credentialProvider.invalidate()
                    attempt -= 1
                    continue
                }
                try await backoffOrThrow(error, attempt: attempt)
            } catch {
                log.debug("\(service.displayName) \(request.operation) failed: \(error.oneLine) (attempt \(attempt))")
                try await backoffOrThrow(error, attempt: attempt)
            }
        }
    }

    /// Runs the service's steps in order until one asks for a resend.
    static func runSteps(of service: ServiceDescriptor, after error: AWSError, request: AWSRequest, state: inout AttemptState) -> StepDecision {
        for step in service.steps {
            if step.afterFailure(error, request: request, state: &state) == .resend { return .resend }
        }
        return .proceed
    }

    private func backoffOrThrow(_ error: Error, attempt: Int) async throws {
        switch retryPolicy.decide(after: error, attempt: attempt) {
        case .stop:
            throw error
        case .retry(let delay):
            try await sleeper.sleep(seconds: delay)
        }
    }

    private func sendOnce(_ request: AWSRequest, service: ServiceDescriptor, endpoint: ResolvedEndpoint) async throws -> HTTPResponse {
        let (url, host, signedPath) = try Self.address(request, service: service, endpoint: endpoint)
        var headers = request.headers
        if !request.unsigned {
            guard let resolved = try await credentialProvider.resolve() else {
                throw NoCredentialsError(tried: ["configured provider"])
            }
            let signer = SigV4Signer(service: service.name, region: endpoint.signingRegion)
            let signing = SigningRequest(method: request.method, host: host, path: signedPath, query: request.query, headers: request.headers, body: request.body)
            headers = signer.sign(signing, credentials: resolved.credentials, date: clock.now().addingTimeInterval(skew.offset)).headers
        }
        let http = HTTPRequest(method: request.method, url: url, headers: headers, body: request.body)
        let response: HTTPResponse
        do {
            response = try await transport.send(http)
        } catch {
            stats.record(service: service, operation: request.operation, succeeded: false)
            throw error
        }
        let ok = (200..<300).contains(response.status)
        stats.record(service: service, operation: request.operation, succeeded: ok)
        if ok { return response }
        throw ErrorParser.parse(response, service: service, operation: request.operation, endpoint: endpoint.baseURL.absoluteString)
    }

    /// Builds the wire URL and the host and path to sign; both come from the same encoding so they always agree.
    static func address(_ request: AWSRequest, service: ServiceDescriptor, endpoint: ResolvedEndpoint) throws -> (URL, String, String) {
        var host = endpoint.hostHeader
        let basePath = endpoint.baseURL.path == "/" ? "" : endpoint.baseURL.path
        var path = request.path.isEmpty ? "/" : request.path
        if let bucket = request.bucket {
            // Path style on custom endpoints and for dotted names (TLS wildcard certificates); virtual-hosted on AWS.
            if endpoint.isCustom || bucket.contains(".") {
                path = "/" + bucket + (path == "/" ? "" : path)
            } else {
                host = "\(bucket).\(host)"
            }
        }
        path = basePath + path
        var text = "\(endpoint.baseURL.scheme ?? "https")://\(host)\(URIEncoding.encode(path, keepSlash: true))"
        if !request.query.isEmpty {
            text += "?" + request.query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        }
        guard let url = URL(string: text) else {
            throw SimpleError(.internal, "cannot form a URL for \(service.displayName) \(request.operation)")
        }
        return (url, host, path)
    }
}

/// The offset between our clock and AWS's, learned from RequestTimeTooSkewed answers.
final class ClockSkew: @unchecked Sendable {
    private let lock = NSLock()
    private var value: TimeInterval = 0

    var offset: TimeInterval {
        lock.lock(); defer { lock.unlock() }
        return value
    }

    func set(_ offset: TimeInterval) {
        lock.lock(); defer { lock.unlock() }
        value = offset
    }
}
