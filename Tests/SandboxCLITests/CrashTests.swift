import Foundation
import SandboxTestSupport
import XCTest

/// kill -9 at known request indices: the fault proxy holds the N-th request (before or after forwarding it to
/// moto), the test kills the sandbox process while it waits, and the next run must reconcile. Indices come from a
/// fixed seed, so every run of the suite kills at the same points.
final class CrashTests: XCTestCase {
    var rig: ReliabilityRig!
    static let seed: UInt64 = 20_261_121

    override func setUpWithError() throws {
        rig = try ReliabilityRig()
    }

    override func tearDownWithError() throws {
        rig?.remove()
    }

    /// `count` distinct request indices in 2...total, with the phase (after forwarding or not) for each.
    func killPoints(total: Int, count: Int, salt: UInt64) -> [(index: Int, afterForwarding: Bool)] {
        var generator = SeededGenerator(seed: Self.seed ^ salt)
        var indices = Set<Int>()
        let wanted = min(count, max(1, total - 1))
        while indices.count < wanted { indices.insert(Int.random(in: 2...max(2, total), using: &generator)) }
        return indices.sorted().map { ($0, Bool.random(using: &generator)) }
    }

    /// Requests a command makes through the proxy when nothing goes wrong.
    func requestCount(_ arguments: [String]) throws -> Int {
        try rig.proxy.configure()
        let result = try rig.faulty.run(arguments)
        XCTAssertEqual(result.status, 0, result.output)
        return try rig.proxy.stats().requests
    }

    static let apply = ["apply", "--auto-approve", "--parallelism", "1"]

    func testApplyKilledAtSeededRequestsIsReconciled() throws {
        let total = try requestCount(Self.apply)
        XCTAssertGreaterThan(total, 15, "an apply from empty makes more requests than this")
        let interrupted = FaultInjectionTests.Tally()
        let points = killPoints(total: total, count: Soak.points(12), salt: 1).map { Point(index: $0.index, afterForwarding: $0.afterForwarding) }
        Lanes.run(points) { rig, point in
            try rig.moto.reset()
            try? FileManager.default.removeItem(atPath: rig.path("State"))
            let held = try rig.killWhileHeld(Self.apply, at: (point.index, point.afterForwarding))
            let context = "apply killed at \(held)"

            // State never claims a resource that is not there, and has a record for everything that is.
            let snapshot = try rig.snapshot()
            rig.assertStateTellsTheTruth(snapshot, context)
            if snapshot.records.values.contains(where: { $0.status == "pending" }) { interrupted.add("pending") }

            // plan finds anything created but not yet recorded as created.
            let plan = try rig.must(["plan", "--json"])
            let changes = (try? JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])?["changes"] as? [[String: Any]] ?? []
            let actions = Dictionary(changes.compactMap { change -> (String, String)? in
                guard let address = change["address"] as? [String: Any], let type = address["type"] as? String, let name = address["name"] as? String,
                      let action = change["action"] as? String else { return nil }
                return ("\(type).\(name)", action)
            }, uniquingKeysWith: { a, _ in a })
            XCTAssertEqual(Set(actions.keys), Set(ReliabilityRig.addresses), "\(context): plan --json\n\(plan.stdout.prefix(400))")
            for address in snapshot.existingTopLevel where snapshot.records[address]?.status != "created" {
                XCTAssertNotNil(actions[address], "\(context): \(address) exists unrecorded and plan does not mention it")
                XCTAssertNotEqual(actions[address], "noop", "\(context): \(address) exists unrecorded but plan has nothing to do")
                XCTAssertNotEqual(actions[address], "importable", "\(context): \(address) was created by sandbox, not outside it")
            }

            try rig.must(["apply", "--auto-approve"])
            try rig.must(["plan", "--detailed-exitcode"])
            try rig.assertStateTellsTheTruth(rig.snapshot(), applySucceeded: true, "converged after \(context)")
        }
        XCTAssertGreaterThan(interrupted["pending"], 0, "no kill landed while a resource was pending")
        print("CrashTests: \(total) requests per apply; \(interrupted["pending"]) of \(points.count) kills left pending records")
    }

    struct Point: Sendable, CustomStringConvertible {
        let index: Int
        let afterForwarding: Bool
        var description: String { "request #\(index) (\(afterForwarding ? "after" : "before") forwarding)" }
    }

    static let bystander = ReliabilityRig.runId(77_777)

    func testCleanupKilledAtSeededRequestsIsReconciled() throws {
        try rig.must(["apply", "--auto-approve"])
        let calibration = ReliabilityRig.runId(1)
        try rig.seedRun(calibration, objects: 10)
        let total = try requestCount(["cleanup", "--run", calibration, "--quiet"])
        XCTAssertGreaterThan(total, 6)
        let points = killPoints(total: total, count: Soak.points(8), salt: 2).enumerated().map {
            (n: $0.offset, point: Point(index: $0.element.index, afterForwarding: $0.element.afterForwarding))
        }.map { RunPoint(runId: ReliabilityRig.runId(100 + $0.n), point: $0.point) }
        Lanes.run(points, setUp: { rig in
            try rig.must(["apply", "--auto-approve"])
            try rig.seedRun(Self.bystander, objects: 5, tables: 1)
        }) { rig, item in
            let junit = try rig.passingJUnit()
            try rig.seedRun(item.runId, objects: 10)
            let held = try rig.killWhileHeld(["cleanup", "--run", item.runId, "--quiet", "--junit", junit],
                                             at: (item.point.index, item.point.afterForwarding))
            let context = "cleanup killed at \(held)"
            XCTAssertNotEqual(try rig.remains(item.runId).status, "cleaned", "\(context): recorded as cleaned by a process that died")

            let result = try rig.must(["cleanup", "--run", item.runId, "--json", "--junit", junit])
            XCTAssertEqual(ReliabilityRig.report(result)?["status"] as? String, "PASS", "\(context)\n\(result.output)")
            let found = try rig.remains([item.runId, Self.bystander])
            XCTAssertEqual(found[item.runId], ReliabilityRig.Remains(keys: 0, database: false, status: "cleaned"), context)
            XCTAssertEqual(found[Self.bystander]?.keys, 5, "\(context) touched another run")
        }
    }

    struct RunPoint: Sendable, CustomStringConvertible {
        let runId: String
        let point: Point
        var description: String { "\(runId) at \(point)" }
    }
}
