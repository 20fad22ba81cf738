import Foundation
import SandboxCore
import SandboxAWS
import SandboxCleanup
import SandboxServices
import SandboxTestSupport
import XCTest

/// The engine against moto, with boto3 as the independent witness of what exists before and after.
final class CleanupEngineTests: MotoTestCase {
    static let target = "run-20250101T000000Z"
    var prefix: String { "runs/\(Self.target)/" }

    /// Keys inside the target run that stress encoding: spaces, unicode, `+ % = & ? #`, a leading combining mark,
    /// double slashes, the folder marker itself, and a 1,000-byte key.
    var awkwardTargetKeys: [String] {
        let longBase = prefix + "long/"
        return [
            prefix,
            prefix + "with space/file name.txt",
            prefix + "unicode/データ/ñandú-😀.bin",
            prefix + "\u{301}starts-with-a-combining-mark",
            prefix + "plus+sign+key",
            prefix + "percent%2Fencoded%",
            prefix + "equals=a&b=c?d#e",
            prefix + "star*(1)~'quote'!",
            prefix + "double//slash",
            prefix + "deep/a/b/c/d/e/f/g/h/i/j.txt",
            longBase + String(repeating: "k", count: 1000 - longBase.utf8.count),
        ]
    }

    /// Data that is not the target run's, however close its key.
    var neighbourKeys: [String] {
        let id = Self.target
        return [
            "runs/\(id)",                     // an object at the run's name, no slash
            "runs/\(id).json",
            "runs/\(id)x/data.bin",           // runs/IDx/
            "runs/\(id)-2/data.bin",          // a run whose id starts with the target's
            "runs/\(id)-2/nested/deeper/part-00000.parquet",
            "runs/\(id)-23/x",
            "runs/\(id)\u{301}/combining-after-the-id",
            "runs/\(id.dropLast())/truncated-id",
            "runs/run-20250101t000000z/lowercase",
            "RUNS/\(id)/upper-root",
            "runs//\(id)/double-slash-root",
            "other/runs/\(id)/elsewhere",
            "\(id)/no-root",
            "keep.txt",
        ]
    }

