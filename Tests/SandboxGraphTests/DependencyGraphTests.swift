import Foundation
import SandboxGraph
import XCTest

final class DependencyGraphTests: XCTestCase {
    /// app -> (db, cache), db -> net, cache -> net; lone has no edges.
    func diamond() -> DependencyGraph<String> {
        DependencyGraph(nodes: ["lone"], edges: [("app", "db"), ("app", "cache"), ("db", "net"), ("cache", "net")])
    }

    func testNodesEdgesAndDependents() {
        let graph = diamond()
        XCTAssertEqual(graph.nodes, ["app", "db", "cache", "net", "lone"])
        XCTAssertEqual(graph.dependencies(of: "app"), ["db", "cache"])
        XCTAssertEqual(graph.dependencies(of: "net"), [])
        XCTAssertEqual(graph.dependencies(of: "absent"), [])
        XCTAssertEqual(graph.dependents(of: "net"), ["db", "cache"])
        XCTAssertEqual(graph.dependents(of: "app"), [])
    }

    func testTopologicalOrderIsStable() {
        let expected = ["lone", "net", "cache", "db", "app"]
        XCTAssertEqual(diamond().topologicalOrder(), expected)
        // Building the same graph in another order gives the same result, every time.
        for _ in 0..<20 {
            let shuffled = DependencyGraph(nodes: ["lone", "app"].shuffled(),
                                           edges: [("cache", "net"), ("app", "cache"), ("db", "net"), ("app", "db")].shuffled())
            XCTAssertEqual(shuffled.topologicalOrder(), expected)
        }
        XCTAssertEqual(DependencyGraph<String>().topologicalOrder(), [])
        XCTAssertEqual(DependencyGraph(nodes: ["c", "a", "b"], edges: []).topologicalOrder(), ["a", "b", "c"])
    }

    func testTopologicalOrderPutsDependenciesFirst() throws {
        var graph = DependencyGraph<Int>()
        for node in 0..<50 { graph.add(node) }
        for node in 1..<50 { graph.addEdge(from: node, to: node / 2); graph.addEdge(from: node, to: node / 3) }
        let order = try XCTUnwrap(graph.topologicalOrder())
        XCTAssertEqual(order.count, 50)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        for node in graph.nodes {
            for dependency in graph.dependencies(of: node) {
                XCTAssertLessThan(try XCTUnwrap(position[dependency]), try XCTUnwrap(position[node]))
            }
        }
    }

    func testCycleDetectionGivesThePath() {
        XCTAssertNil(diamond().findCycle())
        let two = DependencyGraph(nodes: [String](), edges: [("a", "b"), ("b", "a")])
        XCTAssertEqual(two.findCycle(), ["a", "b", "a"])
        XCTAssertNil(two.topologicalOrder())

        let three = DependencyGraph(nodes: ["root"], edges: [("root", "x"), ("x", "y"), ("y", "z"), ("z", "x")])
        XCTAssertEqual(three.findCycle(), ["x", "y", "z", "x"], "the path starts where the cycle closes, not at the entry node")
        XCTAssertNil(three.topologicalOrder())

        let selfLoop = DependencyGraph(nodes: ["a"], edges: [("b", "b")])
        XCTAssertEqual(selfLoop.findCycle(), ["b", "b"])
    }

    func testReversedGraph() {
        let reversed = diamond().reversed()
        XCTAssertEqual(reversed.nodes, diamond().nodes)
        XCTAssertEqual(reversed.dependencies(of: "net"), ["db", "cache"])
        XCTAssertEqual(reversed.dependencies(of: "db"), ["app"])
        XCTAssertEqual(reversed.dependencies(of: "app"), [])
        XCTAssertEqual(reversed.dependencies(of: "lone"), [])
        XCTAssertEqual(reversed.topologicalOrder(), ["app", "lone", "cache", "db", "net"], "destroy order: dependents first")
        XCTAssertEqual(reversed.reversed().dependencies, diamond().dependencies)
    }

    func testTransitiveDependents() {
        let graph = diamond()
        XCTAssertEqual(graph.transitiveDependents(of: "net"), ["db", "cache", "app"])
        XCTAssertEqual(graph.transitiveDependents(of: "db"), ["app"])
        XCTAssertEqual(graph.transitiveDependents(of: "app"), [])
        XCTAssertEqual(graph.transitiveDependents(of: "lone"), [])
        let cyclic = DependencyGraph(nodes: [String](), edges: [("a", "b"), ("b", "a")])
        XCTAssertEqual(cyclic.transitiveDependents(of: "a"), ["a", "b"], "terminates on cycles")
    }
}
