import Foundation
import SandboxGraph
import XCTest

/// Records what a walk did, so tests can check order and concurrency after the fact.
private actor WalkRecorder {
    /// "start:NODE" and "finish:NODE" in the order they happened.
    private(set) var timeline: [String] = []
    private(set) var started: [String] = []
    private(set) var running = 0
    private(set) var maxRunning = 0

    func start(_ node: String) {
        timeline.append("start:\(node)")
        started.append(node)
        running += 1
        maxRunning = max(maxRunning, running)
    }

    func finish(_ node: String) {
        timeline.append("finish:\(node)")
        running -= 1
    }
}

private struct VisitFailed: Error, CustomStringConvertible {
    let node: String
    var description: String { "\(node) failed on purpose" }
}

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

final class GraphWalkTests: XCTestCase {
    func testDependencyOrderIsRespected() async {
        let graph = DependencyGraph(nodes: ["lone"], edges: [("app", "db"), ("app", "cache"), ("db", "net"), ("cache", "net"), ("web", "app")])
        let recorder = WalkRecorder()
        let outcomes = await GraphWalk(graph: graph, parallelism: 4).run { node in
            await recorder.start(node)
            try await Task.sleep(nanoseconds: 5_000_000)
            await recorder.finish(node)
        }
        XCTAssertEqual(outcomes.count, graph.nodes.count)
        XCTAssertTrue(outcomes.values.allSatisfy { $0 == .succeeded })
        let timeline = await recorder.timeline
        XCTAssertEqual(timeline.count, 2 * graph.nodes.count)
        for node in graph.nodes {
            for dependency in graph.dependencies(of: node) {
                let done = timeline.firstIndex(of: "finish:\(dependency)") ?? Int.max
                let start = timeline.firstIndex(of: "start:\(node)") ?? -1
                XCTAssertLessThan(done, start, "\(dependency) must finish before \(node) starts: \(timeline)")
            }
        }
    }

    func testParallelismBoundIsRespected() async {
        let graph = DependencyGraph(nodes: (0..<12).map { "n\($0)" }, edges: [])
        for bound in [1, 3] {
            let recorder = WalkRecorder()
            let outcomes = await GraphWalk(graph: graph, parallelism: bound).run { node in
                await recorder.start(node)
                // Hold each visit until `bound` have been seen running together (or 2 s pass), so a load spike cannot
                // let one visit finish before the others start; a walk exceeding the bound still shows up as more.
                for _ in 0..<200 where await recorder.maxRunning < bound {
                    try await Task.sleep(nanoseconds: 10_000_000)
                }
                await recorder.finish(node)
            }
            XCTAssertEqual(outcomes.count, 12)
            let maxRunning = await recorder.maxRunning
            XCTAssertEqual(maxRunning, bound, "at most \(bound) visits run at once, and independent nodes do run together")
        }
        // A bound below 1 still makes progress.
        let outcomes = await GraphWalk(graph: graph, parallelism: 0).run { _ in }
        XCTAssertEqual(outcomes.count, 12)
    }

    func testFailureSkipsDependentsButIndependentBranchesFinish() async {
        // left: top -> mid -> bad; right: other -> base; lone alone; join depends on both branches.
        let graph = DependencyGraph(nodes: ["lone"], edges: [
            ("top", "mid"), ("mid", "bad"), ("other", "base"), ("join", "top"), ("join", "other"),
        ])
        let recorder = WalkRecorder()
        let outcomes = await GraphWalk(graph: graph, parallelism: 2).run { node in
            await recorder.start(node)
            if node == "bad" { throw VisitFailed(node: node) }
            try await Task.sleep(nanoseconds: 5_000_000)
            await recorder.finish(node)
        }
        XCTAssertEqual(outcomes, [
            "bad": .failed("bad failed on purpose"),
            "mid": .skipped(because: "bad"),
            "top": .skipped(because: "mid"),
            "join": .skipped(because: "top"),
            "base": .succeeded,
            "other": .succeeded,
            "lone": .succeeded,
        ])
        let started = await recorder.started
        XCTAssertEqual(Set(started), ["bad", "base", "other", "lone"], "skipped nodes are never visited")
    }

    func testCycleMembersAreSkipped() async {
        let graph = DependencyGraph(nodes: ["free"], edges: [("a", "b"), ("b", "a"), ("c", "a")])
        let outcomes = await GraphWalk(graph: graph, parallelism: 2).run { _ in }
        XCTAssertEqual(outcomes["free"], .succeeded)
        XCTAssertEqual(outcomes["a"], .skipped(because: "cycle"))
        XCTAssertEqual(outcomes["b"], .skipped(because: "cycle"))
        XCTAssertEqual(outcomes["c"], .skipped(because: "cycle"))
    }

    func testReversedWalkVisitsDependentsFirst() async {
        let graph = DependencyGraph(nodes: [String](), edges: [("policy", "bucket"), ("lifecycle", "bucket")])
        let recorder = WalkRecorder()
        _ = await GraphWalk(graph: graph.reversed(), parallelism: 1).run { node in
            await recorder.start(node)
            await recorder.finish(node)
        }
        let started = await recorder.started
        XCTAssertEqual(started, ["lifecycle", "policy", "bucket"])
    }
}
