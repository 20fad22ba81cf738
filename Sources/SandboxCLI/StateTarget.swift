import Foundation
import SandboxAWS
import SandboxBackend
import SandboxCheck
import SandboxCore
import SandboxStack
import SandboxState

/// The state a command works on, local or remote, and the three ways commands use it:
/// read a snapshot, hold it exclusively (apply, destroy, import), or update records (runs, cleanups).
struct StateTarget: Sendable {
    let location: StateLocation
    let invocation: Invocation
    /// Needed only for a remote state.
    let aws: AWSEnvironment?

    /// `--backend` > `SANDBOX_BACKEND` > `--state s3://…` > the stack's `backend:` > `--state PATH` > `SANDBOX_STATE` > State/<stack>.sqlite.
    static func location(_ options: StackOptionGroup, stack: Stack, environment: [String: String]) throws -> StateLocation {
        if let flag = options.backend, !flag.isEmpty { return try remote(flag, from: "--backend") }
        if let env = environment["SANDBOX_BACKEND"], !env.isEmpty { return try remote(env, from: "SANDBOX_BACKEND") }
        if let state = options.state, state.hasPrefix("s3://") { return try remote(state, from: "--state") }
        if options.state == nil, let backend = stack.backend { return try remote(backend, from: "\(stack.file) backend") }
        return try StateLocation.parse(Paths.state(options.state, stack: stack, environment: environment))
    }

    static func remote(_ text: String, from source: String) throws -> StateLocation {
        let location = try StateLocation.parse(text)
        guard location.isRemote else { throw SimpleError(.usage, "\(source) must be s3://BUCKET/KEY, got '\(text)'") }
        return location
    }

    var workspace: RemoteWorkspace? {
        guard case .s3(let bucket, let key) = location, let aws else { return nil }
        let console = Console(redactor: invocation.redactor)
        return RemoteWorkspace(backend: S3StateBackend(bucket: bucket, key: key, client: aws.client), writerVersion: SandboxVersion.current,
                               notice: { console.err("note: \($0)") })
    }

    private func requireWorkspace() throws -> RemoteWorkspace {
        guard let workspace else { throw SimpleError(.internal, "remote state \(location) without AWS access") }
        return workspace
    }

    /// The lock object of a remote state (nil for a local one, whose lock lives in the file).
    func remoteLockReading() async -> RemoteLockReading? {
        guard location.isRemote else { return nil }
        do {
            guard let (lock, _) = try await requireWorkspace().backend.currentLockObject() else { return .free }
            // A lock object that does not parse is treated as expired by writers, which take it over.
            guard let lock else { return .held("an unreadable lock object", expires: .distantPast) }
            return .held(lock.description, expires: lock.expires)
        } catch {
            return .unreadable(error.oneLine)
        }
    }

    /// Runs `body` with a store to read, or nil when there is no state yet. Nothing is created.
    func read<T: Sendable>(_ body: @Sendable (StateStore?) async throws -> T) async throws -> T {
        switch location {
        case .local(let path):
            guard FileManager.default.fileExists(atPath: path) else { return try await body(nil) }
            return try await body(try StateStore.openExisting(path: path))
        case .s3:
            return try await requireWorkspace().withCopy { path in
                try await body(try path.map { try StateStore.openExisting(path: $0) })
            }
        }
    }

    /// Runs `body` holding the state lock: the local SQLite lock, or the S3 lock object with the result uploaded.
    func exclusive<T: Sendable>(operation: String, timeout: TimeInterval, _ body: @Sendable (StateStore) async throws -> T) async throws -> T {
        let console = Console(redactor: invocation.redactor)
        switch location {
        case .local(let path):
            let store = try StateStore.open(path: path, writerVersion: SandboxVersion.current, clock: invocation.clock)
            return try await StateAccess.withLock(store, operation: operation, timeout: timeout, console: console) { try await body(store) }
        case .s3:
            let holder = "\(invocation.environment["USER"] ?? "sandbox")@\(ProcessIdentity.current.host)"
            return try await requireWorkspace().withLock(holder: holder, operation: operation, timeout: timeout) { path in
                try await body(try StateStore.open(path: path, writerVersion: SandboxVersion.current, clock: invocation.clock))
            }
        }
    }

    /// Applies a change of records (runs, cleanups) to the newest state; remote writers re-read and retry on conflicts.
    func update<T: Sendable>(_ mutation: @Sendable (StateStore) throws -> T) async throws -> T {
        switch location {
        case .local(let path):
            return try mutation(try StateStore.open(path: path, writerVersion: SandboxVersion.current, clock: invocation.clock))
        case .s3:
            return try await requireWorkspace().update(mutation)
        }
    }

    /// Whether a state exists at all.
    func exists() async throws -> Bool {
        switch location {
        case .local(let path): return FileManager.default.fileExists(atPath: path)
        case .s3: return try await requireWorkspace().backend.fetch() != nil
        }
    }
}

extension StateTarget {
    /// The state of a stack for commands that need no AWS call unless the state is remote.
    static func forStack(_ options: StackOptionGroup, awsOptions: AWSOptionGroup?, invocation: Invocation) throws -> (StateTarget, Stack) {
        let stack = try StackParser.load(path: try Paths.stack(options.stack, environment: invocation.environment))
        let location = try location(options, stack: stack, environment: invocation.environment)
        var aws: AWSEnvironment?
        if location.isRemote {
            var awsOptions = awsOptions?.options ?? AWSOptions()
            if awsOptions.region == nil, let pinned = stack.region { awsOptions.region = pinned }
            aws = try invocation.aws(awsOptions)
        }
        return (StateTarget(location: location, invocation: invocation, aws: aws), stack)
    }
}
