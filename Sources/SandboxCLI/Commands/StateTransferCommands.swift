import ArgumentParser
import Foundation
import SandboxBackend
import SandboxCore
import SandboxState

/// `sandbox state pull | push | migrate`: explicit copies between a local state file and the S3 backend.
extension StateCommand {
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Copy the remote state to a local file.")
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @Option(help: "Where to write the copy.") var out: String
        @Flag(help: "Overwrite an existing file.") var force = false

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                guard let workspace = target.workspace else {
                    throw SimpleError(.usage, "the state is local (\(target.location)); pull needs --backend s3://BUCKET/KEY or SANDBOX_BACKEND")
                }
                if FileManager.default.fileExists(atPath: out), !force {
                    throw SimpleError(.usage, "\(out) exists; pass --force to overwrite it")
                }
                guard let remote = try await workspace.backend.fetch() else {
                    throw SimpleError(.state, "there is no state at \(target.location) yet")
                }
                try StateTransfer.writeLocal(remote.data, to: out)
                console.out("Pulled \(target.location) to \(out) (\(remote.data.count) bytes).")
                return 0
            }
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "push", abstract: "Replace the remote state with a local file (holding the lock).")
        @Argument(help: "The local state file.") var file: String
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @Flag(help: "Push even when the remote state has another lineage or a higher serial.") var force = false
        @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for the lock.") var lockTimeout: Double = 0

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                guard target.workspace != nil else {
                    throw SimpleError(.usage, "the state is local (\(target.location)); push needs --backend s3://BUCKET/KEY or SANDBOX_BACKEND")
                }
                let local = try StateStore.openExisting(path: file)
                let (lineage, serial) = (local.lineage, try local.serial)
                try local.checkpoint()
                guard let data = FileManager.default.contents(atPath: file) else { throw SimpleError(.usage, "cannot read \(file)") }
                try await target.exclusive(operation: "push", timeout: lockTimeout) { remote in
                    if !force, try remote.resources().count + remote.runs().count > 0 {
                        if remote.lineage != lineage {
                            throw SimpleError(.state, "\(file) has lineage \(lineage) but \(target.location) has \(remote.lineage); pass --force to replace it")
                        }
                        if try remote.serial > serial {
                            throw SimpleError(.state, "\(target.location) is newer (serial \(try remote.serial)) than \(file) (serial \(serial)); pass --force to replace it")
                        }
                    }
                    try StateTransfer.replace(remote.path, with: data)
                }
                console.out("Pushed \(file) to \(target.location) (lineage \(lineage), serial \(serial)).")
                return 0
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Move the state to S3 (--to s3://BUCKET/KEY) or back to a local file (--to PATH).")
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @Option(help: "The new location: s3://BUCKET/KEY or a local path.") var to: String
        @Flag(help: "Overwrite a state that already exists at the destination.") var force = false

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let (source, stack) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                let destination = try StateLocation.parse(to)
                guard destination != source.location else { throw SimpleError(.usage, "the state is already at \(to)") }
                let data: Data = try await source.read { store in
                    guard let store else { throw SimpleError(.state, "there is no state at \(source.location) to migrate") }
                    try store.checkpoint()
                    guard let bytes = FileManager.default.contents(atPath: store.path) else { throw SimpleError(.state, "cannot read \(store.path)") }
                    return bytes
                }
                switch destination {
                case .local(let path):
                    if FileManager.default.fileExists(atPath: path), !force { throw SimpleError(.usage, "\(path) exists; pass --force to overwrite it") }
                    try StateTransfer.writeLocal(data, to: path)
                case .s3:
                    var awsOptions = aws.options
                    if awsOptions.region == nil, let pinned = stack.region { awsOptions.region = pinned }
                    let target = StateTarget(location: destination, invocation: invocation, aws: try invocation.aws(awsOptions))
                    if try await target.exists(), !force { throw SimpleError(.usage, "\(to) already holds a state; pass --force to replace it") }
                    try await target.exclusive(operation: "migrate", timeout: 0) { remote in try StateTransfer.replace(remote.path, with: data) }
                }
                console.out("Copied the state from \(source.location) to \(to). Point sandbox at it with --backend/--state, SANDBOX_BACKEND, or the stack's backend: key; the old copy was left in place.")
                return 0
            }
        }
    }
}

/// Writing state bytes to local files.
enum StateTransfer {
    static func writeLocal(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try data.write(to: url, options: .atomic)
        _ = try StateStore.openExisting(path: path).serial // refuse garbage early
    }

    /// Replaces the working copy the remote workspace will upload.
    static func replace(_ path: String, with data: Data) throws {
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
