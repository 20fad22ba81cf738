import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The control paths a helper process serves on its own port next to the traffic it handles (`/moto-api/reset`,
/// `/_fault/config`, `/_conformance/report`, ...): one synchronous call each, with the helper named in every error.
struct ControlEndpoint: Sendable {
    let port: Int
    /// "moto", "the fault proxy": how errors name the helper.
    let name: String

    private static let session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.connectionProxyDictionary = [:]  // never route 127.0.0.1 through an http_proxy
        config.timeoutIntervalForRequest = 30
        return URLSession(configuration: config)
    }()

    func send(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw MotoServerError("bad control path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Self.session.dataTask(with: request) { data, response, error in
            box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 35) == .success else { throw MotoServerError("\(method) \(path) to \(name) timed out") }
        let (data, status, error) = box.get()
        if let error { throw MotoServerError("\(method) \(path) to \(name) failed: \(error)") }
        guard status == 200 else {
            throw MotoServerError("\(method) \(path) to \(name) returned \(status ?? -1): \(String(decoding: data ?? Data(), as: UTF8.self))")
        }
        return data ?? Data()
    }

    /// `send` whose answer must be a JSON object.
    func object(_ method: String, _ path: String, body: Data? = nil) throws -> [String: Any] {
        let data = try send(method, path, body: body)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MotoServerError("unexpected \(path) body from \(name): \(String(decoding: data, as: UTF8.self))")
        }
        return json
    }
}

/// A process this test started, stopped once by its PID however many callers (tests, atexit) ask.
final class StartedProcess: @unchecked Sendable {
    let process: Process
    private let lock = NSLock()
    private var stopped = false

    init(_ process: Process) { self.process = process }

    /// SIGTERM, up to 3 s to exit, then SIGKILL. Safe to call repeatedly and from any thread.
    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            HelperProcesses.terminate(process)
        }
    }
}
