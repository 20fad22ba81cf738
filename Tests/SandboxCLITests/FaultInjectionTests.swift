import Foundation
import SandboxTestSupport
import XCTest

/// apply, destroy, cleanup and check through `Tests/fault_proxy.py` with 20% faults (500, 503 SlowDown, throttling,
/// resets, answers past the client timeout, truncated bodies), one seed per round. Each command either converges
/// (retries, `--max-attempts 6`) or fails cleanly with a documented exit code and a cause the faults explain; after
/// every run boto3, straight against moto, checks that state and reports tell the truth, and a direct run converges.
final class FaultInjectionTests: XCTestCase {
    var rig: ReliabilityRig!

    override func setUpWithError() throws {
        rig = try ReliabilityRig()
    }

    override func tearDownWithError() throws {
        rig?.remove()
    }

    static let attempts = ["--max-attempts", "6"]

    /// Counts shared by the lanes.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func add(_ key: String, _ n: Int = 1) { lock.withLock { counts[key, default: 0] += n } }
        subscript(_ key: String) -> Int { lock.withLock { counts[key] ?? 0 } }
    }

    func testApplyAndDestroyConvergeOrFailCleanlyUnderFaults() throws {
        let tally = Tally()
        Lanes.run(Soak.seeds) { rig, seed in
            try rig.moto.reset()
            try? FileManager.default.removeItem(atPath: rig.path("State"))

            try rig.configureFaults(seed: seed)
            let applied = try rig.faulty.run(["apply", "--auto-approve"] + Self.attempts)
            let context = "apply, seed \(seed) (\(rig.faults()))"
            tally.add("faults", try rig.proxy.stats().totalFaults)
            rig.assertCleanFailure(applied, allowed: [0, 1, 4], context)
            try rig.assertStateTellsTheTruth(rig.snapshot(), applySucceeded: applied.status == 0, context)
            if applied.status == 0 { tally.add("apply") }

            // Whatever the faults left, a direct run reconciles it. (Objects in the bucket for destroy to empty.)
            try rig.must(["apply", "--auto-approve"])
            try rig.must(["plan", "--detailed-exitcode"])
            try rig.assertStateTellsTheTruth(rig.snapshot(putObjects: 5), applySucceeded: true, "converged after \(context)")

            try rig.configureFaults(seed: seed + 10_000)
            let destroyed = try rig.faulty.run(["destroy", "--auto-approve", "--empty-bucket"] + Self.attempts)
            let destroyContext = "destroy, seed \(seed + 10_000) (\(rig.faults()))"
            tally.add("faults", try rig.proxy.stats().totalFaults)
            rig.assertCleanFailure(destroyed, allowed: [0, 1, 4], destroyContext)
            let after = try rig.snapshot()
            rig.assertStateTellsTheTruth(after, destroyContext)
            if destroyed.status == 0 {
                tally.add("destroy")
                XCTAssertTrue(after.isEmptyWorld, "\(destroyContext): destroy said complete\n\(after.raw)")
                XCTAssertTrue(after.records.isEmpty, "\(destroyContext): state still records \(after.records.keys.sorted())")
            }
            if destroyed.status != 0 {
                try rig.must(["destroy", "--auto-approve", "--empty-bucket"])
                let gone = try rig.snapshot()
                XCTAssertTrue(gone.isEmptyWorld && gone.records.isEmpty, "converged after \(destroyContext)\n\(gone.raw)")
            }
        }
        let seeds = Soak.seeds.count
        XCTAssertGreaterThan(tally["faults"], seeds * 4, "the proxy injected too few faults to mean anything")
        // 20% faults against 6 attempts: retries should carry nearly every run.
        XCTAssertGreaterThanOrEqual(tally["apply"], seeds * 7 / 10, "applies that converged")
        XCTAssertGreaterThanOrEqual(tally["destroy"], seeds * 7 / 10, "destroys that converged")
        print("FaultInjectionTests: \(seeds) seeds on \(Lanes.count) lanes, \(tally["faults"]) faults; converged \(tally["apply"]) applies, \(tally["destroy"]) destroys")
    }

    static let bystander = ReliabilityRig.runId(99_999)

    func testCleanupNeverReportsCleanWhileSomethingRemainsUnderFaults() throws {
        let tally = Tally()
        Lanes.run(Soak.seeds, setUp: { rig in
            try rig.must(["apply", "--auto-approve"])
            try rig.seedRun(Self.bystander, objects: 7, tables: 1)
        }) { rig, seed in
            let junit = try rig.passingJUnit()
            let runId = ReliabilityRig.runId(seed * 61)
            try rig.seedRun(runId)
            try rig.configureFaults(seed: seed + 20_000)
            let result = try rig.faulty.run(["cleanup", "--run", runId, "--json", "--junit", junit] + Self.attempts)
            let context = "cleanup \(runId), seed \(seed + 20_000) (\(rig.faults()))"
            rig.assertCleanFailure(result, allowed: [0, 1, 4], context)
            let report = try XCTUnwrap(ReliabilityRig.report(result), "\(context): no JSON report\n\(result.output)")
            let cleanup = report["cleanup"] as? [String: Any] ?? [:]
            let found = try rig.remains([runId, Self.bystander])
            let left = try XCTUnwrap(found[runId])
            XCTAssertEqual(found[Self.bystander]?.keys, 7, "\(context) touched another run")
            if result.status == 0 {
                XCTAssertEqual(left.status, "cleaned", "\(context): the run's status in state")
            } else {
                XCTAssertNotEqual(left.status, "cleaned", "\(context): the run's status in state")
            }
            if result.status == 0 {
                tally.add("passed")
                XCTAssertEqual(report["status"] as? String, "PASS", context)
                XCTAssertEqual(left.keys, 0, "\(context): exit 0 while keys remain")
                XCTAssertFalse(left.database, "\(context): exit 0 while the database remains")
            } else {
                XCTAssertNotEqual(report["status"] as? String, "PASS", "\(context): PASS with exit \(result.status)")
            }
            if left.keys > 0 || left.database {
                XCTAssertNotEqual(result.status, 0, "\(context): something remains: \(left)")
                XCTAssertNotEqual(report["status"] as? String, "PASS", context)
                XCTAssertTrue((cleanup["objectsRemaining"] as? Int ?? 0) != 0 || cleanup["databasePresent"] as? Bool == true,
                              "\(context): the report does not say what remains: \(cleanup)")
            }
            let again = try rig.must(["cleanup", "--run", runId, "--json", "--junit", junit])
            XCTAssertEqual(ReliabilityRig.report(again)?["status"] as? String, "PASS", "converged after \(context)")
            let gone = try rig.remains(runId)
            XCTAssertTrue(gone.keys == 0 && !gone.database, "converged after \(context): \(gone)")
        }
        XCTAssertGreaterThanOrEqual(tally["passed"], Soak.seeds.count * 7 / 10, "cleanups that converged")
    }

    func testCheckIsReadyOrNamesTheFaultUnderFaults() throws {
        let tally = Tally()
        Lanes.run(Soak.seeds, setUp: { rig in try rig.must(["apply", "--auto-approve"]) }) { rig, seed in
            try rig.configureFaults(seed: seed + 30_000)
            let result = try rig.faulty.run(["check", "--json"] + Self.attempts)
            let context = "check, seed \(seed + 30_000) (\(rig.faults()))"
            XCTAssertTrue([0, 1].contains(result.status), "\(context): exit \(result.status)\n\(result.output)")
            let json = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                     "\(context): no JSON\n\(result.output)")
            XCTAssertEqual(json["ready"] as? Bool, result.status == 0, context)
            if result.status == 0 {
                tally.add("ready")
            } else {
                // Not ready only because of the faults: never "missing" or "drift" for a sandbox that is all there.
                for check in json["checks"] as? [[String: Any]] ?? [] where check["status"] as? String == "fail" {
                    let detail = check["detail"] as? String ?? ""
                    XCTAssertTrue(ReliabilityRig.isFaultExplained(detail), "\(context): \(check["name"] ?? "?") failed: \(detail)")
                }
                try rig.must(["check"])
            }
        }
        XCTAssertGreaterThanOrEqual(tally["ready"], Soak.seeds.count * 7 / 10, "checks that converged")
    }

    /// A create whose answer is lost after AWS acted is retried, finds "already exists", and adopts its own resource
    /// instead of failing the apply (IAM CreatePolicy and Budgets CreateBudget are not idempotent).
    func testLostCreateAnswersAreRetriedAndAdopted() throws {
        for kind in [FaultProxy.Kind.reset, .internalError, .truncate] {
            try rig.moto.reset()
            try? FileManager.default.removeItem(atPath: rig.path("State"))
            try rig.proxy.configure(delay: ReliabilityRig.faultDelay, rules: [
                FaultProxy.Rule("CreatePolicy", kind), FaultProxy.Rule("CreateBudget", kind), FaultProxy.Rule("PUT s3 /\(ReliabilityRig.bucket)", kind),
            ])
            let result = try rig.faulty.run(["apply", "--auto-approve"])
            let stats = try rig.proxy.stats()
            XCTAssertEqual(stats.totalFaults, 3, "\(kind): \(stats.log)")
            XCTAssertEqual(result.status, 0, "\(kind):\n\(result.output)\n\(stats.log)")
            try rig.assertStateTellsTheTruth(rig.snapshot(), applySucceeded: true, "\(kind)")
            try rig.must(["plan", "--detailed-exitcode"])
        }
    }

    /// The access probe's put, create and deletes with their answers lost: check stays ready and the probe leaves
    /// nothing behind (it used to fail on its own retried CreateDatabase and leak the database).
    func testProbeSurvivesLostAnswersAndLeavesNothingBehind() throws {
        try rig.must(["apply", "--auto-approve"])
        try rig.proxy.configure(rules: [
            FaultProxy.Rule("PUT s3 /\(ReliabilityRig.bucket)/runs/sandbox-probe", .reset),
            FaultProxy.Rule("DELETE s3 /\(ReliabilityRig.bucket)/runs/sandbox-probe", .internalError),
            FaultProxy.Rule("CreateDatabase", .internalError), FaultProxy.Rule("DeleteDatabase", .reset),
        ])
        let result = try rig.faulty.run(["check", "--probe"])
        XCTAssertEqual(try rig.proxy.stats().totalFaults, 4, rig.faults())
        XCTAssertEqual(result.status, 0, "\(result.output)\n\(rig.faults())")
        let left = try rig.boto(#"""
            keys = boto3.client("s3").list_objects_v2(Bucket=sys.argv[1], Prefix="runs/sandbox-probe").get("KeyCount", 0)
            databases = [d["Name"] for d in boto3.client("glue").get_databases()["DatabaseList"] if "probe" in d["Name"]]
            print(json.dumps({"keys": keys, "databases": databases}))
            """#, [ReliabilityRig.bucket])
        XCTAssertEqual(left.trimmingCharacters(in: .whitespacesAndNewlines), #"{"keys": 0, "databases": []}"#)
    }

    /// Past the retries every command fails with the documented exit code and says why; nothing is left half-recorded.
    func testFaultsPastRetriesFailWithTheRightExitCode() throws {
        try rig.proxy.configure(rate: 1, kinds: [.throttle])
        let apply = try rig.faulty.run(["apply", "--auto-approve", "--max-attempts", "2"])
        XCTAssertEqual(apply.status, 4, apply.output)
        XCTAssertTrue(apply.stderr.contains("throttling"), apply.stderr)
        XCTAssertEqual(apply.stderr.split(separator: "\n").count, 1, "one error line: \(apply.stderr)")
        let check = try rig.faulty.run(["check", "--max-attempts", "2"])
        XCTAssertEqual(check.status, 1, check.output)
        XCTAssertTrue(check.output.contains("Throttling"), check.output)

        try rig.proxy.configure()
        try rig.must(["apply", "--auto-approve"])
        let runId = ReliabilityRig.runId(4242)
        try rig.seedRun(runId)
        try rig.proxy.configure(rate: 1, kinds: [.slowDown])
        let cleanup = try rig.faulty.run(["cleanup", "--run", runId, "--json", "--max-attempts", "2"])
        XCTAssertEqual(cleanup.status, 4, cleanup.output)
        XCTAssertNotEqual(ReliabilityRig.report(cleanup)?["status"] as? String, "PASS", cleanup.output)
        let destroy = try rig.faulty.run(["destroy", "--auto-approve", "--empty-bucket", "--max-attempts", "2"])
        XCTAssertEqual(destroy.status, 4, destroy.output)
        try rig.assertStateTellsTheTruth(rig.snapshot(), applySucceeded: true, "after failed destroy")

        // Answers that never come: the client's timeout (SANDBOX_HTTP_TIMEOUT) ends each attempt.
        try rig.proxy.configure(rate: 1, kinds: [.timeout], delay: ReliabilityRig.faultDelay)
        let started = Date()
        let slow = try rig.faulty.run(["plan", "--max-attempts", "1"])
        XCTAssertEqual(slow.status, 4, slow.output)
        XCTAssertTrue(slow.stderr.contains("timed out"), slow.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
        let bad = try rig.faulty.run(["plan"], environment: ["SANDBOX_HTTP_TIMEOUT": "soon"])
        XCTAssertEqual(bad.status, 2, bad.output)
        XCTAssertTrue(bad.stderr.contains("SANDBOX_HTTP_TIMEOUT"), bad.stderr)
    }
}