    func testOnlyTheTargetRunDisappears() async throws {
        var seed = Seed()
        seed.bulk = [Seed.Bulk(pattern: prefix + "table_{i}/part-{i}.parquet", count: 3000, size: 11)]
        for key in awkwardTargetKeys { seed.add(key, size: key == prefix ? 0 : 13) }
        for key in neighbourKeys { seed.add(key, size: 17) }
        seed.uploads = [prefix + "mp/big.bin", prefix + "mp/big.bin", prefix + "mp/other file.bin",
                        "runs/\(Self.target)-2/mp/big.bin", "runs/\(Self.target)", "runs/\(Self.target)x/mp.bin"]
        seed.databases = ["sbx_run_20250101t000000z": (0..<130).map { "table_\($0)" },
                          "sbx_run_20250101t000000z_2": ["t1", "t2"],
                          "sbx_run_20250101t000000": ["t1"],
                          "other_run_20250101t000000z": ["t1"]]
        let started = Date()
        let before = try Witness.seed(seed, endpoint: endpoint)
        let seeded = Date().timeIntervalSince(started)
        let targetEntries = before.entries(under: prefix)
        XCTAssertEqual(targetEntries.count, 3000 + awkwardTargetKeys.count)
        XCTAssertEqual(before.entries.count - targetEntries.count, neighbourKeys.count)

        let scope = try testScope(Self.target)
        let result = try await makeEngine(scope, endpoint: endpoint).run()

        let after = try Witness.snapshot(endpoint: endpoint, versioned: false)
        XCTAssertEqual(after, before.removing(prefix: prefix, database: scope.database), "anything but the target run changed")
        XCTAssertEqual(after.entries(under: prefix), [])
        XCTAssertEqual(after.entries.count, neighbourKeys.count)
        XCTAssertEqual(after.uploads.count, 3)
        XCTAssertEqual(Set(after.glue.keys), ["sbx_run_20250101t000000z_2", "sbx_run_20250101t000000", "other_run_20250101t000000z"])

        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven, "\(result.remaining)")
        XCTAssertEqual(result.objectsDeleted, targetEntries.count)
        XCTAssertEqual(result.bytesDeleted, Int64(targetEntries.reduce(0) { $0 + $1.size }))
        XCTAssertEqual(result.uploadsAborted, 3)
        XCTAssertEqual(result.tablesDeleted, 130, "two BatchDeleteTable chunks")
        XCTAssertTrue(result.databaseDeleted)
        XCTAssertEqual(result.refusedKeys, [])
        XCTAssertEqual(result.keyFailures, [])
        XCTAssertEqual(result.remaining, RunInventory())
        XCTAssertFalse(result.alreadyClean)
        XCTAssertFalse(result.versionedBucket)
        XCTAssertEqual(result.passes, 1)
        XCTAssertTrue(result.sentence(scope: scope).hasPrefix("The current run's S3 prefix s3://\(testBucket)/\(prefix) was removed and its Glue database \(scope.database) was removed."))
        print("cleanup of \(targetEntries.count) objects: \(result.requests) requests, \(String(format: "%.2f", result.seconds)) s (seeding and listing \(String(format: "%.1f", seeded)) s)")
    }

    /// moto, like catalogs other than AWS Glue, keeps the case the client sent: every case variant of the run's
    /// database is found, emptied and removed, and named; a variant alone still counts as the run's database.
    func testEveryLetterCaseOfTheRunDatabaseIsRemovedAndNamed() async throws {
        let scope = try testScope(Self.target)
        var seed = Seed()
        seed.add(prefix + "a.txt")
        seed.databases = ["sbx_run_20250101T000000Z": ["t1", "t2"], "SBX_Run_20250101t000000z": ["t3"],
                          "sbx_run_20250101t000000z_2": ["keep"], "sbx_run_20250101T000000": ["keep"]]
        _ = try Witness.seed(seed, endpoint: endpoint)
        let dry = await (try makeEngine(scope, endpoint: endpoint)).dryRun()
        XCTAssertEqual(dry.before?.databasePresent, true, "a variant alone is the run's database")
        XCTAssertEqual(dry.before?.databasesPresent, ["SBX_Run_20250101t000000z", "sbx_run_20250101T000000Z"])
        XCTAssertEqual(dry.before?.tables, 3)

        let result = try await makeEngine(scope, endpoint: endpoint).run()
        let after = try Witness.snapshot(endpoint: endpoint, versioned: false)
        XCTAssertEqual(Set(after.glue.keys), ["sbx_run_20250101t000000z_2", "sbx_run_20250101T000000"])
        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven, "\(result.remaining)")
        XCTAssertEqual(result.tablesDeleted, 3)
        XCTAssertEqual(result.databasesRemoved, ["SBX_Run_20250101t000000z", "sbx_run_20250101T000000Z"])
        XCTAssertTrue(result.sentence(scope: scope).hasSuffix(
            "its Glue database was removed under the names SBX_Run_20250101t000000z, sbx_run_20250101T000000Z."), result.sentence(scope: scope))
        XCTAssertNil(result.remaining.databasesPresent)
    }

    func testVersionedBucketLosesOnlyTheTargetsVersionsAndDeleteMarkers() async throws {
        var seed = Seed()
        seed.versioned = true
        // 400 keys x 3 versions: more than one ListObjectVersions page.
        seed.bulk = [Seed.Bulk(pattern: prefix + "v/{i}.bin", count: 400, size: 5)]
        for key in awkwardTargetKeys.prefix(6) { seed.add(key) }
        let neighbour = "runs/\(Self.target)-2/"
        for i in 0..<10 { seed.add(neighbour + "n\(i)") }
        seed.add("runs/\(Self.target)")
        seed.add("runs/\(Self.target)x/keep")
        let overwritten = (0..<400).map { prefix + "v/\(String(format: "%03d", $0)).bin" } + awkwardTargetKeys.prefix(6)
        seed.overwrite = overwritten + overwritten + (0..<10).map { neighbour + "n\($0)" } + ["runs/\(Self.target)"]
        seed.delete = Array(overwritten.prefix(25)) + [neighbour + "n0", neighbour + "n1", "runs/\(Self.target)"]
        seed.uploads = [prefix + "mp.bin", neighbour + "mp.bin"]
        seed.databases = ["sbx_run_20250101t000000z": ["a", "b"], "sbx_run_20250101t000000z_2": ["a"]]
        let before = try Witness.seed(seed, endpoint: endpoint)
        let targetEntries = before.entries(under: prefix)
        XCTAssertEqual(targetEntries.filter { !$0.marker }.count, 406 * 3)
        XCTAssertEqual(targetEntries.filter(\.marker).count, 25)

        let scope = try testScope(Self.target)
        let result = try await makeEngine(scope, endpoint: endpoint).run()

        let after = try Witness.snapshot(endpoint: endpoint, versioned: true)
        XCTAssertEqual(after, before.removing(prefix: prefix, database: scope.database), "versions outside the run changed")
        XCTAssertEqual(after.entries.filter(\.marker).count, 3, "the neighbours' delete markers stay")
        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven, "\(result.remaining)")
        XCTAssertTrue(result.versionedBucket)
        XCTAssertEqual(result.versionsDeleted, 406 * 3)
        XCTAssertEqual(result.deleteMarkersDeleted, 25)
        XCTAssertEqual(result.bytesDeleted, Int64(targetEntries.reduce(0) { $0 + $1.size }))
        XCTAssertEqual(result.uploadsAborted, 1)
        XCTAssertEqual(result.tablesDeleted, 2)
        XCTAssertEqual(result.refusedKeys, [])
    }

    func testDryRunDeletesNothingAndReportsWhatWouldGo() async throws {
        var seed = Seed()
        let keys = (0..<25).map { prefix + "d/\(String(format: "%02d", $0)).csv" } + awkwardTargetKeys
        for (index, key) in keys.enumerated() { seed.add(key, size: key == prefix ? 0 : 10 + index) }
        for key in neighbourKeys { seed.add(key) }
        seed.uploads = [prefix + "mp.bin"]
        seed.databases = ["sbx_run_20250101t000000z": ["a", "b", "c"], "sbx_run_20250101t000000z_2": ["a"]]
        let before = try Witness.seed(seed, endpoint: endpoint)

        let scope = try testScope(Self.target)
        let result = try await makeEngine(scope, endpoint: endpoint).dryRun()

        XCTAssertEqual(try Witness.snapshot(endpoint: endpoint, versioned: false), before, "a dry run changed something")
        XCTAssertTrue(result.dryRun)
        XCTAssertFalse(result.proven)
        XCTAssertNil(result.error)
        let inventory = try XCTUnwrap(result.before)
        let target = before.entries(under: prefix)
        XCTAssertEqual(inventory.objects, keys.count)
        XCTAssertEqual(inventory.bytes, Int64(target.reduce(0) { $0 + $1.size }))
        XCTAssertEqual(inventory.uploads, 1)
        XCTAssertTrue(inventory.databasePresent)
        XCTAssertEqual(inventory.tables, 3)
        XCTAssertEqual(inventory.sampleKeys, Array(target.prefix(10).map(\.key)), "the first keys in S3 order")
        XCTAssertEqual(Set(inventory.sampleTables), ["a", "b", "c"])
        XCTAssertEqual(result.objectsDeleted + result.versionsDeleted + result.uploadsAborted + result.tablesDeleted, 0)
        XCTAssertTrue(result.sentence(scope: scope).hasPrefix("Dry run: nothing was deleted; \(keys.count) object(s)"), result.sentence(scope: scope))
    }

    func testSecondCleanupFindsTheRunAlreadyClean() async throws {
        var seed = Seed()
        for i in 0..<20 { seed.add(prefix + "x/\(i)") }
        seed.add("runs/\(Self.target)-2/keep")
        seed.uploads = [prefix + "mp"]
        seed.databases = ["sbx_run_20250101t000000z": ["a"]]
        _ = try Witness.seed(seed, endpoint: endpoint)
        let scope = try testScope(Self.target)

        let first = try await makeEngine(scope, endpoint: endpoint).run()
        XCTAssertTrue(first.proven)
        XCTAssertFalse(first.alreadyClean)
        XCTAssertEqual(first.objectsDeleted, 20)
        let afterFirst = try Witness.snapshot(endpoint: endpoint, versioned: false)

        let second = try await makeEngine(scope, endpoint: endpoint).run()
        XCTAssertTrue(second.proven)
        XCTAssertTrue(second.alreadyClean)
        XCTAssertNil(second.error)
        XCTAssertEqual([second.objectsDeleted, second.versionsDeleted, second.deleteMarkersDeleted, second.uploadsAborted, second.tablesDeleted], [0, 0, 0, 0, 0])
        XCTAssertFalse(second.databaseDeleted)
        XCTAssertEqual(try Witness.snapshot(endpoint: endpoint, versioned: false), afterFirst)

        // A run that never wrote anything is already clean too.
        let never = try await makeEngine(try testScope("run-20240101T000000Z"), endpoint: endpoint).run()
        XCTAssertTrue(never.alreadyClean)
        XCTAssertTrue(never.proven)
    }

    func testRequestCountIsNearTheMinimum() async throws {
        // A private server that counts requests, so the engine's own count has a witness.
        let counting = try MotoServer.start(countRequests: true)
        defer { counting.stop() }
        let n = 2000, tables = 50
        var seed = Seed()
        seed.bulk = [Seed.Bulk(pattern: prefix + "p{i}.parquet", count: n, size: 3)]
        seed.add("runs/\(Self.target)-2/keep")
        seed.databases = ["sbx_run_20250101t000000z": (0..<tables).map { "t\($0)" }]
        _ = try Witness.run(seeds: [seed], snapshot: [], endpoint: counting.endpoint)
        try counting.resetRequestCount()

        let scope = try testScope(Self.target)
        let engine = try makeEngine(scope, endpoint: counting.endpoint)
        let result = await engine.run()
        let served = try counting.requestCount()

        XCTAssertTrue(result.proven)
        XCTAssertEqual(result.objectsDeleted, n)
        XCTAssertEqual(result.tablesDeleted, tables)
        let pages = (n + 999) / 1000, minimum = pages + pages + (tables + 99) / 100
        // The few: GetBucketVersioning, ListMultipartUploads, GetTables, DeleteDatabase, then verification
        // (ListObjectsV2, ListMultipartUploads, GetDatabase).
        XCTAssertEqual(result.requests, served, "the engine's count and moto's disagree: \(engine.stats.byOperation)")
        XCTAssertGreaterThanOrEqual(result.requests, minimum)
        XCTAssertLessThanOrEqual(result.requests, minimum + 8, "\(engine.stats.byOperation)")
        XCTAssertEqual(engine.stats.byOperation.filter { $0.key.contains("DeleteObjects") }.values.reduce(0, +), pages, "\(engine.stats.byOperation)")
        print("cleanup of \(n) objects + \(tables) tables: \(result.requests) requests (minimum \(minimum)) in \(String(format: "%.2f", result.seconds)) s: \(engine.stats.byOperation.sorted { $0.key < $1.key })")
    }

    /// Fixed-seed property: random run ids matching the pattern and random keys, many of them adversarial
    /// neighbours of the target; after cleanup only the target's keys, uploads and database are gone.
    /// Each case has its own bucket (half of them versioned), seeded and listed by boto3 in one go.
    func testRandomRunsAndKeysNeverLoseDataOutsideTheTarget() async throws {
        var rng = SeededGenerator(seed: 0x5EED_C1EA)
        let pieces = ["a", "b/", "data", " ", "é", "😀", "+", "%", "=", "&", "~", "x/y/", "part-0001.parquet", "_", "-", ".", "Z", "z", "日本", "/"]
        func randomId() -> String {
            let date = String(format: "%04d%02d%02dT%02d%02d%02dZ", Int.random(in: 2020...2029, using: &rng), Int.random(in: 1...12, using: &rng),
                              Int.random(in: 1...28, using: &rng), Int.random(in: 0...23, using: &rng), Int.random(in: 0...59, using: &rng),
                              Int.random(in: 0...59, using: &rng))
            return "run-" + date + (Bool.random(using: &rng) ? "" : "-\(Int.random(in: 0...30, using: &rng))")
        }
        func randomTail() -> String { (0..<Int.random(in: 1...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }

        let cases = 8
        let targets = (0..<cases).map { _ in randomId() }
        var seeds: [Seed] = []
        var scopes: [RunScope] = []
        for (index, target) in targets.enumerated() {
            var others = (0..<3).map { _ in randomId() }
            others += [target + "-1", target + "-12", target + "0", String(target.dropLast(2)) + "Z", target.lowercased()]
            if let dash = target.range(of: "Z-") { others.append(String(target[...dash.lowerBound])) }  // the target without its suffix
            others = others.filter { !targets.contains($0) }
            let bucket = "property-case-\(index)"
            let scope = try RunScope(runId: RunID(target, matching: testPattern), bucket: bucket, root: testRoot, gluePrefix: testGluePrefix)
            scopes.append(scope)
            var seed = Seed()
            seed.bucket = bucket
            seed.versioned = index % 2 == 1
            var targetKeys = Set<String>()
            for _ in 0..<Int.random(in: 10...40, using: &rng) { targetKeys.insert(scope.prefix + randomTail()) }
            var neighbours = Set<String>()
            for id in others {
                for _ in 0..<Int.random(in: 1...6, using: &rng) { neighbours.insert("runs/\(id)/" + randomTail()) }
                neighbours.insert("runs/\(id)")
            }
            neighbours.formUnion(["runs/\(target)", "runs/\(target)" + randomTail().replacingOccurrences(of: "/", with: ""),
                                  "\(target)/" + randomTail(), "runs/" + target.uppercased() + "/x", "runs//\(target)/x"])
            neighbours = neighbours.filter { !Array($0.utf8).starts(with: Array(scope.prefix.utf8)) }
            for key in targetKeys.sorted() + neighbours.sorted() { seed.add(key, size: Int.random(in: 0...50, using: &rng)) }
            if seed.versioned {
                seed.overwrite = Array(targetKeys.sorted().prefix(5)) + Array(neighbours.sorted().prefix(5))
                seed.delete = Array(targetKeys.sorted().suffix(3)) + Array(neighbours.sorted().suffix(3))
            }
            seed.uploads = [scope.prefix + "mp"] + others.prefix(2).map { "runs/\($0)/mp" }
            seed.databases = [scope.database: ["t1", "t2"]]
            // (A lower-cased target is not a valid id but names the same database: it gets no database of its own.)
            for id in others where RunScope.databaseName(gluePrefix: testGluePrefix, runId: id) != scope.database {
                seed.databases[RunScope.databaseName(gluePrefix: testGluePrefix, runId: id)] = ["n"]
            }
            seeds.append(seed)
        }
        let buckets = seeds.map { ($0.bucket, $0.versioned) }
        let before = try Witness.run(seeds: seeds, snapshot: buckets, endpoint: endpoint)
        var results: [CleanupResult] = []
        for scope in scopes { results.append(try await makeEngine(scope, endpoint: endpoint).run()) }
        let after = try Witness.run(seeds: [], snapshot: buckets, endpoint: endpoint)

        let cleanedDatabases = Set(scopes.map(\.database))
        for (index, scope) in scopes.enumerated() {
            let context = "case \(index): target \(scope.runId) in \(scope.bucket)"
            let was = try XCTUnwrap(before[scope.bucket]), now = try XCTUnwrap(after[scope.bucket])
            var expected = was.removing(prefix: scope.prefix, database: scope.database)
            expected.glue = expected.glue.filter { !cleanedDatabases.contains($0.key) }
            XCTAssertGreaterThan(was.entries(under: scope.prefix).count, 0, context)
            XCTAssertEqual(now, expected, context)
            XCTAssertEqual(now.entries(under: scope.prefix), [], context)
            XCTAssertTrue(results[index].proven, "\(context): \(results[index].remaining) \(results[index].error ?? "")")
            XCTAssertEqual(results[index].refusedKeys, [], context)
            XCTAssertEqual(results[index].uploadsAborted, 1, context)
            XCTAssertEqual(results[index].tablesDeleted, 2, context)
        }
    }
}

