import Foundation
import SandboxCore
import SandboxTestSupport
import XCTest

/// The reference stack in a temp directory with two ways to reach moto: `faulty` through `Tests/fault_proxy.py`
/// (seeded faults, held requests) and `direct`; boto3 against moto itself is the witness for every invariant.
final class ReliabilityRig: @unchecked Sendable {
    static let bucket = "floe-provider-tests-123456789012-us-east-1"
    static let policyArn = "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions"
    static let budget = "floe-provider-tests-monthly-budget"
    static let addresses = [
        "budget.budget", "glue_database_prefix.glue", "iam_policy.policy", "s3_bucket.bucket", "s3_bucket_encryption.encryption",
        "s3_bucket_lifecycle.lifecycle", "s3_bucket_versioning.versioning", "s3_public_access_block.public_access",
    ]
    /// The client gives up on a silent request after this many seconds; `timeout` faults hold answers longer.
    static let httpTimeout = 1
    static let faultDelay = 2.0

    let moto: MotoServer
    let proxy: FaultProxy
    let directory: URL
    let faulty: CommandRunner
    /// Through the proxy with the default client timeout: a held request stays held until released.
    let patient: CommandRunner
    let direct: CommandRunner
    var statePath: String { directory.appendingPathComponent("State/aws-provider-tests.sqlite").path }

    /// One proxy per test process, in front of the shared moto server.
    private static let sharedProxy = ProxyBox()

