import Foundation
import SandboxTestSupport
import XCTest

/// The sentinel credentials (`CommandRunner`) never reach anything sandbox prints or writes: state (and its WAL),
/// plans, reports, JUnit, step summaries, debug logs, `--json` output and error messages, including the errors of
/// commands that fail and of requests that were retried through injected faults.
final class SecretHygieneTests: XCTestCase {
    var rig: ReliabilityRig!
    var blobs: [(String, Data)] = []

    override func setUpWithError() throws {
        rig = try ReliabilityRig()
    }

    override func tearDownWithError() throws {
        rig?.remove()
    }

    /// Every file under the test directory, read now (the WAL only exists while a connection is open or unmerged).
    func collectFiles(after label: String) {
        guard let walker = FileManager.default.enumerator(at: rig.directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return }
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            if let data = FileManager.default.contents(atPath: url.path) { blobs.append(("\(url.lastPathComponent) after \(label)", data)) }
        }
    }

    @discardableResult
    func run(_ runner: CommandRunner, _ arguments: [String], expect status: Int32?, environment: [String: String?] = [:],
             file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try runner.run(arguments, environment: environment)
        let label = "sandbox \(arguments.joined(separator: " "))"
        if let status {
            XCTAssertEqual(result.status, status, "\(label):\n\(result.output)", file: file, line: line)
        }
        blobs.append(("stdout of \(label)", Data(result.stdout.utf8)))
        blobs.append(("stderr of \(label)", Data(result.stderr.utf8)))
        collectFiles(after: label)
        return result
    }

    func testSentinelCredentialsAppearNowhere() throws {
        let summary = rig.path("summary.md")
        let debug = ["--log-level", "debug"]
        let faulty = rig.faulty, direct = rig.direct
        let env: [String: String?] = ["GITHUB_STEP_SUMMARY": summary]

        // Retried requests (and their error answers) through 15% faults, with debug logs. The apply is held mid-walk
        // once, so the state's WAL (pending records, the lock row) is read while the writer has it open.
        try rig.proxy.configure(seed: 7, rate: 0.15, kinds: [.internalError, .slowDown, .throttle, .reset, .truncate], holdAt: 14)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var applied: CommandRunner.Result?
        DispatchQueue.global().async {
            applied = try? faulty.run(["apply", "--auto-approve", "--max-attempts", "8"] + debug)
            done.signal()
        }
        XCTAssertTrue(try rig.proxy.waitUntilHeld(timeout: 60) { true }, "the apply reached request 14")
        collectFiles(after: "apply, held mid-walk")
        try rig.proxy.release()
        _ = done.wait(timeout: .now() + 120)
        let apply = try XCTUnwrap(applied)
        XCTAssertEqual(apply.status, 0, apply.output)
        blobs.append(("stdout of sandbox apply", Data(apply.stdout.utf8)))
        blobs.append(("stderr of sandbox apply", Data(apply.stderr.utf8)))
        try run(faulty, ["plan", "--out", rig.path("plan.json"), "--max-attempts", "8"] + debug, expect: 0)
        try run(faulty, ["plan", "--json", "--max-attempts", "8"] + debug, expect: 0)
        try run(faulty, ["check", "--json", "--max-attempts", "8"] + debug, expect: 0, environment: env)
        try run(faulty, ["check", "--junit", rig.path("check.xml"), "--env", "--probe", "--max-attempts", "8"] + debug, expect: 0, environment: env)
        let minted = try run(direct, ["run", "new", "--workspace", "secrets"] + debug, expect: 0)
        let runId = try XCTUnwrap(minted.stdout.split(separator: "\n").first { $0.contains("FLOE_PROVIDER_SPIKE_RUN=") }?
            .split(separator: "=").last.map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }, minted.stdout)
        try rig.seedRun(runId, objects: 20, tables: 2)
        try run(direct, ["run", "list", "--json"], expect: 0)
        try run(faulty, ["cleanup", "--run", runId, "--junit", try rig.passingJUnit(), "--report-dir", rig.path("reports"), "--json",
                         "--max-attempts", "8"] + debug, expect: 0, environment: env)
        try run(direct, ["report", "--run", runId, "--format", "md"], expect: 0, environment: env)
        try run(direct, ["report", "--run", runId, "--format", "json"], expect: 0)
        try run(direct, ["output", "--json"], expect: 0)
        try run(direct, ["output", "--env"], expect: 0)
        try run(direct, ["state", "list", "--json"], expect: 0)
        try run(direct, ["state", "show", "iam_policy.policy", "--json"], expect: 0)
        try run(direct, ["whoami", "--json"] + debug, expect: 0)

        // Failing commands: past the retries, unreachable, invalid input, wrong account, a held lock.
        try rig.proxy.configure(rate: 1, kinds: [.throttle])
        try run(faulty, ["apply", "--auto-approve", "--max-attempts", "2"] + debug, expect: 4)
        try run(faulty, ["check", "--json", "--max-attempts", "2"] + debug, expect: 1)
        try rig.proxy.configure(rate: 1, kinds: [.internalError])
        try run(faulty, ["cleanup", "--run", runId, "--json", "--max-attempts", "2"] + debug, expect: 4)
        try run(direct, ["plan"] + debug, expect: 4, environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
        try run(direct, ["cleanup", "--run", "../etc"] + debug, expect: 2)
        try run(direct, ["check", "--expect-account", "111111111111", "--json"] + debug, expect: 3)
        try run(direct, ["whoami", "--profile", "nope"] + debug, expect: 3)
        try rig.proxy.configure()
        try run(direct, ["destroy", "--auto-approve", "--empty-bucket"] + debug, expect: 0)

        let secrets = [CommandRunner.secretAccessKey, CommandRunner.sessionToken,
                       String(CommandRunner.secretAccessKey.prefix(16)), String(CommandRunner.secretAccessKey.suffix(16)),
                       String(CommandRunner.sessionToken.prefix(24)), String(CommandRunner.sessionToken.suffix(24))]
        XCTAssertTrue(blobs.contains { $0.0.hasPrefix("aws-provider-tests.sqlite ") && !$0.1.isEmpty }, "the state file was searched")
        XCTAssertTrue(blobs.contains { $0.0.hasPrefix("aws-provider-tests.sqlite-wal ") && !$0.1.isEmpty }, "a WAL file was searched")
        XCTAssertTrue(blobs.contains { $0.0.hasPrefix("plan.json ") }, "the plan file was searched")
        XCTAssertTrue(blobs.contains { $0.0.hasPrefix("check.xml ") }, "the JUnit file was searched")
        XCTAssertTrue(blobs.contains { $0.0.hasPrefix("summary.md ") }, "the step summary was searched")
        XCTAssertTrue(blobs.contains { $0.0.contains(runId) && $0.0.contains(".json ") }, "the cleanup report was searched")
        XCTAssertTrue(blobs.contains { $0.0.hasPrefix("stderr of sandbox apply") && String(decoding: $0.1, as: UTF8.self).contains("(attempt 2)") },
                      "debug logs of retried requests were searched")
        var hits: [String] = []
        for (name, data) in blobs {
            for secret in secrets where data.range(of: Data(secret.utf8)) != nil { hits.append("\(name) contains \(secret.prefix(6))…") }
        }
        XCTAssertEqual(hits, [], "\(blobs.count) blobs searched")
        print("SecretHygieneTests: searched \(blobs.count) outputs and files, \(blobs.reduce(0) { $0 + $1.1.count }) bytes")
    }
}
