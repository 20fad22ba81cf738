import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Tests/conformance_proxy.py` in front of a moto server: forwards every request unchanged and checks it against
/// botocore's service models and signer (operation from the wire, parameters, S3 XML and checksums, SigV4).
///
/// Started and stopped by PID like `FaultProxy`; the proxy also exits when this process dies or after `maxSeconds`.
public final class ConformanceProxy: HelperProcess, @unchecked Sendable {
    public struct Report: Sendable {
        public let checked: Int
        /// Requests per operation ("s3 PutObject", "iam CreatePolicy", ...).
        public let operations: [String: Int]
        /// "#N service Operation: member: what is wrong", one per finding.
        public let violations: [String]
        /// Model patterns the checker could not compile (and so did not check).
        public let uncheckablePatterns: [String]

        /// Operations and counts, one per line, most requests first.
        public var table: String {
            operations.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.value)\t\($0.key)" }.joined(separator: "\n")
        }
    }

    public let port: Int
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let started: StartedProcess
    private var control: ControlEndpoint { ControlEndpoint(port: port, name: "the conformance proxy") }

    private init(process: Process, port: Int) {
        self.started = StartedProcess(process)
        self.port = port
    }

    /// Starts a proxy forwarding to `upstream` that verifies signatures made with the test's sentinel credentials.
    public static func start(upstream: URL, maxSeconds: Int = 1800) throws -> ConformanceProxy {
        let script = MotoServer.repoRoot.appendingPathComponent("Tests/conformance_proxy.py").path
        let process = MotoServer.pythonProcess([script, "--upstream", upstream.absoluteString, "--port", "0",
                                                "--parent-pid", "\(ProcessInfo.processInfo.processIdentifier)",
                                                "--max-seconds", "\(maxSeconds)"])
        // In the environment, not argv: `ps` shows arguments.
        process.environment?["CONFORMANCE_CREDENTIALS"] =
            "\(CommandRunner.accessKeyId):\(CommandRunner.secretAccessKey):\(CommandRunner.sessionToken)"
        let port = try HelperProcesses.launchAnnouncingPort(process, name: "conformance_proxy.py", timeout: 30)
        let proxy = ConformanceProxy(process: process, port: port)
        HelperProcesses.shared.track(proxy)
        return proxy
    }

    /// What was checked since start or the last `reset()`.
    public func report() throws -> Report {
        let json = try control.object("GET", "/_conformance/report")
        return Report(checked: json["checked"] as? Int ?? 0, operations: json["operations"] as? [String: Int] ?? [:],
                      violations: json["violations"] as? [String] ?? [],
                      uncheckablePatterns: json["uncheckable_patterns"] as? [String] ?? [])
    }

    public func reset() throws {
        _ = try control.send("POST", "/_conformance/reset")
    }

    /// SIGTERM, then SIGKILL after 3 s. Safe to call repeatedly.
    public func stop() { started.stop() }
}
