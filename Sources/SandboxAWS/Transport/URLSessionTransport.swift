import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SandboxCore

/// The default transport: URLSession (libcurl on Linux). Builds fast and the endpoint, not the client, is our bottleneck.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession

    /// - Parameter timeout: seconds before a request with no answer fails.
    public init(timeout: TimeInterval = 60, maxConnectionsPerHost: Int = 16) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 2
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        if !request.body.isEmpty || ["PUT", "POST"].contains(request.method) {
            urlRequest.httpBody = request.body
        }
        let endpoint = "\(request.url.scheme ?? "http")://\(request.url.host ?? "?")\(request.url.port.map { ":\($0)" } ?? "")"
        do {
            // An unstructured task shields the exchange from cancellation: cancelling URLSession's async data(for:)
            // while its response is being delivered deadlocks swift-corelibs-foundation (seen in `sandbox check`).
            // A cancelled caller still gets its answer or the request timeout.
            let session = self.session
            let request = urlRequest
            let (data, response) = try await Task { try await session.data(for: request) }.value
            guard let http = response as? HTTPURLResponse else {
                throw TransportError(kind: .other, endpoint: endpoint, detail: "response is not HTTP")
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: data)
        } catch let error as URLError {
            throw TransportError(kind: Self.kind(of: error), endpoint: endpoint, detail: error.localizedDescription)
        } catch let error as TransportError {
            throw error
        } catch {
            throw TransportError(kind: .other, endpoint: endpoint, detail: String(describing: error))
        }
    }

    static func kind(of error: URLError) -> TransportError.Kind {
        switch error.code {
        case .cannotConnectToHost: return .connectionRefused
        case .timedOut: return .timedOut
        case .cannotFindHost, .dnsLookupFailed: return .hostNotFound
        case .networkConnectionLost, .notConnectedToInternet: return .connectionLost
        default: return .other
        }
    }
}
