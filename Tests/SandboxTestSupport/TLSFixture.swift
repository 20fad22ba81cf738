import Foundation

/// A throwaway CA with a server certificate, a TLS terminator in front of a loopback endpoint, and an HTTP proxy
/// (`Tests/tls_fixture.py`): for the transport's trust, proxy and certificate-error tests.
public final class TLSFixture: @unchecked Sendable {
    /// The CA's PEM, the server certificate (SANs: the given names and 127.0.0.1) and its key.
    public let directory: URL
    public var caPath: String { directory.appendingPathComponent("ca.pem").path }
    public var certificatePath: String { directory.appendingPathComponent("server.pem").path }
    public var keyPath: String { directory.appendingPathComponent("server.key").path }

    public init(directory: URL, names: [String] = ["localhost"]) throws {
        self.directory = directory
        let process = MotoServer.pythonProcess([Self.script, "ca", directory.path] + names)
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw MotoServerError("tls_fixture.py ca failed: \(String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        }
    }

    static var script: String { MotoServer.repoRoot.appendingPathComponent("Tests/tls_fixture.py").path }

    /// A server started by `tls_fixture.py` (terminator or proxy), stopped by its PID; its log has one line per event.
    public final class Server: HelperProcess, @unchecked Sendable {
        public let port: Int
        public let logPath: String
        private let started: StartedProcess

        init(arguments: [String], logPath: String) throws {
            FileManager.default.createFile(atPath: logPath, contents: nil)
            let process = MotoServer.pythonProcess([TLSFixture.script] + arguments + ["--log", logPath, "--parent-pid", "\(ProcessInfo.processInfo.processIdentifier)"])
            self.started = StartedProcess(process)
            self.logPath = logPath
            self.port = try HelperProcesses.launchAnnouncingPort(process, name: "tls_fixture.py \(arguments.first ?? "")", timeout: 20)
            HelperProcesses.shared.track(self)
        }

        /// The lines logged so far.
        public var log: [String] {
            ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        public func stop() { started.stop() }
    }

    /// TLS on a free loopback port, forwarding the decrypted bytes to `upstream` (host:port) unchanged.
    public func terminator(upstream: URL) throws -> Server {
        try Server(arguments: ["terminate", "--cert", certificatePath, "--key", keyPath,
                               "--upstream", "\(upstream.host ?? "127.0.0.1"):\(upstream.port ?? 80)"],
                   logPath: directory.appendingPathComponent("terminator-\(UUID().uuidString).log").path)
    }

    /// An HTTP proxy (CONNECT and absolute-form requests) on a free loopback port.
    public func proxy() throws -> Server {
        try Server(arguments: ["proxy"], logPath: directory.appendingPathComponent("proxy-\(UUID().uuidString).log").path)
    }
}
