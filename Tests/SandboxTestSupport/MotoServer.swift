import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public struct MotoServerError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A `moto_server` child process (via Tests/moto_launcher.py) for integration tests.
///
/// `shared()` gives one server per test process; `start()` gives a private one (e.g. for request
/// counting). Every server is stopped at process exit, and the launcher's `--parent-pid` watchdog
/// stops it even if this process crashes or is SIGKILLed.
public final class MotoServer: HelperProcess, @unchecked Sendable {
    public let port: Int
    public var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let started: StartedProcess
    private let countsRequests: Bool
    private var control: ControlEndpoint { ControlEndpoint(port: port, name: "moto") }

    private init(process: Process, port: Int, countsRequests: Bool) {
        self.started = StartedProcess(process)
        self.port = port
        self.countsRequests = countsRequests
    }

    // MARK: - Lifecycle

    public static func shared() throws -> MotoServer {
        try registry.shared { try start() }
    }

    /// - Parameter enforceIAM: an administrator's key id and secret: the server then authorizes every request
    ///   against the caller's IAM policies as AWS does and logs each decision (`iamCalls()`).
    public static func start(countRequests: Bool = false, enforceIAM: (keyId: String, secret: String)? = nil) throws -> MotoServer {
        let launcher = repoRoot.appendingPathComponent("Tests/moto_launcher.py").path
        var args = [launcher, "--port", "0", "--parent-pid", "\(ProcessInfo.processInfo.processIdentifier)"]
        if countRequests { args.append("--count-requests") }
        if let enforceIAM { args += ["--enforce-iam", enforceIAM.keyId] }

        let process = pythonProcess(args)
        if let enforceIAM { process.environment?["SANDBOX_ENFORCE_ADMIN_SECRET"] = enforceIAM.secret }
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let out = OutputReader(stdout.fileHandleForReading, lookForReady: true)
        let err = OutputReader(stderr.fileHandleForReading, lookForReady: false)
        do {
            try process.run()
        } catch {
            throw MotoServerError("could not run \(pythonExecutable): \(error)")
        }
        // Drain both pipes for the server's whole life: a full pipe would block moto mid-request.
        out.startDraining()
        err.startDraining()

        guard let port = out.waitForReady(timeout: 30) else {
            let server = MotoServer(process: process, port: 0, countsRequests: false)
            let exitedEarly = HelperProcesses.waitForExit(process, seconds: 1)  // stdout closed: let Foundation reap it
            server.stop()
            _ = err.waitForEOF(timeout: 2)
            throw MotoServerError("""
                moto_launcher.py \(exitedEarly ? "exited (status \(process.terminationStatus))" : "was not READY within 30 s") \
                before serving. Is moto installed? Try: \(pythonExecutable) -m pip install 'moto[server]'
                --- launcher stderr (tail) ---
                \(err.tail())
                """)
        }
        let server = MotoServer(process: process, port: port, countsRequests: countRequests)
        HelperProcesses.shared.track(server)
        return server
    }

    /// SIGTERM, wait up to 3 s, then SIGKILL. Safe to call repeatedly and from any thread.
    public func stop() { started.stop() }

    // MARK: - HTTP helpers

    /// Wipes all moto state (POST /moto-api/reset).
    public func reset() throws {
        _ = try control.send("POST", "/moto-api/reset")
    }

    /// Requests moto has served since start or the last `resetRequestCount()` (needs `countRequests: true`).
    public func requestCount() throws -> Int {
        try requireCounting()
        let body = try control.send("GET", "/_sandbox/requests")
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let total = json["total"] as? Int
        else { throw MotoServerError("unexpected /_sandbox/requests body: \(String(decoding: body, as: UTF8.self))") }
        return total
    }

