import ArgumentParser
import Foundation
import SandboxCore
import SandboxEngine
import SandboxState

/// `sandbox import ADDRESS ID`: adopt a resource that exists in AWS into state.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Adopt an existing AWS resource into state.")

    @Argument(help: "The stack address, such as s3_bucket.bucket.")
    var address: String

    @Argument(help: "The AWS id: bucket name, policy ARN or name, user name, budget name.")
    var id: String

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for the state lock.")
    var lockTimeout: Double = 0

    func validate() throws {
        guard ResourceAddress(parsing: address) != nil else { throw ValidationError("ADDRESS must look like TYPE.NAME, such as s3_bucket.bucket") }
        guard !id.isEmpty, !id.contains(where: \.isNewline) else { throw ValidationError("ID must be a non-empty single line") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            guard let parsed = ResourceAddress(parsing: address) else { return SandboxExit.usage }
            let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: aws)
            let desired = try session.desired()
            guard let resource = desired.resources[parsed] else {
                let known = desired.resources.keys.sorted().map(\.description)
                throw SimpleError(.usage, "\(address) is not in \(session.stack.file); it declares \(known.joined(separator: ", "))")
            }
            return try await session.state.exclusive(operation: "import", timeout: lockTimeout) { store in
                let record = try await Importer(context: session.context, store: store).adopt(resource, id: id)
                console.out("Imported \(parsed) (\(record.physicalId ?? id)). Run sandbox plan to see how it differs from the stack.")
                return 0
            }
        }
    }
}
