import ArgumentParser
import Foundation
import SandboxCore
import SandboxEngine

/// `sandbox plan`: the stack diffed against live AWS and recorded state.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what apply would change, reading live AWS state.")

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    @Option(name: .customLong("out"), help: "Save the plan to this file for `sandbox apply PLANFILE`.")
    var out: String?

    @Flag(name: .customLong("detailed-exitcode"), help: "Exit 0 when there are no changes, 2 when there are, 1 on error.")
    var detailedExitCode = false

    @Option(name: .customLong("refresh"), help: "Read live AWS state (default true); false plans against recorded state only.")
    var refresh: Bool = true

    @Option(help: "Live reads in flight at once.")
    var parallelism: Int = 8

    func validate() throws {
        guard (1...64).contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 64") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        let detailed = detailedExitCode
        // Set only when the plan itself was made and has changes: the one case allowed to exit 2 under the flag.
        var changesPresent = false
        do {
            try await execute(console) {
                let session = try await StackSession.open(invocation, stackOptions: stackOptions, awsOptions: aws)
                let desired = try session.desired()
                let state = try await session.state.read { store in
                    (records: try store?.resources() ?? [], lineage: store?.lineage, serial: try store?.serial ?? 0)
                }
                let planner = Planner(desired: desired, records: state.records, context: session.context, parallelism: parallelism, refresh: refresh)
                let plan = try await planner.plan(stack: session.stack, lineage: state.lineage, serial: state.serial, variables: session.variables,
                                                  sandboxVersion: SandboxVersion.current, now: Date())
                if let out {
                    let data = try plan.encoded()
                    if invocation.redactor.leaks(String(decoding: data, as: UTF8.self)) {
                        throw SimpleError(.internal, "refusing to write \(out): it would contain a credential")
                    }
                    try data.write(to: URL(fileURLWithPath: out), options: .atomic)
                }
                if output.json {
                    console.out(String(decoding: try plan.encoded(), as: UTF8.self))
                } else {
                    for line in PlanView.render(plan) { console.out(line) }
                    if let out { console.out("Saved the plan to \(out); apply it with: sandbox apply \(out)") }
                }
                changesPresent = detailed && plan.hasChanges
                return changesPresent ? 2 : 0
            }
        } catch let exit as ExitCode where detailed && exit.rawValue != 0 && !(exit.rawValue == 2 && changesPresent) {
            // Terraform's convention: with --detailed-exitcode every error is 1 (a stack error included, whose own
            // code is also 2), so 2 always means "changes".
            throw ExitCode(1)
        }
    }
}
