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
            let (data, response) = try await Self.perform(urlRequest, on: session)
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

    /// `URLSession.data(for:)` on Linux can deadlock when its Swift task is cancelled as the answer arrives: its
    /// cancellation handler runs `URLSessionTask.cancel()`, a `sync` onto the session's queue, while holding the task's
    /// status lock, and the session's queue, delivering the answer, waits for that lock to resume the continuation.
    /// An `async let` cancelled by a sibling's error did exactly that and hung `sandbox check` for good. Here the
    /// URLSession task is cancelled from another queue, never synchronously under that lock.
    static func perform(_ request: URLRequest, on session: URLSession) async throws -> (Data, URLResponse) {
        let handle = CancellableTask()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let response {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else {
                        continuation.resume(throwing: URLError(.badServerResponse))
                    }
                }
                handle.set(task)
                task.resume()
            }
        } onCancel: {
            handle.cancel()
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

/// The URLSession task behind one request, cancelled asynchronously (see `URLSessionTransport.perform`).
private final class CancellableTask: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionTask?
    private var cancelled = false

    func set(_ task: URLSessionTask) {
        let cancelNow = lock.withLock {
            self.task = task
            return cancelled
        }
        if cancelNow { Self.cancel(task) }
    }

    func cancel() {
        let task: URLSessionTask? = lock.withLock {
            cancelled = true
            return self.task
        }
        if let task { Self.cancel(task) }
    }

    private static func cancel(_ task: URLSessionTask) {
        DispatchQueue.global().async { task.cancel() }
    }
}
