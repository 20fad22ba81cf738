/// A directed acyclic graph of named nodes; an edge `a -> b` means "a depends on b".
public struct DependencyGraph<Node: Hashable & Comparable & Sendable>: Sendable {
    public private(set) var nodes: Set<Node> = []
    /// node -> the nodes it depends on.
    public private(set) var dependencies: [Node: Set<Node>] = [:]

    public init() {}

    public init(nodes: some Sequence<Node>, edges: [(Node, Node)]) {
        for node in nodes { add(node) }
        for (from, to) in edges { addEdge(from: from, to: to) }
    }

    public mutating func add(_ node: Node) {
        nodes.insert(node)
        if dependencies[node] == nil { dependencies[node] = [] }
    }

    /// Records that `from` depends on `to`; both become nodes.
    public mutating func addEdge(from: Node, to: Node) {
        add(from)
        add(to)
        dependencies[from, default: []].insert(to)
    }

    public func dependencies(of node: Node) -> Set<Node> { dependencies[node] ?? [] }

    /// The nodes that depend on `node`.
    public func dependents(of node: Node) -> Set<Node> {
        Set(dependencies.filter { $0.value.contains(node) }.map(\.key))
    }

    /// Every node that depends on `node`, directly or not.
    public func transitiveDependents(of node: Node) -> Set<Node> {
        var seen: Set<Node> = []
        var queue = [node]
        while let next = queue.popLast() {
            for dependent in dependents(of: next) where seen.insert(dependent).inserted {
                queue.append(dependent)
            }
        }
        return seen
    }

    /// The first cycle found, as a path that starts and ends at the same node; nil when acyclic.
    public func findCycle() -> [Node]? {
        var marks: [Node: VisitMark] = [:]
        var stack: [Node] = []

        func visit(_ node: Node) -> [Node]? {
            marks[node] = .visiting
            stack.append(node)
            for next in dependencies(of: node).sorted() {
                switch marks[next] {
                case .visiting:
                    guard let start = stack.firstIndex(of: next) else { return [next, next] }
                    return Array(stack[start...]) + [next]
                case .done:
                    continue
                case nil:
                    if let cycle = visit(next) { return cycle }
                }
            }
            stack.removeLast()
            marks[node] = .done
            return nil
        }

        for node in nodes.sorted() where marks[node] == nil {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }

    /// Nodes in dependency order (dependencies first), ties broken by sort order so output is stable.
    /// Returns nil when the graph has a cycle.
    public func topologicalOrder() -> [Node]? {
        var remaining = dependencies.mapValues { $0.intersection(nodes) }
        var order: [Node] = []
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.value.isEmpty }.map(\.key).sorted()
            guard !ready.isEmpty else { return nil }
            for node in ready {
                order.append(node)
                remaining[node] = nil
            }
            for key in remaining.keys {
                remaining[key]?.subtract(ready)
            }
        }
        return order
    }

    /// The same graph with every edge reversed: the order in which things must be destroyed.
    public func reversed() -> DependencyGraph {
        var graph = DependencyGraph()
        for node in nodes { graph.add(node) }
        for (from, targets) in dependencies {
            for to in targets { graph.addEdge(from: to, to: from) }
        }
        return graph
    }
}

enum VisitMark { case visiting, done }