    /// - Parameter servers: a moto server and proxy of its own (a lane); by default the shared ones.
    init(servers: (MotoServer, FaultProxy)? = nil) throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        if let servers {
            (moto, proxy) = servers
        } else {
            moto = try MotoServer.shared()
            proxy = try Self.sharedProxy.get(upstream: moto.endpoint)
        }
        try moto.reset()
        try proxy.configure()
        directory = try CommandRunner.temporaryDirectory()
        let environment = ["SANDBOX_VAR_owner": "team-a", "SANDBOX_VAR_budget_email": "alerts@example.com"]
        faulty = CommandRunner(endpoint: proxy.endpoint, directory: directory,
                               extraEnvironment: environment.merging(["SANDBOX_HTTP_TIMEOUT": "\(Self.httpTimeout)"]) { a, _ in a })
        patient = CommandRunner(endpoint: proxy.endpoint, directory: directory, extraEnvironment: environment)
        direct = CommandRunner(endpoint: moto.endpoint, directory: directory, extraEnvironment: environment)
        try direct.installReferenceStack()
    }

    func remove() {
        try? proxy.configure()
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// 20% faults (by default) of every kind, `timeout` faults holding answers past the client's timeout.
    func configureFaults(seed: Int, rate: Double = 0.2) throws {
        try proxy.configure(seed: seed, rate: rate, delay: Self.faultDelay)
    }

    /// What the proxy did since the last configure, for failure messages.
    func faults() -> String {
        guard let stats = try? proxy.stats() else { return "(no proxy stats)" }
        return "\(stats.requests) requests, \(stats.totalFaults) faults: \(stats.log.joined(separator: "; "))"
    }

    /// Starts `arguments` through the proxy, waits until it reaches the held request, kills it with SIGKILL, and
    /// returns the proxy's line for the held request.
    func killWhileHeld(_ arguments: [String], at point: (index: Int, afterForwarding: Bool), file: StaticString = #filePath,
                       line: UInt = #line) throws -> String {
        try proxy.configure(holdAt: point.index, holdAfterForwarding: point.afterForwarding)
        let process = try patient.start(arguments)
        let held = try proxy.waitUntilHeld(timeout: 60) { process.isRunning }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let log = (try? proxy.stats().log.last) ?? nil
        try proxy.release()
        XCTAssertTrue(held, "request #\(point.index) was never reached (exit \(process.terminationStatus))", file: file, line: line)
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "killed at #\(point.index)", file: file, line: line)
        return log ?? "#\(point.index)"
    }

    /// Runs a command directly against moto and fails the test unless it exits with `status`.
    @discardableResult
    func must(_ arguments: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try direct.run(arguments, timeout: 120)
        XCTAssertEqual(result.status, status, "sandbox \(arguments.joined(separator: " ")):\n\(result.output)", file: file, line: line)
        return result
    }

    @discardableResult
    func boto(_ script: String, _ arguments: [String] = []) throws -> String {
        try Boto.run(script, endpoint: moto.endpoint, arguments: arguments)
    }

    // MARK: - The witness

    /// What exists in moto and what state records, read in one boto3/sqlite3 process.
    struct Snapshot {
        var buckets: Set<String> = []
        var objects: [String: Int] = [:]  // bucket -> keys, versions and delete markers
        var publicAccessBlock = false
        var lifecycle = false
        var policies: [String: Int] = [:]  // ARN -> number of versions
        var budgets: Set<String> = []
        var databases: Set<String> = []
        var records: [String: (status: String, physicalId: String?)] = [:]
        var runs: [String: String] = [:]  // run id -> status
        var raw = ""

        /// Whether the resource a state address names exists in moto (nil: nothing remote to check).
        func exists(_ address: String, physicalId: String?) -> Bool? {
            switch address.split(separator: ".").first.map(String.init) ?? "" {
            case "s3_bucket": return buckets.contains(physicalId ?? "")
            case "iam_policy": return policies[physicalId ?? ""] != nil
            case "budget": return budgets.contains(physicalId ?? "")
            case "s3_public_access_block": return publicAccessBlock
            case "s3_bucket_lifecycle": return lifecycle
            case "s3_bucket_encryption", "s3_bucket_versioning": return buckets.contains(physicalId ?? "")
            default: return nil
            }
        }

        /// The stack's top-level resources that exist in moto, by the address that manages them.
        var existingTopLevel: [String] {
            var out: [String] = []
            if buckets.contains(ReliabilityRig.bucket) { out.append("s3_bucket.bucket") }
            if policies[ReliabilityRig.policyArn] != nil { out.append("iam_policy.policy") }
            if budgets.contains(ReliabilityRig.budget) { out.append("budget.budget") }
            return out
        }

        var isEmptyWorld: Bool { buckets.isEmpty && policies.isEmpty && budgets.isEmpty }
    }

    /// - Parameter putObjects: first writes this many objects under `runs/old/` in the stack's bucket.
    func snapshot(putObjects: Int = 0) throws -> Snapshot {
        let text = try boto(#"""
            import os, sqlite3
            from botocore.exceptions import ClientError
            s3, iam, budgets, glue = boto3.client("s3"), boto3.client("iam"), boto3.client("budgets"), boto3.client("glue")
            for i in range(int(sys.argv[3])):
                s3.put_object(Bucket=sys.argv[2], Key=f"runs/old/part-{i}", Body=b"x")
            out = {"buckets": [], "objects": {}, "pab": False, "lifecycle": False, "policies": {}, "budgets": [], "databases": [],
                   "records": {}, "runs": {}}
            for b in s3.list_buckets().get("Buckets", []):
                name = b["Name"]
                out["buckets"].append(name)
                v = s3.list_object_versions(Bucket=name)
                out["objects"][name] = len(v.get("Versions", [])) + len(v.get("DeleteMarkers", []))
                if name == sys.argv[2]:
                    try:
                        s3.get_public_access_block(Bucket=name)
                        out["pab"] = True
                    except ClientError:
                        pass
                    try:
                        out["lifecycle"] = len(s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"]) > 0
                    except ClientError:
                        pass
            for p in iam.list_policies(Scope="Local")["Policies"]:
                out["policies"][p["Arn"]] = len(iam.list_policy_versions(PolicyArn=p["Arn"])["Versions"])
            out["budgets"] = [b["BudgetName"] for b in budgets.describe_budgets(AccountId="123456789012").get("Budgets", [])]
            out["databases"] = [d["Name"] for d in glue.get_databases()["DatabaseList"]]
            if os.path.exists(sys.argv[1]):
                db = sqlite3.connect(sys.argv[1], timeout=10)
                for address, status, physical in db.execute("SELECT address, status, physical_id FROM resources"):
                    out["records"][address] = [status, physical]
                for run, status in db.execute("SELECT run_id, status FROM runs"):
                    out["runs"][run] = status
                db.close()
            print(json.dumps(out))
            """#, [statePath, Self.bucket, "\(putObjects)"])
        guard let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw MotoServerError("snapshot printed no JSON: \(text)")
        }
        var snapshot = Snapshot()
        snapshot.raw = text
        snapshot.buckets = Set(json["buckets"] as? [String] ?? [])
        snapshot.objects = json["objects"] as? [String: Int] ?? [:]
        snapshot.publicAccessBlock = json["pab"] as? Bool ?? false
        snapshot.lifecycle = json["lifecycle"] as? Bool ?? false
        snapshot.policies = json["policies"] as? [String: Int] ?? [:]
        snapshot.budgets = Set(json["budgets"] as? [String] ?? [])
        snapshot.databases = Set(json["databases"] as? [String] ?? [])
        for (address, value) in json["records"] as? [String: [Any]] ?? [:] {
            snapshot.records[address] = (value.first as? String ?? "?", value.count > 1 ? value[1] as? String : nil)
        }
        snapshot.runs = json["runs"] as? [String: String] ?? [:]
        return snapshot
    }

    // MARK: - Invariants

    /// State never records as created a resource that does not exist, and never loses one that does; after a
    /// successful apply it records exactly the stack, all created.
    func assertStateTellsTheTruth(_ snapshot: Snapshot, applySucceeded: Bool = false, _ context: String,
                                  file: StaticString = #filePath, line: UInt = #line) {
        for (address, record) in snapshot.records where record.status == "created" {
            if let exists = snapshot.exists(address, physicalId: record.physicalId) {
                XCTAssertTrue(exists, "\(context): state records \(address) as created but it does not exist\n\(snapshot.raw)", file: file, line: line)
            }
        }
        for address in snapshot.existingTopLevel {
            XCTAssertNotNil(snapshot.records[address], "\(context): \(address) exists but state has no record of it\n\(snapshot.raw)",
                            file: file, line: line)
        }
        if applySucceeded {
            XCTAssertEqual(Set(snapshot.records.keys), Set(Self.addresses), "\(context)\n\(snapshot.raw)", file: file, line: line)
            XCTAssertEqual(Set(snapshot.records.values.map(\.status)), ["created"], "\(context)\n\(snapshot.raw)", file: file, line: line)
            assertWorldIsTheStack(snapshot, context, file: file, line: line)
        }
    }

    /// Exactly one of each: no duplicate created by a retried request, no policy version churn.
    func assertWorldIsTheStack(_ snapshot: Snapshot, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(snapshot.buckets, [Self.bucket], "\(context)\n\(snapshot.raw)", file: file, line: line)
        XCTAssertEqual(snapshot.policies, [Self.policyArn: 1], "\(context)\n\(snapshot.raw)", file: file, line: line)
        XCTAssertEqual(snapshot.budgets, [Self.budget], "\(context)\n\(snapshot.raw)", file: file, line: line)
        XCTAssertTrue(snapshot.publicAccessBlock && snapshot.lifecycle, "\(context): bucket settings missing\n\(snapshot.raw)", file: file, line: line)
    }

    /// The command failed cleanly: a documented exit code, one-line errors, and a cause that faults explain.
    func assertCleanFailure(_ result: CommandRunner.Result, allowed: Set<Int32>, _ context: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(allowed.contains(result.status), "\(context): exit \(result.status), expected one of \(allowed.sorted())\n\(result.output)",
                      file: file, line: line)
        XCTAssertFalse(result.output.contains("Fatal error") || result.output.contains("Stack dump"), "\(context): crashed\n\(result.output)",
                       file: file, line: line)
        guard result.status != 0 else { return }
        let failures = result.output.split(separator: "\n").filter {
            $0.hasPrefix("error:") || $0.contains("failed:") || $0.contains("FAILED")
        }
        XCTAssertFalse(failures.isEmpty, "\(context): exit \(result.status) without an error line\n\(result.output)", file: file, line: line)
        for failure in failures {
            XCTAssertTrue(Self.isFaultExplained(String(failure)), "\(context): a failure the injected faults do not explain: \(failure)",
                          file: file, line: line)
        }
    }

    /// Words that name an injected fault (after retries): throttling, 5xx, timeouts, resets, cut bodies.
    static let faultMarkers = ["throttl", "Throttl", "SlowDown", "retry later", "after retries", "cannot reach", "timed out", "connection",
                               "truncated", "InternalError", "InternalFailure", "InternalServiceException", "ServiceUnavailable",
                               "HTTP 50", "network error", "skipped"]

    static func isFaultExplained(_ line: String) -> Bool {
        faultMarkers.contains { line.contains($0) }
    }

    // MARK: - Runs

    static func runId(_ n: Int) -> String {
        let day = 1 + (n / 86400) % 28, seconds = n % 86400
        return String(format: "floe-provider-202601%02dT%02d%02d%02dZ", day, seconds / 3600, (seconds / 60) % 60, seconds % 60)
    }

    static func database(_ runId: String) -> String {
        "floe_provider_" + runId.lowercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Writes `objects` keys under the run's prefix and its Glue database with `tables` tables.
    func seedRun(_ runId: String, objects: Int = 30, tables: Int = 3, extraKeys: [String] = []) throws {
        try boto(#"""
            from concurrent.futures import ThreadPoolExecutor
            s3, glue = boto3.client("s3"), boto3.client("glue")
            bucket, run, db, n, t = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
            def put(i):
                s3.put_object(Bucket=bucket, Key=f"runs/{run}/table/part-{i:04d}.parquet", Body=b"x" * 16)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(put, range(n)))
            for key in sys.argv[6:]:
                s3.put_object(Bucket=bucket, Key=key, Body=b"y")
            glue.create_database(DatabaseInput={"Name": db})
            for i in range(t):
                glue.create_table(DatabaseName=db, TableInput={"Name": f"t{i}", "StorageDescriptor": {"Location": f"s3://{bucket}/runs/{run}/t{i}/"}})
            """#, [Self.bucket, runId, Self.database(runId), "\(objects)", "\(tables)"] + extraKeys)
    }

    struct Remains: Equatable, CustomStringConvertible {
        let keys: Int
        let database: Bool
        /// The run's status in state (nil: not recorded).
        let status: String?
        var description: String { "\(keys) key(s), database \(database ? "present" : "gone"), state \(status ?? "none")" }
    }

    /// Keys under the run's prefix and whether its database exists (straight from moto), and its status in state.
    func remains(_ runId: String) throws -> Remains {
        try remains([runId])[runId] ?? Remains(keys: -1, database: true, status: nil)
    }

    func remains(_ runIds: [String]) throws -> [String: Remains] {
        let text = try boto(#"""
            import os, sqlite3
            s3, glue = boto3.client("s3"), boto3.client("glue")
            names = [d["Name"] for d in glue.get_databases()["DatabaseList"]]
            statuses = {}
            if os.path.exists(sys.argv[2]):
                db = sqlite3.connect(sys.argv[2], timeout=10)
                statuses = dict(db.execute("SELECT run_id, status FROM runs"))
                db.close()
            out = {}
            for run in sys.argv[3:]:
                keys = 0
                for page in s3.get_paginator("list_object_versions").paginate(Bucket=sys.argv[1], Prefix=f"runs/{run}/"):
                    keys += len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
                database = "floe_provider_" + run.lower().replace("-", "_")
                out[run] = [keys, database in names, statuses.get(run)]
            print(json.dumps(out))
            """#, [Self.bucket, statePath] + runIds)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: [Any]], text)
        return object.mapValues { Remains(keys: $0[0] as? Int ?? -1, database: $0[1] as? Bool ?? true, status: $0[2] as? String) }
    }

    /// A passing JUnit file, so a clean cleanup's report says PASS.
    func passingJUnit() throws -> String {
        let path = self.path("junit.xml")
        try #"<testsuites><testsuite name="pytest" tests="1"><testcase classname="t" name="ok"/></testsuite></testsuites>"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The JSON report printed by `cleanup --json`.
    static func report(_ result: CommandRunner.Result) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }
}

/// Runs seeds (or kill points) on parallel lanes, each a rig with its own moto server, proxy and directory. The
/// fault and crash tests mostly wait (backoff sleeps, client timeouts, process start-up), so lanes cut their wall
/// time without adding much CPU. SANDBOX_RELIABILITY_LANES=1 runs everything in one lane.
enum Lanes {
    static let count = max(1, min(8, ProcessInfo.processInfo.environment["SANDBOX_RELIABILITY_LANES"].flatMap(Int.init) ?? 3))
    private static let pool = ServerPool()

    /// `setUp` prepares each lane's rig once; `body` then runs for the lane's share of `items`, in order.
    static func run<Item: Sendable>(_ items: [Item], file: StaticString = #filePath, line: UInt = #line,
                                    setUp: @escaping @Sendable (ReliabilityRig) throws -> Void = { _ in },
                                    _ body: @escaping @Sendable (ReliabilityRig, Item) throws -> Void) {
        let lanes = min(count, max(1, items.count))
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            do {
                let rig = try ReliabilityRig(servers: try pool.servers(lane: lane))
                defer { rig.remove() }
                try setUp(rig)
                for (index, item) in items.enumerated() where index % lanes == lane {
                    do { try body(rig, item) } catch { XCTFail("lane \(lane), \(item): \(error)", file: file, line: line) }
                }
            } catch {
                XCTFail("lane \(lane) could not start: \(error)", file: file, line: line)
            }
        }
    }
}

/// A moto server and a proxy per lane, started on first use and kept for the test process.
private final class ServerPool: @unchecked Sendable {
    private let lock = NSLock()
    private var lanes: [Int: (MotoServer, FaultProxy)] = [:]

    /// Lanes start their servers in parallel: each lane asks only for its own.
    func servers(lane: Int) throws -> (MotoServer, FaultProxy) {
        if let found = lock.withLock({ lanes[lane] }) { return found }
        let moto = try MotoServer.start()
        let proxy = try FaultProxy.start(upstream: moto.endpoint)
        lock.withLock { lanes[lane] = (moto, proxy) }
        return (moto, proxy)
    }
}

/// Starts the proxy once per test process.
private final class ProxyBox: @unchecked Sendable {
    private let lock = NSLock()
    private var proxy: FaultProxy?

    func get(upstream: URL) throws -> FaultProxy {
        lock.lock()
        defer { lock.unlock() }
        if let proxy { return proxy }
        let started = try FaultProxy.start(upstream: upstream)
        proxy = started
        return started
    }
}

/// How many seeds the fault tests run: 10 in `make test`, more with `make soak` (SANDBOX_SOAK_SEEDS).
enum Soak {
    static var seeds: [Int] {
        let environment = ProcessInfo.processInfo.environment
        let count = environment["SANDBOX_SOAK_SEEDS"].flatMap(Int.init) ?? 10
        let first = environment["SANDBOX_SOAK_FIRST_SEED"].flatMap(Int.init) ?? 1
        return Array(first..<(first + max(1, count)))
    }

    /// Kill points per crash test: the default, or scaled up with the soak seed count.
    static func points(_ base: Int) -> Int {
        let count = ProcessInfo.processInfo.environment["SANDBOX_SOAK_SEEDS"].flatMap(Int.init) ?? 10
        return max(base, base * count / 10)
    }
}
