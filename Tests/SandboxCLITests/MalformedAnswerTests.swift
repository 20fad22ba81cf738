import Foundation
import SandboxTestSupport
import XCTest

/// Hostile AWS answers, through the binary: a 200 whose body is invalid XML or JSON, an HTML page, a document with
/// every field missing, 24 MiB of filler, or a binary content type, put by `Tests/fault_proxy.py` in place of moto's
/// answer to one read. Each command ends with one clear error line naming the service and operation and a
/// non-zero exit; the state file is byte-identical where the command only reads; nothing outside the run is
/// deleted and cleanup never reports clean while something remains.
final class MalformedAnswerTests: XCTestCase {
    var rig: ReliabilityRig!

    override func setUpWithError() throws {
        rig = try ReliabilityRig()
    }

    override func tearDownWithError() throws {
        rig?.remove()
    }

    static let kinds: [FaultProxy.Kind] = [.garbage, .html, .empty, .huge, .wrongType]

    /// Reads `plan` makes in each wire protocol: IAM Query XML, Budgets JSON, S3 REST XML.
    static let planReads = ["GetPolicy", "AWSBudgetServiceGateway.DescribeBudget", "GET s3 /\(ReliabilityRig.bucket) ?publicAccessBlock"]

    /// Every row of the state database (SQLite's own dump). Bytes on disk move when WAL pages are checkpointed, so
    /// the comparison is of what the state says, read the way SQLite reads it.
    func stateDigest(_ path: String) throws -> String {
        try rig.boto(#"""
            import hashlib, sqlite3
            db = sqlite3.connect(sys.argv[1])
            print(hashlib.sha256("\n".join(db.iterdump()).encode()).hexdigest())
            db.close()
            """#, [path])
    }

    func errorLines(_ result: CommandRunner.Result) -> [Substring] {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
    }

    func assertOneClearError(_ result: CommandRunner.Result, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "\(context): exit 0\n\(result.output)", file: file, line: line)
        XCTAssertFalse(result.output.contains("Fatal error") || result.output.contains("Stack dump"), "\(context): crashed\n\(result.output)",
                       file: file, line: line)
        let errors = errorLines(result)
        XCTAssertEqual(errors.count, 1, "\(context): expected one error line\n\(result.output)", file: file, line: line)
        if let error = errors.first {
            XCTAssertLessThan(error.count, 600, "\(context): the error line carries the body\n\(error)", file: file, line: line)
            XCTAssertTrue(["not an AWS response", "malformed", "HTML", "missing", "not valid", "too large"].contains { error.contains($0) },
                          "\(context): the error does not say the answer was bad: \(error)", file: file, line: line)
        }
    }

    func testPlanAndApplyRefuseMalformedReadsAndLeaveStateAsItWas() throws {
        try rig.must(["apply", "--auto-approve"])
        // A change waits in the plan, so apply would write if the bad read were accepted.
        try rig.boto(#"boto3.client("s3").delete_public_access_block(Bucket=sys.argv[1])"#, [ReliabilityRig.bucket])
        let before = try stateDigest(rig.statePath)
        for read in Self.planReads {
            for kind in Self.kinds {
                let context = "\(kind.rawValue) answer to \(read)"
                for command in [["plan"], ["apply", "--auto-approve"]] {
                    try rig.proxy.configure(rules: [FaultProxy.Rule(read, kind)])
                    let result = try rig.faulty.run(command)
                    XCTAssertEqual(try rig.proxy.stats().totalFaults, 1, "\(context): \(rig.faults())")
                    assertOneClearError(result, "\(command[0]), \(context)")
                    XCTAssertEqual(result.status, 4, "\(command[0]), \(context): exit code\n\(result.output)")
                    XCTAssertEqual(try stateDigest(rig.statePath), before, "\(command[0]), \(context): state changed")
                }
            }
        }
        let snapshot = try rig.snapshot()
        XCTAssertFalse(snapshot.publicAccessBlock, "apply acted although its plan read a malformed answer")
        try rig.must(["apply", "--auto-approve"])
        try rig.must(["plan", "--detailed-exitcode"])
    }

    func testCleanupNeverDeletesOnAMalformedListingAndNeverSaysCleanWhileDataRemains() throws {
        try rig.must(["apply", "--auto-approve"])
        let neighbour = ReliabilityRig.runId(777)
        try rig.seedRun(neighbour, objects: 5, tables: 1)
        let junit = try rig.passingJUnit()
        let reads = ["GET s3 /\(ReliabilityRig.bucket) ?list-type", "GET s3 /\(ReliabilityRig.bucket) ?versions", "AWSGlue.GetTables", "AWSGlue.GetDatabase"]
        var n = 0
        for read in reads {
            for kind in Self.kinds {
                n += 1
                let runId = ReliabilityRig.runId(1_000 + n)
                try rig.seedRun(runId, objects: 12, tables: 2)
                try rig.proxy.configure(rules: [FaultProxy.Rule(read, kind)])
                let result = try rig.faulty.run(["cleanup", "--run", runId, "--json", "--junit", junit])
                let context = "cleanup, \(kind.rawValue) answer to \(read) (\(rig.faults()))"
                XCTAssertFalse(result.output.contains("Fatal error"), "\(context): crashed\n\(result.output)")
                let left = try rig.remains([runId, neighbour])
                XCTAssertEqual(left[neighbour]?.keys, 5, "\(context): touched another run")
                XCTAssertEqual(left[neighbour]?.database, true, "\(context): touched another run's database")
                let run = try XCTUnwrap(left[runId])
                let report = ReliabilityRig.report(result)
                if result.status == 0 {
                    // A bad answer the next listing corrected: the verification pass proved the run clean.
                    XCTAssertTrue(run.keys == 0 && !run.database, "\(context): exit 0 while \(run)")
                    XCTAssertEqual(report?["status"] as? String, "PASS", context)
                } else {
                    assertOneClearError(result, context)
                    XCTAssertNotEqual(report?["status"] as? String, "PASS", "\(context): PASS with exit \(result.status)")
                    XCTAssertNotEqual(run.status, "cleaned", context)
                }
                try rig.proxy.configure()
                let again = try rig.must(["cleanup", "--run", runId, "--json", "--junit", junit])
                XCTAssertEqual(ReliabilityRig.report(again)?["status"] as? String, "PASS", "converged after \(context)")
            }
        }
    }

    func testCheckNamesTheMalformedAnswerAndDoesNotWrite() throws {
        try rig.must(["apply", "--auto-approve"])
        let before = try stateDigest(rig.statePath)
        let reads = ["GET s3 /\(ReliabilityRig.bucket) ?encryption", "GetPolicyVersion", "AWSBudgetServiceGateway.DescribeNotificationsForBudget",
                     "GetCallerIdentity"]
        for read in reads {
            for kind in Self.kinds {
                try rig.proxy.configure(rules: [FaultProxy.Rule(read, kind)])
                let result = try rig.faulty.run(["check", "--json"])
                let context = "check, \(kind.rawValue) answer to \(read) (\(rig.faults()))"
                XCTAssertTrue([1, 3, 4].contains(result.status), "\(context): exit \(result.status)\n\(result.output)")
                XCTAssertFalse(result.output.contains("Fatal error"), "\(context): crashed\n\(result.output)")
                let json = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                         "\(context): no JSON\n\(result.output)")
                XCTAssertEqual(json["ready"] as? Bool, false, context)
                let failed = (json["checks"] as? [[String: Any]] ?? []).filter { $0["status"] as? String == "fail" }
                XCTAssertFalse(failed.isEmpty, "\(context): nothing failed\n\(result.stdout)")
                for check in failed {
                    let detail = check["detail"] as? String ?? ""
                    XCTAssertLessThan(detail.count, 600, "\(context): detail carries the body")
                    XCTAssertFalse(detail.contains("\n"), "\(context): detail is not one line")
                }
                XCTAssertEqual(try stateDigest(rig.statePath), before, "\(context): state changed")
            }
        }
    }
}
