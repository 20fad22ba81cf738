import ArgumentParser
import Foundation
import SandboxCore
import SandboxStack

/// `sandbox graph`: the resource graph in Graphviz DOT.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "graph", abstract: "Print the stack's resource graph as Graphviz DOT.")

    @OptionGroup var stackOptions: StackOptionGroup

    func run() async throws {
        let invocation = Invocation(output: nil)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let stack = try StackParser.load(path: try Paths.stack(stackOptions.stack, environment: invocation.environment))
            let graph = StackValidator.dependencyGraph(stack)
            console.out("digraph \"\(stack.name)\" {")
            console.out("  rankdir = \"RL\";")
            for resource in stack.resources.sorted(by: { $0.name < $1.name }) {
                console.out("  \"\(resource.address)\" [shape = box];")
            }
            for resource in stack.resources.sorted(by: { $0.name < $1.name }) {
                for dependency in graph.dependencies(of: resource.name).sorted() {
                    if let target = stack.resource(named: dependency) {
                        console.out("  \"\(resource.address)\" -> \"\(target.address)\";")
                    }
                }
            }
            console.out("}")
            return 0
        }
    }
}
