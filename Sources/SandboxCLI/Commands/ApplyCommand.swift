import ArgumentParser
import Foundation
import SandboxCore
import SandboxEngine
import SandboxState

/// `sandbox apply [PLANFILE]`: make AWS match the stack, in dependency order, recording every step.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply the stack (or a saved plan) in dependency order.")

    @Argument(help: "A plan saved with `sandbox plan --out`; without it, apply plans first.")
    var planFile: String?

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    @Flag(name: .customLong("auto-approve"), help: "Apply without asking.")
    var autoApprove = false

    @Option(help: "Independent steps run at once.")
    var parallelism: Int = 8

    @Option(name: .customLong("lock-timeout"), help: "Seconds to wait for the state lock (default 0: fail at once).")
    var lockTimeout: Double = 0

    func validate() throws {
        guard (1...64).contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 64") }
        guard lockTimeout >= 0 else { throw ValidationError("--lock-timeout must not be negative") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let saved: Plan? = try planFile.map { path in
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw SimpleError(.usage, "cannot read plan file \(path)")
                }
                return try Plan.decode(data, file: path)
            }
            var stackOptions = self.stackOptions
            if let saved, stackOptions.stack == nil { stackOptions.stack = saved.stackFile }
            if let saved, stackOptions.vars.isEmpty, stackOptions.varFiles.isEmpty {
                // A saved plan carries its variable values (never secrets), so apply uses exactly what was planned.
                // A null (an optional variable left without a value) is the default again, not the text "null".
                stackOptions.vars = saved.variables.filter { $0.value != .null }.map { "\($0.key)=\($0.value.description)" }
            }
            let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: aws)
            if let saved, saved.stackSHA256 != session.stack.sha256 {
                throw StalePlanError(reason: "\(session.stack.file) changed since the plan was made")
            }
            if let saved, saved.variables != session.variables {
                // The walk evaluates the stack with these values: other values would apply something the plan never showed.
                let names = Set(saved.variables.keys).union(session.variables.keys).filter { saved.variables[$0] != session.variables[$0] }.sorted()
                throw SimpleError(.usage, "\(planFile ?? "the plan") was made with other values for \(names.joined(separator: ", ")); "
                                  + "drop --var/--var-file to apply it as planned, or run sandbox plan again")
            }
            return try await session.state.exclusive(operation: "apply", timeout: lockTimeout) { store in
                let applier = Applier(stack: session.stack, variables: session.variables, context: session.context.journaled(in: store, log: invocation.log), store: store,
                                      parallelism: parallelism, hooks: output.json ? nil : ApplyProgressView(console: console, quiet: false))
                let plan: Plan
                if let saved {
                    try await applier.checkFresh(saved)
                    plan = saved
                } else {
                    let planner = Planner(desired: try session.desired(), records: try store.resources(), context: session.context, parallelism: parallelism)
                    plan = try await planner.plan(stack: session.stack, lineage: store.lineage, serial: try store.serial,
                                                  variables: session.variables, sandboxVersion: SandboxVersion.current, now: Date())
                    if !output.json { for line in PlanView.render(plan) { console.out(line) } }
                    if plan.hasChanges, !autoApprove, !(try Approval.confirm(console, action: "apply these changes")) {
                        console.out("Apply cancelled.")
                        return SandboxExit.failure
                    }
                }
                try await applier.checkDeletable(plan)
                let result = await applier.apply(plan)
                try store.setOutputs(result.outputs)
                return ApplySummaryView.show(result, console: console, json: output.json, verb: "Apply")
            }
        }
    }
}

/// The end-of-apply summary: applied, failed, skipped; and the exit code that goes with it.
enum ApplySummaryView {
    struct Summary: Encodable {
        let applied: [String]
        let unchanged: [String]
        let failed: [String: String]
        let skipped: [String: String]
        let outputs: [String: JSONValue]
    }

    static func show(_ result: ApplyResult, console: Console, json: Bool, verb: String) -> Int32 {
        if json {
            let summary = Summary(applied: result.applied.map(\.description), unchanged: result.unchanged.map(\.description),
                                  failed: Dictionary(result.failed.map { ($0.0.description, $0.1) }, uniquingKeysWith: { a, _ in a }),
                                  skipped: Dictionary(result.skipped.map { ($0.0.description, $0.1) }, uniquingKeysWith: { a, _ in a }),
                                  outputs: result.outputs)
            console.out((try? JSONOutput.encode(summary)) ?? "{}")
        } else {
            console.out("")
            let done = verb == "Destroy" ? "destroyed" : "applied"
            console.out("\(verb) \(result.succeeded ? "complete" : "finished with errors"): \(result.applied.count) \(done), \(result.unchanged.count) unchanged, \(result.failed.count) failed, \(result.skipped.count) skipped.")
            for (address, message) in result.failed { console.out("  failed:  \(address): \(message)") }
            for (address, because) in result.skipped { console.out("  skipped: \(address) (\(because))") }
        }
        return result.succeeded ? 0 : SandboxExit.failure
    }
}
