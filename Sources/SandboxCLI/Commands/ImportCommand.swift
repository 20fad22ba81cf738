import ArgumentParser
import Foundation
import SandboxCore
import SandboxEngine
import SandboxServices
import SandboxState

/// `sandbox import ADDRESS ID`: adopt a resource that exists in AWS into state;
/// `sandbox import --from-tfstate PATH|s3://BUCKET/KEY`: adopt everything a Terraform/OpenTofu state manages.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Adopt existing AWS resources into state (one by id, or a Terraform/OpenTofu state's).")

    @Argument(help: "The stack address, such as s3_bucket.bucket.")
    var address: String?

    @Argument(help: "The AWS id: bucket name, policy ARN or name, user name, budget name.")
    var id: String?

    @Option(name: .customLong("from-tfstate"), help: "A Terraform/OpenTofu state (format 4) to adopt: a file or s3://BUCKET/KEY.")
    var tfstate: String?

    @Flag(name: .customLong("dry-run"), help: "With --from-tfstate: print the mapping only; read and record nothing.")
    var dryRun = false

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for the state lock.")
    var lockTimeout: Double = 0

    func validate() throws {
        if let tfstate {
            guard address == nil, id == nil else { throw ValidationError("--from-tfstate imports the whole state; drop ADDRESS and ID") }
            guard !tfstate.isEmpty, !tfstate.contains(where: \.isNewline) else { throw ValidationError("--from-tfstate needs a file or s3://BUCKET/KEY") }
            return
        }
        if dryRun { throw ValidationError("--dry-run goes with --from-tfstate") }
        guard let address, let id else { throw ValidationError("pass ADDRESS and ID (sandbox import s3_bucket.bucket NAME), or --from-tfstate PATH") }
        guard ResourceAddress(parsing: address) != nil else { throw ValidationError("ADDRESS must look like TYPE.NAME, such as s3_bucket.bucket") }
        guard !id.isEmpty, !id.contains(where: \.isNewline) else { throw ValidationError("ID must be a non-empty single line") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            if let tfstate { return try await importState(tfstate, invocation: invocation, console: console) }
            guard let address, let id, let parsed = ResourceAddress(parsing: address) else { return SandboxExit.usage }
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

extension ImportCommand {
    /// Maps the state onto the stack, prints the mapping, and (unless --dry-run) reads each resource live and records it.
    func importState(_ source: String, invocation: Invocation, console: Console) async throws -> Int32 {
        let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: aws)
        let state = try TerraformState.parse(try await read(source, session: session), source: source)
        let desired = try session.desired()
        let mapping = try TerraformMapping.build(state, desired: desired, accountId: session.identity.account,
                                                 allowedAccountIds: session.stack.allowedAccountIds)
        let width = mapping.entries.map(\.terraformAddress.count).max() ?? 0
        console.out("\(source) (Terraform \(state.terraformVersion ?? "?"), \(state.instances.count) resource instance(s)) -> \(session.stack.file):")
        for entry in mapping.entries {
            let pad = String(repeating: " ", count: width - entry.terraformAddress.count)
            console.out("  \(entry.terraformAddress)\(pad) -> \(entry.address)\(entry.partOf ? " (its policy attachment)" : "") [\(entry.id)]")
        }
        for address in mapping.stateOnly { console.out("  (no AWS object)\(String(repeating: " ", count: max(0, width - 15))) -> \(address) [recorded from the stack]") }
        for address in mapping.missing { console.out("  not in the state: \(address) (plan will create it)") }
        if dryRun {
            console.out("Dry run: nothing was read or recorded.")
            return 0
        }
        return try await session.state.exclusive(operation: "import", timeout: lockTimeout) { store in
            let records = try await Importer(context: session.context, store: store).adopt(mapping, desired: desired)
            console.out("Imported \(records.count) resource(s); nothing in AWS changed. Run sandbox plan: it should create, replace and destroy nothing.")
            return 0
        }
    }

    /// The state's bytes, from a file or from S3 with the session's credentials.
    func read(_ source: String, session: StackSession) async throws -> Data {
        if source.hasPrefix("s3://") {
            let path = source.dropFirst(5)
            guard let slash = path.firstIndex(of: "/"), slash != path.startIndex, path.index(after: slash) != path.endIndex else {
                throw SimpleError(.usage, "--from-tfstate \(source) must look like s3://BUCKET/KEY")
            }
            return try await S3Client(session.aws.client).getObject(bucket: String(path[..<slash]), key: String(path[path.index(after: slash)...])).body
        }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw SimpleError(.usage, "cannot read Terraform state \(source): no such file; pass the terraform.tfstate path (or `tofu state pull > FILE`)")
        }
        return data
    }
}
