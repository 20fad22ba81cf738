import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Tests/fault_proxy.py` in front of a moto server: forwards every request, and injects seeded faults
/// (500, 503 SlowDown, throttling, connection resets, answers past the client timeout, truncated bodies)
/// or holds the N-th request so a test can kill the client at a known point.
///
/// Started and stopped by PID like `MotoServer`; the proxy also exits when this process dies or after
/// `maxSeconds`. Only ever listens on and forwards to 127.0.0.1.
public final class FaultProxy: HelperProcess, @unchecked Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case internalError = "500", slowDown = "503", throttle, reset, timeout, truncate
        /// Malformed 200 answers, only through rules: invalid XML/JSON, an HTML page, every field missing, 24 MiB,
        /// a binary content type.
        case garbage, html, empty, huge, wrongType = "wrongtype"

        /// The kinds a seeded rate draws from.
        public static let transient: [Kind] = [.internalError, .slowDown, .throttle, .reset, .timeout, .truncate]
    }

    /// A targeted fault: after `skip` matching requests, the next `times` requests whose "METHOD service operation"
    /// contains `match` (or matches it as a regular expression) get `kind`.
    public struct Rule: Sendable {
        public let match: String
        public let kind: Kind
        public let afterForwarding: Bool
        public let times: Int
        public let skip: Int
        public let regex: Bool
        public init(_ match: String, _ kind: Kind, afterForwarding: Bool = true, times: Int = 1, skip: Int = 0, regex: Bool = false) {
            self.match = match
            self.kind = kind
            self.afterForwarding = afterForwarding
            self.times = times
            self.skip = skip
            self.regex = regex
        }
    }

    public struct Stats: Sendable {
        public let requests: Int
        public let faults: [String: Int]
        public let held: Bool
        public let log: [String]
        public var totalFaults: Int { faults.values.reduce(0, +) }
    }

    public let port: Int
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let started: StartedProcess
    private var control: ControlEndpoint { ControlEndpoint(port: port, name: "the fault proxy") }

    private init(process: Process, port: Int) {
        self.started = StartedProcess(process)
        self.port = port
    }

    /// Starts a proxy forwarding to `upstream` (a loopback URL), with no faults until `configure`.
    public static func start(upstream: URL, maxSeconds: Int = 1800) throws -> FaultProxy {
        let script = MotoServer.repoRoot.appendingPathComponent("Tests/fault_proxy.py").path
        let process = MotoServer.pythonProcess([script, "--upstream", upstream.absoluteString, "--port", "0",
                                                "--parent-pid", "\(ProcessInfo.processInfo.processIdentifier)",
                                                "--max-seconds", "\(maxSeconds)"])
        let port = try HelperProcesses.launchAnnouncingPort(process, name: "fault_proxy.py", timeout: 20)
        let proxy = FaultProxy(process: process, port: port)
        HelperProcesses.shared.track(proxy)
        return proxy
    }

    /// New fault settings; resets the request counter (so `holdAt` counts from here) and drops any held request.
    /// - Parameters:
    ///   - rate: the share of requests that get a fault, 0...1.
    ///   - delay: how long a `timeout` fault holds its answer (make it longer than `SANDBOX_HTTP_TIMEOUT`).
    ///   - holdAt: hold the N-th request (1-based) until `release()`; 0 = never.
    ///   - holdAfterForwarding: forward the held request first (applied but never answered) or not at all.
    ///   - rules: targeted faults tried before the random ones.
    public func configure(seed: Int = 0, rate: Double = 0, kinds: [Kind] = Kind.transient, delay: Double = 3,
                          holdAt: Int = 0, holdAfterForwarding: Bool = true, rules: [Rule] = []) throws {
        let body: [String: Any] = ["seed": seed, "rate": rate, "kinds": kinds.map(\.rawValue), "delay": delay,
                                   "hold_at": holdAt, "hold_phase": holdAfterForwarding ? "after" : "before",
                                   "rules": rules.map { ["match": $0.match, "kind": $0.kind.rawValue, "phase": $0.afterForwarding ? "after" : "before",
                                                         "times": $0.times, "skip": $0.skip, "regex": $0.regex] as [String: Any] }]
        _ = try control.send("POST", "/_fault/config", body: try JSONSerialization.data(withJSONObject: body))
    }

    /// Lets a held request go (its connection is closed without an answer).
    public func release() throws {
        _ = try control.send("POST", "/_fault/release")
    }

    public func stats() throws -> Stats {
        let json = try control.object("GET", "/_fault/stats")
        return Stats(requests: json["requests"] as? Int ?? 0, faults: json["faults"] as? [String: Int] ?? [:],
                     held: json["held"] as? Bool ?? false, log: json["log"] as? [String] ?? [])
    }

    /// Waits until the proxy holds a request (true) or `timeout` passes, or `stillRunning` says the client is gone (false).
    public func waitUntilHeld(timeout: TimeInterval, stillRunning: () -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try stats().held { return true }
            if !stillRunning() { return try stats().held }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// SIGTERM, then SIGKILL after 3 s. Safe to call repeatedly.
    public func stop() { started.stop() }
}
