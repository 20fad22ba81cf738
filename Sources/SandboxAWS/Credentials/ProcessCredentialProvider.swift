import Foundation
import SandboxCore
import SandboxSigV4

/// Credentials printed as JSON by a profile's `credential_process` command, run with `/bin/sh -c`.
/// Wrap it in `CachingCredentialProvider` so the command runs again only when its credentials near expiry.
public struct ProcessCredentialProvider: CredentialProvider {
    /// The command line, as written in the profile.
    public let command: String
    /// The profile the command belongs to, for messages.
    public let profile: String
    /// The environment the command runs with.
    public let environment: [String: String]
    /// Seconds before the command is killed.
    public let timeout: TimeInterval
    /// Printed secrets are registered here, and stderr is redacted with it.
    public let redactor: Redactor?
    /// What an `Expiration` is compared with.
    public let clock: WallClock

    /// A provider running `command` for `profile`.
    public init(command: String, profile: String, environment: [String: String], timeout: TimeInterval = 60, redactor: Redactor? = nil,
                clock: WallClock = SystemClock()) {
        self.clock = clock
        self.command = command
        self.profile = profile
        self.environment = environment
        self.timeout = timeout
        self.redactor = redactor
    }

    /// The JSON the command must print (version 1 of the AWS credential_process format).
    struct Output: Decodable {
        let version: Int
        let accessKeyId: String?
        let secretAccessKey: String?
        let sessionToken: String?
        let expiration: String?

        enum CodingKeys: String, CodingKey {
            case version = "Version", accessKeyId = "AccessKeyId", secretAccessKey = "SecretAccessKey"
            case sessionToken = "SessionToken", expiration = "Expiration"
        }
    }

    public func resolve() async throws -> ResolvedCredentials? {
        let outcome = try await ProcessRunner.run(command: command, environment: environment, timeout: timeout)
        let prefix = "credential_process of profile \(profile)"
        if outcome.timedOut {
            throw CredentialProviderError("\(prefix) did not finish within \(String(format: "%g", timeout)) s and was stopped")
        }
        guard outcome.status == 0 else {
            // stderr is shown because it usually says what went wrong, but only its first line, redacted and cut short.
            let firstLine = String(decoding: outcome.stderr, as: UTF8.self)
                .split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            let shown = redactor?.redact(String(firstLine.prefix(200))) ?? String(firstLine.prefix(200))
            throw CredentialProviderError("\(prefix) exited with status \(outcome.status)\(shown.isEmpty ? "" : ": \(shown)")")
        }
        // Never quote stdout: a half-valid answer is most likely half a secret.
        let output: Output
        do {
            output = try JSONDecoder().decode(Output.self, from: outcome.stdout)
        } catch DecodingError.keyNotFound(let key, _) {
            throw CredentialProviderError("\(prefix) printed JSON without \(key.stringValue)")
        } catch DecodingError.typeMismatch(_, let context) {
            throw CredentialProviderError("\(prefix) printed JSON with a wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))")
        } catch {
            throw CredentialProviderError("\(prefix) printed invalid JSON (\(outcome.stdout.count) bytes); it must print {\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …}")
        }
        guard output.version == 1 else {
            throw CredentialProviderError("\(prefix) printed Version \(output.version); only Version 1 is supported")
        }
        let missing = [("AccessKeyId", output.accessKeyId), ("SecretAccessKey", output.secretAccessKey)]
            .filter { ($0.1 ?? "").isEmpty }.map(\.0)
        guard missing.isEmpty, let id = output.accessKeyId, let secret = output.secretAccessKey else {
            throw CredentialProviderError("\(prefix) printed JSON without \(missing.joined(separator: " and "))")
        }
        var expiration: Date?
        if let text = output.expiration {
            guard let date = Timestamp.iso8601(text) else {
                throw CredentialProviderError("\(prefix) printed an Expiration that is not an ISO 8601 time")
            }
            // botocore refuses credentials that are still expired after running the command again.
            guard date > clock.now() else {
                throw CredentialProviderError("\(prefix) printed credentials that expired at \(Timestamp.string(date)); make it print fresh ones")
            }
            expiration = date
        }
        let token = output.sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        redactor?.register(secret)
        redactor?.register(token)
        let credentials = Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
        return ResolvedCredentials(credentials: credentials, source: .process(profile: profile))
    }
}

/// Runs a shell command off the cooperative thread pool, collecting its output, and kills it after a timeout.
enum ProcessRunner {
    struct Outcome: Sendable {
        let status: Int32
        let stdout: Data
        let stderr: Data
        let timedOut: Bool
    }

    static func run(command: String, environment: [String: String], timeout: TimeInterval) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            // Waiting on a child blocks a thread; keep that off Swift concurrency's small pool.
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(command: command, environment: environment, timeout: timeout) })
            }
        }
    }

    static func runBlocking(command: String, environment: [String: String], timeout: TimeInterval) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var childEnvironment = environment
        if childEnvironment["PATH"] == nil { childEnvironment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        process.environment = childEnvironment
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw CredentialProviderError("cannot start /bin/sh for credential_process: \(error.localizedDescription)")
        }

        // Both pipes are drained concurrently so a chatty command cannot block on a full pipe buffer.
        let stdout = DrainedPipe(stdoutPipe.fileHandleForReading)
        let stderr = DrainedPipe(stderrPipe.fileHandleForReading)

        if exited.wait(timeout: .now() + timeout) == .timedOut {
            let pid = process.processIdentifier
            // Kill the whole group when the child leads one, so grandchildren do not keep the pipes open.
            if getpgid(pid) == pid { kill(-pid, SIGKILL) } else { kill(pid, SIGKILL) }
            _ = exited.wait(timeout: .now() + 2)
            return Outcome(status: -1, stdout: Data(), stderr: Data(), timedOut: true)
        }
        // A background grandchild may hold the pipes open after the command exits; do not wait for it forever.
        let out = stdout.data(waitingUpTo: 2)
        let err = stderr.data(waitingUpTo: 2)
        return Outcome(status: process.terminationStatus, stdout: out, stderr: err, timedOut: false)
    }
}

/// Reads a pipe to its end on a background queue.
final class DrainedPipe: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var collected = Data()

    init(_ handle: FileHandle) {
        DispatchQueue.global().async { [self] in
            let data = handle.readDataToEndOfFile()
            lock.lock(); collected = data; lock.unlock()
            done.signal()
        }
    }

    func data(waitingUpTo seconds: TimeInterval) -> Data {
        _ = done.wait(timeout: .now() + seconds)
        lock.lock(); defer { lock.unlock() }
        return collected
    }
}
