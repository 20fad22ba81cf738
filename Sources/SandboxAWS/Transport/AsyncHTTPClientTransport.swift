import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL
import SandboxCore
import Synchronization

/// The default transport: AsyncHTTPClient on SwiftNIO. It waits for answers in epoll, so an idle wait costs no CPU
/// (URLSession on libcurl polled the socket: 1.5 CPU-seconds for one answer that took 2 s), and it keeps a pool of
/// connections per host for reuse. Retries belong to `AWSClient`, so the pool never retries a failed connect itself.
public final class AsyncHTTPClientTransport: HTTPTransport, Sendable {
    public let configuration: TransportConfiguration
    /// One client per proxy in use (direct, the http proxy, the https proxy), made on first use.
    private let clients = Mutex<[ProxySettings.Server?: HTTPClient]>([:])

    public init(configuration: TransportConfiguration = TransportConfiguration()) {
        self.configuration = configuration
    }

    /// The former `URLSessionTransport(timeout:)` shape, for tests and tools that only set the timeout.
    public convenience init(timeout: TimeInterval) {
        self.init(configuration: TransportConfiguration(timeout: timeout))
    }

    deinit {
        // A client shutting down keeps itself alive until it is done; the event loops are NIO's shared ones.
        for client in clients.withLock({ Array($0.values) }) { client.shutdown().whenComplete { _ in } }
    }

    /// Closes every pooled connection; requests after this fail.
    public func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let endpoint = Self.endpointName(request.url)
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers where name.lowercased() != "host" { outgoing.headers.add(name: name, value: value) }
        if !outgoing.headers.contains(name: "user-agent") { outgoing.headers.add(name: "User-Agent", value: configuration.userAgent) }
        if !request.body.isEmpty || ["PUT", "POST"].contains(request.method) {
            // Copied into a ByteBuffer only while it is written, not for the whole request (a DeleteObjects body is ~70 KB).
            outgoing.body = .bytes(request.body)
        }
        do {
            let client = try client(for: configuration.proxy.server(for: request.url))
            // The pool and read timeouts bound each stall; the deadline bounds a trickling answer, as before.
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(configuration.timeout * 2000)))
            // Sized from Content-Length when given; handed to `Data` without a copy (a list page is about 250 KB, and
            // cleanup has several listings in flight).
            let body = try await response.body.collect(upTo: Int.max)
            var headers: [String: String] = [:]
            for (name, value) in response.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { "\($0), \(value)" } ?? value
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(buffer: body, byteTransferStrategy: .noCopy))
        } catch let error as CancellationError {
            throw error
        } catch let error as TransportError {
            throw error
        } catch {
            throw Self.classify(error, endpoint: endpoint, trust: configuration.trust)
        }
    }

    private func client(for proxy: ProxySettings.Server?) throws -> HTTPClient {
        try clients.withLock { clients in
            if let existing = clients[proxy] { return existing }
            let created = HTTPClient(eventLoopGroupProvider: .singleton, configuration: try Self.clientConfiguration(configuration, proxy: proxy))
            clients[proxy] = created
            return created
        }
    }

    static func clientConfiguration(_ settings: TransportConfiguration, proxy: ProxySettings.Server?) throws -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = settings.trust.trustRoots
        let stall = TimeAmount.milliseconds(Int64(settings.timeout * 1000))
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                     timeout: .init(connect: stall, read: stall, write: stall))
        // AWS's endpoints for these services speak HTTP/1.1; one protocol keeps proxies and tests predictable.
        configuration.httpVersion = .http1Only
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maxConnectionsPerHost)
        configuration.connectionPool.retryConnectionEstablishment = false
        if let proxy {
            let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        return configuration
    }

    static func endpointName(_ url: URL) -> String {
        "\(url.scheme ?? "http")://\(url.host ?? "?")\(url.port.map { ":\($0)" } ?? "")"
    }

    /// BoringSSL's codes in words; everything else as NIO says it.
    static func describe(_ error: Error) -> String {
        let raw = String(describing: error)
        if raw.contains("CERTIFICATE_VERIFY_FAILED") { return "the server's certificate does not chain to a trusted CA" }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return "the server's certificate does not name this host" }
        if raw.contains("WRONG_VERSION_NUMBER") { return "the server does not speak TLS on this port" }
        return raw
    }

    /// Maps what NIO and AsyncHTTPClient throw to the kinds the retry policy and the messages know.
    static func classify(_ error: Error, endpoint: String, trust: TrustStore) -> TransportError {
        let detail = Self.describe(error)
        func make(_ kind: TransportError.Kind) -> TransportError {
            TransportError(kind: kind, endpoint: endpoint, detail: detail, trust: kind == .tls ? trust.description : nil)
        }
        switch error {
        case let ssl as NIOSSLError:
            switch ssl {
            case .uncleanShutdown: return make(.connectionLost)
            default: return make(.tls)
            }
        case is NIOSSLExtraError, is BoringSSLError:
            return make(.tls)
        case let client as HTTPClientError:
            switch client {
            case .connectTimeout, .readTimeout, .writeTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
                 .httpProxyHandshakeTimeout, .getConnectionFromPoolTimeout:
                return make(.timedOut)
            case .remoteConnectionClosed, .bodyLengthMismatch:
                return make(.connectionLost)
            default:
                return make(.other)
            }
        case let connection as NIOConnectionError:
            if let first = connection.connectionErrors.first { return classify(first.error, endpoint: endpoint, trust: trust) }
            return make(.hostNotFound)
        case let io as IOError:
            switch io.errnoCode {
            case ECONNREFUSED: return make(.connectionRefused)
            case ETIMEDOUT: return make(.timedOut)
            case ECONNRESET, EPIPE, ECONNABORTED: return make(.connectionLost)
            case EHOSTUNREACH, ENETUNREACH: return make(.connectionRefused)
            default: return make(.other)
            }
        case let channel as ChannelError:
            switch channel {
            case .connectTimeout: return make(.timedOut)
            case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed: return make(.connectionLost)
            default: return make(.other)
            }
        case is SocketAddressError:
            return make(.hostNotFound)
        default:
            return make(.other)
        }
    }
}
