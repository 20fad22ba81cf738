/// The outcome of visiting one node during a walk.
public enum WalkOutcome: Sendable, Equatable {
    case succeeded
    case failed(String)
    /// Not visited because a dependency failed or was skipped.
    case skipped(because: String)
}

/// Walks a graph in dependency order, running independent nodes concurrently up to a bound.
/// A node whose dependency failed is skipped; independent branches still run to completion.
public struct GraphWalk<Node: Hashable & Comparable & Sendable>: Sendable {
    public let graph: DependencyGraph<Node>
    public let parallelism: Int

    public init(graph: DependencyGraph<Node>, parallelism: Int) {
        self.graph = graph
        self.parallelism = max(1, parallelism)
    }

    /// Visits every node; `visit` throws to mark a node failed. Returns each node's outcome.
    public func run(_ visit: @escaping @Sendable (Node) async throws -> Void) async -> [Node: WalkOutcome] {
        var outcomes: [Node: WalkOutcome] = [:]
        var pending = graph.nodes
        var running: Set<Node> = []

        await withTaskGroup(of: (Node, WalkOutcome).self) { group in
            func schedule() {
                var progressed = true
                while progressed {
                    progressed = false
                    for node in pending.sorted() {
                        let deps = graph.dependencies(of: node)
                        // Decided once every dependency has settled, so the reason named does not depend on which
                        // failure happened to land first.
                        if deps.allSatisfy({ outcomes[$0] != nil }), let blocker = deps.sorted().first(where: { dep in
                            if case .failed = outcomes[dep] { return true }
                            if case .skipped = outcomes[dep] { return true }
                            return false
                        }) {
                            outcomes[node] = .skipped(because: "\(blocker)")
                            pending.remove(node)
                            progressed = true
                            continue
                        }
                        guard running.count < parallelism, deps.allSatisfy({ outcomes[$0] == .succeeded }) else { continue }
                        pending.remove(node)
                        running.insert(node)
                        group.addTask {
                            do {
                                try await visit(node)
                                return (node, .succeeded)
                            } catch {
                                return (node, .failed(String(describing: error)))
                            }
                        }
                    }
                }
            }
            schedule()
            while let (node, outcome) = await group.next() {
                running.remove(node)
                outcomes[node] = outcome
                schedule()
            }
        }
        // Anything left pending sat behind a cycle; the stack validator rejects cycles before this.
        for node in pending { outcomes[node] = .skipped(because: "cycle") }
        return outcomes
    }
}
