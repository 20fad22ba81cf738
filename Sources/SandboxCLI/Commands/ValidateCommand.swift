import ArgumentParser
import Foundation
import SandboxCore
import SandboxStack

/// `sandbox validate`: checks a stack offline, reporting every problem at once with file:line:column.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a stack file offline (no AWS call).")

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var output: OutputOptionGroup

    struct Result: Encodable {
        let valid: Bool
        let stack: String
        let resources: Int
        let diagnostics: [Diagnostic]
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let path = try Paths.stack(stackOptions.stack, environment: invocation.environment)
            do {
                let stack = try StackParser.load(path: path)
                let (_, warnings) = try VariableValues.resolve(stack, inputs: VariableInputs(assignments: stackOptions.vars, files: stackOptions.varFiles,
                                                                                             environment: invocation.environment), requireAll: false)
                if output.json {
                    console.out(try JSONOutput.encode(Result(valid: true, stack: path, resources: stack.resources.count, diagnostics: warnings)))
                } else {
                    for warning in warnings { console.err(warning.description) }
                    console.out("\(path): valid (\(stack.resources.count) resources, \(stack.variables.count) variables, \(stack.outputs.count) outputs)")
                }
                return 0
            } catch let error as DiagnosticsError where output.json {
                console.out(try JSONOutput.encode(Result(valid: false, stack: path, resources: 0, diagnostics: error.diagnostics)))
                return SandboxExit.usage
            }
        }
    }
}
