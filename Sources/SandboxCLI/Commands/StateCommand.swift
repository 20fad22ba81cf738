import ArgumentParser
import Foundation
import SandboxCore
import SandboxState

/// `sandbox state`: inspect and repair the state file.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "state", abstract: "Inspect, unlock, pull, push or migrate the state.",
                                                    subcommands: [List.self, Show.self, Unlock.self, Pull.self, Push.self, Migrate.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the resources recorded in state.")
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                let records = try await target.read { store in try store?.resources() ?? [] }.sorted { $0.address < $1.address }
                if json {
                    console.out(try JSONOutput.encode(records))
                } else {
                    for record in records {
                        let status = record.status == .created ? "" : "  (\(record.status.rawValue))"
                        console.out("\(record.address)  \(record.physicalId ?? "-")\(status)")
                    }
                }
                return 0
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one resource's recorded attributes.")
        @Argument(help: "The resource address, such as s3_bucket.bucket.") var address: String
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                guard let parsed = ResourceAddress(parsing: address) else {
                    throw SimpleError(.usage, "'\(address)' is not an address; use TYPE.NAME such as s3_bucket.bucket")
                }
                let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                let (found, known) = try await target.read { store in
                    (try store?.resource(parsed), try store?.resources().map(\.address.description).sorted() ?? [])
                }
                guard let record = found else {
                    throw SimpleError(.usage, "\(address) is not in state; state has \(known.isEmpty ? "no resources" : known.joined(separator: ", "))")
                }
                if json {
                    console.out(try JSONOutput.encode(record))
                } else {
                    console.out("# \(record.address)  (\(record.status.rawValue))")
                    console.out("physical_id = \(record.physicalId ?? "-")")
                    for key in record.attributes.keys.sorted() {
                        console.out("\(key) = \(record.attributes[key]?.compactJSON ?? "null")")
                    }
                    if !record.dependencies.isEmpty {
                        console.out("depends_on = [\(record.dependencies.map(\.description).joined(separator: ", "))]")
                    }
                }
                return 0
            }
        }
    }

    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unlock", abstract: "Remove the state lock (when its holder is gone).")
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                let previous: String?
                if let workspace = target.workspace {
                    previous = try await workspace.backend.forceUnlock().map { $0.map(\.description) ?? "an unreadable lock object" }
                } else {
                    guard case .local(let path) = target.location, FileManager.default.fileExists(atPath: path) else {
                        throw SimpleError(.state, "no state at \(target.location)")
                    }
                    previous = try StateStore.openExisting(path: path).lock().forceUnlock()?.description
                }
                console.out(previous.map { "Removed the lock held by \($0)." } ?? "The state was not locked.")
                return 0
            }
        }
    }
}
