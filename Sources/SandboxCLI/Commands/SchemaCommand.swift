import ArgumentParser
import SandboxStack

/// `sandbox schema`: the JSON Schema of the stack format, for editors.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schema", abstract: "Print the JSON Schema of the stack format.")

    func run() async throws {
        let console = Console(redactor: .init())
        try await execute(console) {
            console.out(try JSONOutput.encode(StackSchema.document()))
            return 0
        }
    }
}
