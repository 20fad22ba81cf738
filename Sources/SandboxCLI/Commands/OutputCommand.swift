import ArgumentParser
import Foundation
import SandboxCore
import SandboxState

/// `sandbox output`: the stack's outputs as recorded by the last apply.
struct OutputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "output", abstract: "Print the outputs recorded by the last apply.")

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Print `export NAME=value` lines, quoted for the shell.") var env = false
    @Argument(help: "Print only this output's value.") var name: String?

    func validate() throws {
        if json && env { throw ValidationError("choose one of --json and --env") }
    }

    func run() async throws {
        let invocation = Invocation(output: nil)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let (target, stack) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
            let outputs = try await target.read { store in
                guard let store else {
                    throw SimpleError(.state, "no state at \(target.location); run sandbox apply first (or pass --state/--backend)")
                }
                return try store.outputs()
            }
            if let name {
                guard let value = outputs[name] else {
                    throw SimpleError(.usage, "no output named \(name); outputs: \(outputs.keys.sorted().joined(separator: ", "))")
                }
                console.out(value.description)
                return 0
            }
            let declared = Dictionary(stack.outputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let sensitive = Set(stack.outputs.filter(\.sensitive).map(\.name))
            if json {
                // Machine output carries every value, as `terraform output -json` does; the caller asked for data.
                console.out(try JSONOutput.encode(outputs))
            } else if env {
                // The environment tests read: outputs named like environment variables (or, for a stack whose
                // outputs predate that rule, every output), sensitive ones included because tests need them.
                let names = declared.values.contains(where: \.isEnvironmentVariable)
                    ? outputs.keys.filter { declared[$0]?.isEnvironmentVariable == true } : Array(outputs.keys)
                for key in names.sorted() { console.out(ShellQuote.export(key, outputs[key]?.description ?? "")) }
            } else {
                for key in outputs.keys.sorted() {
                    console.out("\(key) = \(sensitive.contains(key) ? "(sensitive)" : outputs[key]?.description ?? "")")
                }
            }
            return 0
        }
    }
}

/// POSIX shell quoting for `export` lines.
enum ShellQuote {
    static func quote(_ value: String) -> String {
        if !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./:@".contains($0)) }) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func export(_ name: String, _ value: String) -> String { "export \(name)=\(quote(value))" }
}

import SandboxStack
