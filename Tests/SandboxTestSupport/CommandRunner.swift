import Foundation
import XCTest

/// Runs the built `sandbox` binary the way a user would, against a moto endpoint, and captures its output.
public struct CommandRunner: Sendable {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        public var output: String { stdout + stderr }
    }

    /// Sentinel credentials: tests assert these never appear in any output, state, plan or report.
    public static let accessKeyId = "AKIAIOSFODNN7EXAMPLE"
    public static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSENTINELKEY"
    public static let sessionToken = "FwoGZXIvYXdzEXAMPLESENTINELSESSIONTOKENvalue0123456789abcdefghijklmnopqrstuvwxyzSENTINEL"

    public let endpoint: URL
    public let directory: URL
    public var extraEnvironment: [String: String]

    /// - Parameter directory: the working directory (a fresh temp dir per test keeps State/ separate).
    public init(endpoint: URL, directory: URL, extraEnvironment: [String: String] = [:]) {
        self.endpoint = endpoint
        self.directory = directory
        self.extraEnvironment = extraEnvironment
    }

    /// The repository root, found from this file's location.
    public static var repositoryRoot: URL {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The debug binary `swift build` produced next to the test bundle.
    public static var binary: URL {
        let bundleDir = Bundle.main.bundleURL.deletingLastPathComponent()
        for candidate in [bundleDir.appendingPathComponent("sandbox"), repositoryRoot.appendingPathComponent(".build/debug/sandbox")] {
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/sandbox")
    }

    /// The environment a test run sees: sentinel credentials, the endpoint, no real AWS config, no metadata.
    public var environment: [String: String] {
        var env: [String: String] = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "AWS_ACCESS_KEY_ID": Self.accessKeyId,
            "AWS_SECRET_ACCESS_KEY": Self.secretAccessKey,
            "AWS_SESSION_TOKEN": Self.sessionToken,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint.absoluteString,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": directory.appendingPathComponent("aws-config").path,
            "AWS_SHARED_CREDENTIALS_FILE": directory.appendingPathComponent("aws-credentials").path,
            "SANDBOX_LOG": "warn",
            // A stalled exchange with the local endpoint fails fast and is retried instead of eating the test's time.
            "SANDBOX_HTTP_TIMEOUT": "20",
        ]
        if let profile = Self.childProfileFile { env["LLVM_PROFILE_FILE"] = profile }
        for (key, value) in extraEnvironment { env[key] = value }
        return env
    }

    /// Under `swift test --enable-code-coverage`, the binary's own profiles go next to the test bundle's, one file per
    /// process, so `make coverage` counts what the integration tests ran in the `sandbox` process. Not an online-merged
    /// pool (%4m): with the NIO transport, concurrent sandbox processes left pool files unreadable.
    static let childProfileFile: String? = {
        guard let parent = ProcessInfo.processInfo.environment["LLVM_PROFILE_FILE"], !parent.isEmpty else { return nil }
        return URL(fileURLWithPath: parent).deletingLastPathComponent().appendingPathComponent("sandbox-%p.profraw").path
    }()

    /// Runs `sandbox ARGS` to completion (bounded by `timeout` seconds).
    @discardableResult
    public func run(_ arguments: [String], environment overrides: [String: String?] = [:], stdin: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        var env = environment
        for (key, value) in overrides { env[key] = value }
        return try Self.runProcess(Self.binary, arguments, environment: env, directory: directory, stdin: stdin, timeout: timeout)
    }

    /// Runs any program to completion, both pipes drained concurrently so a chatty process never blocks on a full
    /// pipe; after `timeout` seconds it gets SIGTERM (its helpers watch its PID and exit with it).
    public static func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String], directory: URL? = nil,
                                  stdin: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            group.wait()
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `sandbox ARGS` without waiting (for lock contention and crash tests).
    public func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Copies the reference stack into the working directory's Stacks/.
    public func installReferenceStack() throws {
        let stacks = directory.appendingPathComponent("Stacks")
        try FileManager.default.createDirectory(at: stacks, withIntermediateDirectories: true)
        let target = stacks.appendingPathComponent("aws-provider-tests.yaml")
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("Stacks/aws-provider-tests.yaml"), to: target)
    }

    /// The usual start of an end-to-end test: the shared moto server, wiped, and a runner in a fresh temporary
    /// directory holding the reference stack. Skips the test when moto is not installed.
    public static func referenceStackOnSharedMoto() throws -> (moto: MotoServer, runner: CommandRunner) {
        guard MotoServer.isAvailable else { throw XCTSkip("moto[server] is not installed: python3 -m pip install 'moto[server]'") }
        let moto = try MotoServer.shared()
        try moto.reset()
        let runner = CommandRunner(endpoint: moto.endpoint, directory: try temporaryDirectory())
        try runner.installReferenceStack()
        return (moto, runner)
    }

    /// A fresh temporary directory for one test.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Runs Python with boto3 against the endpoint: the independent witness that seeds and verifies AWS state.
public enum Boto {
    @discardableResult
    public static func run(_ script: String, endpoint: URL, arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import boto3, json, sys\n" + script] + arguments
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint.absoluteString, "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BotoError(message: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    public struct BotoError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { "boto3 script failed: \(message)" }
    }
}
