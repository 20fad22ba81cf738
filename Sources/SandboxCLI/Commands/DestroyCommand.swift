import ArgumentParser
import Foundation
import SandboxCore
import SandboxEngine
import SandboxState

/// `sandbox destroy`: delete everything state records, dependents first.
struct DestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "destroy", abstract: "Delete every resource recorded in state, in reverse dependency order.")

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    @Flag(name: .customLong("auto-approve"), help: "Destroy without asking.")
    var autoApprove = false

    @Flag(name: .customLong("empty-bucket"), help: "Delete the bucket's objects, versions, delete markers and uploads first.")
    var emptyBucket = false

    @Option(help: "Independent steps run at once.")
    var parallelism: Int = 8

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for the state lock (default 0: fail at once).")
    var lockTimeout: Double = 0

    func validate() throws {
        guard (1...64).contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 64") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: aws, requireVariables: false)
            guard try await session.state.exists() else {
                console.out("Nothing to destroy: \(session.statePath) does not exist.")
                return 0
            }
            return try await session.state.exclusive(operation: "destroy", timeout: lockTimeout) { store in
                let records = try store.resources()
                if records.isEmpty {
                    console.out("Nothing to destroy: state records no resources.")
                    return 0
                }
                let plan = try await Planner.destroyPlan(stack: session.stack, records: records, context: session.context, lineage: store.lineage,
                                                         serial: try store.serial, variables: session.variables,
                                                         sandboxVersion: SandboxVersion.current, now: Date(), parallelism: parallelism)
                if !output.json { for line in PlanView.render(plan, destroy: true) { console.out(line) } }
                if !autoApprove, !(try Approval.confirm(console, action: "destroy all \(records.count) resources")) {
                    console.out("Destroy cancelled.")
                    return SandboxExit.failure
                }
                let applier = Applier(stack: session.stack, variables: session.variables, context: session.context.journaled(in: store, log: invocation.log), store: store,
                                      parallelism: parallelism, deleteOptions: DeleteOptions(emptyBucket: emptyBucket),
                                      hooks: output.json ? nil : ApplyProgressView(console: console, quiet: false))
                try await applier.checkDeletable(plan)
                var result = await applier.apply(plan)
                result.outputs = [:]
                try store.setOutputs([:])
                return ApplySummaryView.show(result, console: console, json: output.json, verb: "Destroy")
            }
        }
    }
}
