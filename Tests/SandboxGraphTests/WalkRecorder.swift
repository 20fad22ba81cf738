import Foundation
import SandboxGraph
import XCTest

/// Records what a walk did, so tests can check order and concurrency after the fact.
actor WalkRecorder {
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

struct VisitFailed: Error, CustomStringConvertible {
    let node: String
    var description: String { "\(node) failed on purpose" }
}