    /// Every authorization decided since start or `resetIAMCalls()` (servers started with `enforceIAM`).
    public func iamCalls() throws -> [[String: Any]] {
        let body = try control.send("GET", "/_sandbox/iam-calls")
        return (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["calls"] as? [[String: Any]] ?? []
    }

    public func resetIAMCalls() throws {
        _ = try control.send("POST", "/_sandbox/iam-calls/reset")
    }

    public func resetRequestCount() throws {
        try requireCounting()
        _ = try control.send("POST", "/_sandbox/requests/reset")
    }

    private func requireCounting() throws {
        guard countsRequests else { throw MotoServerError("start the server with MotoServer.start(countRequests: true)") }
    }

    // MARK: - Environment

    /// True when `python3` can import moto's server (moto[server] installed); use with XCTSkip.
    public static var isAvailable: Bool { availability }

    private static let availability: Bool = {
        let p = pythonProcess(["-c", "import moto.server"])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// Override with SANDBOX_PYTHON=/path/to/python when python3 on PATH lacks moto.
    static var pythonExecutable: String {
        ProcessInfo.processInfo.environment["SANDBOX_PYTHON"] ?? "python3"
    }

    static func pythonProcess(_ arguments: [String]) -> Process {
        let p = Process()
        // env execs python in place, so processIdentifier is python's own PID.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [pythonExecutable] + arguments
        // Real credentials must never reach the fake server (or anything it might call);
        // no instance-metadata lookups either.
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        env["PYTHONUNBUFFERED"] = "1"
        p.environment = env
        return p
    }

    /// Directory holding Package.swift, found by walking up from this source file.
    static let repoRoot: URL = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("MotoServer: no Package.swift above \(#filePath)")
    }()

    private static let registry = Registry()
}

// MARK: - Process-wide bookkeeping

/// Holds the shared server, started once per test process.
private final class Registry: @unchecked Sendable {
    private let lock = NSLock()
    private var sharedServer: MotoServer?

    func shared(_ make: () throws -> MotoServer) throws -> MotoServer {
        lock.lock()
        defer { lock.unlock() }  // held while starting so concurrent callers share one server
        if let sharedServer { return sharedServer }
        let server = try make()
        sharedServer = server
        return server
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    private var status: Int?
    private var error: Error?

    func set(data: Data?, status: Int?, error: Error?) {
        lock.lock()
        defer { lock.unlock() }
        (self.data, self.status, self.error) = (data, status, error)
    }

    func get() -> (Data?, Int?, Error?) {
        lock.lock()
        defer { lock.unlock() }
        return (data, status, error)
    }
}

/// Reads a pipe on its own thread until EOF: keeps the last 8 KB and spots the "READY <port>" line.
final class OutputReader: @unchecked Sendable {
    private let handle: FileHandle
    private let lookForReady: Bool
    private let lock = NSLock()
    private var buffer = Data()
    private var scanned = Data()  // stdout text not yet split into lines
    private var port: Int?
    private let readyOrEOF = DispatchSemaphore(value: 0)
    private let eof = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle, lookForReady: Bool) {
        self.handle = handle
        self.lookForReady = lookForReady
    }

    func startDraining() {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                append(chunk)
            }
            readyOrEOF.signal()
            eof.signal()
        }
        thread.name = "moto-output"
        thread.start()
    }

    private func append(_ chunk: Data) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(chunk)
        if buffer.count > 8192 { buffer = buffer.suffix(8192) }
        guard lookForReady, port == nil else { return }
        scanned.append(chunk)
        while let newline = scanned.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: scanned[scanned.startIndex..<newline], as: UTF8.self)
            scanned = Data(scanned[scanned.index(after: newline)...])
            if line.hasPrefix("READY "), let p = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) {
                port = p
                readyOrEOF.signal()
                return
            }
        }
    }

    /// The port from "READY <port>", or nil on EOF/timeout.
    func waitForReady(timeout: Double) -> Int? {
        _ = readyOrEOF.wait(timeout: .now() + timeout)
        lock.lock()
        defer { lock.unlock() }
        return port
    }

    func waitForEOF(timeout: Double) -> Bool {
        eof.wait(timeout: .now() + timeout) == .success
    }

    func tail() -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self)
    }
}
