import Foundation
import SandboxTestSupport
import XCTest

/// State on S3 (`--backend s3://BUCKET/KEY`): migrate, plan/apply/list/output against it, pull and push with their
/// guards, two writers on one remote state, and lost answers to its conditional writes (the lock object with
/// If-None-Match, renewals and state uploads with If-Match).
final class RemoteStateReliabilityTests: XCTestCase {
    var rig: ReliabilityRig!
    static let stateBucket = "sandbox-state-store"
    static let backend = "s3://\(stateBucket)/envs/ci.sqlite"
    let backendFlag = ["--backend", RemoteStateReliabilityTests.backend]

    override func setUpWithError() throws {
        rig = try ReliabilityRig()
        try rig.must(["apply", "--auto-approve"])
        try rig.boto(#"boto3.client("s3").create_bucket(Bucket=sys.argv[1])"#, [Self.stateBucket])
        let moved = try rig.must(["state", "migrate", "--to", Self.backend])
        XCTAssertTrue(moved.stdout.contains("Copied the state"), moved.stdout)
    }

    override func tearDownWithError() throws {
        rig?.remove()
    }

    /// Keys in the state bucket, and the remote state's resources and serial (read with sqlite3 from a download).
    func remote() throws -> (keys: [String], resources: [String: String], serial: Int, runs: [String: String]) {
        let text = try rig.boto(#"""
            import sqlite3, tempfile
            s3 = boto3.client("s3")
            keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=sys.argv[1]).get("Contents", []))
            resources, serial, runs = {}, -1, {}
            if "envs/ci.sqlite" in keys:
                path = tempfile.mktemp(suffix=".sqlite")
                s3.download_file(sys.argv[1], "envs/ci.sqlite", path)
                db = sqlite3.connect(path)
                resources = dict(db.execute("SELECT address, status FROM resources"))
                serial = db.execute("SELECT serial FROM meta").fetchone()[0]
                runs = dict(db.execute("SELECT run_id, status FROM runs"))
                db.close()
            print(json.dumps({"keys": keys, "resources": resources, "serial": serial, "runs": runs}))
            """#, [Self.stateBucket])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
        return (json["keys"] as? [String] ?? [], json["resources"] as? [String: String] ?? [:], json["serial"] as? Int ?? -1,
                json["runs"] as? [String: String] ?? [:])
    }

    func testStateOnS3ServesEveryCommandAndPullPushKeepTheirGuards() throws {
        let before = try remote()
        XCTAssertEqual(before.keys, ["envs/ci.sqlite"])
        XCTAssertEqual(Set(before.resources.keys), Set(ReliabilityRig.addresses))
        try rig.must(["plan", "--detailed-exitcode"] + backendFlag)
        let applied = try rig.must(["apply", "--auto-approve", "--var", "run_data_retention_days=5"] + backendFlag)
        XCTAssertTrue(applied.stdout.contains("1 applied, 7 unchanged"), applied.stdout)
        let after = try remote()
        XCTAssertGreaterThan(after.serial, before.serial)
        XCTAssertEqual(after.keys, ["envs/ci.sqlite"], "the lock object is gone")
        let listed = try rig.must(["state", "list", "--json"] + backendFlag)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any])?.count, 8, listed.stdout)
        let output = try rig.must(["output", "FLOE_AWS_TEST_BUCKET"] + backendFlag)
        XCTAssertEqual(output.stdout, ReliabilityRig.bucket + "\n")

        // pull refuses to overwrite; push refuses an older copy unless forced; a pulled copy pushes back cleanly.
        let pulled = rig.path("pulled.sqlite")
        try rig.must(["state", "pull", "--out", pulled] + backendFlag)
        try rig.must(["state", "pull", "--out", pulled] + backendFlag, status: 2)
        let stale = try rig.must(["state", "push", rig.statePath] + backendFlag, status: 5)
        XCTAssertTrue(stale.stderr.contains("is newer"), stale.stderr)
        try rig.must(["state", "push", pulled] + backendFlag)
        try rig.must(["plan", "--detailed-exitcode", "--var", "run_data_retention_days=5"] + backendFlag)

        // Back to a local file, which then plans without changes.
        let local = rig.path("back.sqlite")
        try rig.must(["state", "migrate", "--to", local] + backendFlag)
        try rig.must(["plan", "--detailed-exitcode", "--var", "run_data_retention_days=5", "--state", local])
        try rig.must(["state", "migrate", "--to", local] + backendFlag, status: 2)
    }

    func testSecondWriterOnARemoteStateFailsAtOnceOrWaits() throws {
        // The first apply holds the remote lock while the proxy holds its 4th request (after STS, the lock, the state read).
        try rig.proxy.configure(holdAt: 4, holdAfterForwarding: false)
        let patient = rig.patient, direct = rig.direct, flag = backendFlag
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var first: CommandRunner.Result?
        DispatchQueue.global().async {
            first = try? patient.run(["apply", "--auto-approve", "--var", "run_data_retention_days=4"] + flag)
            done.signal()
        }
        XCTAssertTrue(try rig.proxy.waitUntilHeld(timeout: 60) { true }, "the first apply reached its 4th request")
        let refused = try rig.direct.run(["apply", "--auto-approve"] + backendFlag)
        XCTAssertEqual(refused.status, 5, refused.output)
        XCTAssertTrue(refused.stderr.contains("is locked by") && refused.stderr.contains("apply since"), refused.stderr)

        let waiterDone = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var waiter: CommandRunner.Result?
        DispatchQueue.global().async {
            waiter = try? direct.run(["apply", "--auto-approve", "--var", "run_data_retention_days=4", "--lock-timeout", "60"] + flag)
            waiterDone.signal()
        }
        Thread.sleep(forTimeInterval: 1)
        try rig.proxy.release()
        XCTAssertEqual(done.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(waiterDone.wait(timeout: .now() + 120), .success)
        let firstResult = try XCTUnwrap(first), waiterResult = try XCTUnwrap(waiter)
        XCTAssertEqual(firstResult.status, 0, firstResult.output)
        XCTAssertTrue(firstResult.stdout.contains("1 applied"), firstResult.stdout)
        XCTAssertEqual(waiterResult.status, 0, waiterResult.output)
        XCTAssertTrue(waiterResult.stdout.contains("0 applied, 8 unchanged"), "the waiter planned on the first one's state:\n\(waiterResult.stdout)")
        XCTAssertEqual(try remote().keys, ["envs/ci.sqlite"], "no lock left behind")
    }

    /// run new, apply and cleanup on the remote state through 20% random faults, one seed per round: whatever
    /// exits 0 is in the remote state, nothing claims more than happened, and no lock object is left behind.
    func testRemoteStateUnderRandomFaultsKeepsEveryRecordAndNoLock() throws {
        let attempts = FaultInjectionTests.attempts
        var converged = 0
        for seed in Soak.seeds.prefix(6) {
            try rig.configureFaults(seed: seed + 40_000)
            let days = "\(3 + seed % 20)"
            let context = "seed \(seed + 40_000)"
            let minted = try rig.faulty.run(["run", "new", "--workspace", "w\(seed)"] + attempts + backendFlag)
            let runId = minted.stdout.split(separator: "\n").first { $0.contains("FLOE_PROVIDER_SPIKE_RUN=") }?
                .split(separator: "=").last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
            let applied = try rig.faulty.run(["apply", "--auto-approve", "--var", "run_data_retention_days=\(days)"] + attempts + backendFlag)
            var cleaned: CommandRunner.Result?
            if let runId {
                try rig.seedRun(runId, objects: 5, tables: 1)
                cleaned = try rig.faulty.run(["cleanup", "--run", runId, "--quiet"] + attempts + backendFlag)
            }
            let faults = rig.faults()
            try rig.proxy.configure()
            for result in [minted, applied] + (cleaned.map { [$0] } ?? []) {
                rig.assertCleanFailure(result, allowed: [0, 1, 4], "\(context) (\(faults))")
            }
            let state = try remote()
            XCTAssertEqual(state.keys, ["envs/ci.sqlite"], "\(context): a lock object was left behind (\(faults))")
            if minted.status == 0 {
                let runId = try XCTUnwrap(runId, minted.stdout)
                XCTAssertNotNil(state.runs[runId], "\(context): run new said \(runId) but the remote state lost it")
                if cleaned?.status == 0 {
                    XCTAssertEqual(state.runs[runId], "cleaned", "\(context): cleanup said clean (\(faults))")
                    XCTAssertEqual(try rig.remains(runId).keys, 0, context)
                }
            }
            if applied.status == 0 {
                converged += 1
                XCTAssertEqual(Set(state.resources.values), ["created"], context)
                try rig.must(["plan", "--detailed-exitcode", "--var", "run_data_retention_days=\(days)"] + backendFlag)
            }
            try rig.must(["apply", "--auto-approve", "--var", "run_data_retention_days=\(days)"] + backendFlag)
        }
        XCTAssertGreaterThanOrEqual(converged, 4, "applies that converged through the faults")
    }

    /// A conditional write whose answer is lost is retried and fails its own condition. It used to read as "locked
    /// by" this very process (and leave the lock for its TTL), "lost its lock", or "someone else wrote the state".
    func testLostAnswersToConditionalWritesAreRecognisedAsOurOwn() throws {
        let lockKey = #"^PUT s3 /sandbox-state-store/envs/ci\.sqlite\.lock$"#
        let stateKey = #"^PUT s3 /sandbox-state-store/envs/ci\.sqlite$"#
        let cases: [(String, [FaultProxy.Rule])] = [
            ("lock taken", [FaultProxy.Rule(lockKey, .reset, regex: true)]),
            ("lock renewed", [FaultProxy.Rule(lockKey, .internalError, skip: 1, regex: true)]),
            ("state written", [FaultProxy.Rule(stateKey, .reset, regex: true)]),
            ("all three", [FaultProxy.Rule(lockKey, .truncate, regex: true), FaultProxy.Rule(lockKey, .internalError, skip: 1, regex: true),
                           FaultProxy.Rule(stateKey, .internalError, regex: true)]),
        ]
        for (n, (name, rules)) in cases.enumerated() {
            let days = "\(10 + n)"
            try rig.proxy.configure(rules: rules)
            let result = try rig.faulty.run(["apply", "--auto-approve", "--var", "run_data_retention_days=\(days)"] + backendFlag)
            let stats = try rig.proxy.stats()
            XCTAssertEqual(stats.totalFaults, rules.count, "\(name): \(stats.log)")
            XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)\n\(stats.log)")
            XCTAssertFalse(result.stderr.contains("merged this run's changes"), "\(name): its own write taken for another writer's\n\(result.stderr)")
            let state = try remote()
            XCTAssertEqual(state.keys, ["envs/ci.sqlite"], "\(name): the lock object was left behind")
            XCTAssertEqual(Set(state.resources.values), ["created"], name)
            try rig.must(["plan", "--detailed-exitcode", "--var", "run_data_retention_days=\(days)"] + backendFlag)
        }
    }
}
