import Foundation
import SandboxGraph
import XCTest

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

    func testAFailureDoesNotStopSiblingsAlreadyRunning() async {
        // bad fails at once while slow is mid-visit: slow still finishes and its dependent still runs.
        let graph = DependencyGraph(nodes: ["bad"], edges: [("after-slow", "slow"), ("after-bad", "bad")])
        let recorder = WalkRecorder()
        let outcomes = await GraphWalk(graph: graph, parallelism: 4).run { node in
            await recorder.start(node)
            if node == "bad" { throw VisitFailed(node: node) }
            if node == "slow" { try await Task.sleep(nanoseconds: 30_000_000) }
            await recorder.finish(node)
        }
        XCTAssertEqual(outcomes["slow"], .succeeded)
        XCTAssertEqual(outcomes["after-slow"], .succeeded)
        XCTAssertEqual(outcomes["after-bad"], .skipped(because: "bad"))
        let timeline = await recorder.timeline
        XCTAssertTrue(timeline.contains("finish:slow"), "\(timeline)")
    }

    func testSkipNamesTheFirstFailedDependencyInSortOrder() async {
        let graph = DependencyGraph(nodes: [String](), edges: [("top", "b-fails"), ("top", "a-fails"), ("top", "c-ok")])
        let outcomes = await GraphWalk(graph: graph, parallelism: 3).run { node in
            if node.hasSuffix("fails") { throw VisitFailed(node: node) }
        }
        XCTAssertEqual(outcomes["top"], .skipped(because: "a-fails"), "stable whichever failure landed first")
        XCTAssertEqual(outcomes["a-fails"], .failed("a-fails failed on purpose"))
        XCTAssertEqual(outcomes["c-ok"], .succeeded)
    }

    func testIndependentChainsRunSideBySide() async {
        // Two chains of three: with room for both, a node of each chain is in flight at once; each chain stays ordered.
        let graph = DependencyGraph(nodes: [String](), edges: [("a2", "a1"), ("a3", "a2"), ("b2", "b1"), ("b3", "b2")])
        let recorder = WalkRecorder()
        let outcomes = await GraphWalk(graph: graph, parallelism: 4).run { node in
            await recorder.start(node)
            for _ in 0..<200 where await recorder.maxRunning < 2 {
                try await Task.sleep(nanoseconds: 5_000_000)
            }
            await recorder.finish(node)
        }
        XCTAssertTrue(outcomes.values.allSatisfy { $0 == .succeeded })
        let maxRunning = await recorder.maxRunning
        XCTAssertEqual(maxRunning, 2, "one node per chain at a time, both chains at once")
        let started = await recorder.started
        for chain in ["a", "b"] {
            XCTAssertEqual(started.filter { $0.hasPrefix(chain) }, ["\(chain)1", "\(chain)2", "\(chain)3"])
        }
    }
}
