import Foundation
import SandboxTestSupport
import XCTest

/// Hostile input: every file under Tests/Corpus/stacks and every bad run id gets a clear error and a
/// non-zero exit, never a crash; the state file stays byte-identical and nothing is deleted.
final class HostileInputTests: XCTestCase {
    static var corpus: URL { CommandRunner.repositoryRoot.appendingPathComponent("Tests/Corpus/stacks") }

    func corpusFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: Self.corpus, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func assertCleanFailure(_ result: CommandRunner.Result, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(result.status, 0, "\(label) was accepted: \(result.stdout)", file: file, line: line)
        XCTAssertTrue([1, 2, 3, 4, 5].contains(result.status), "\(label): unexpected exit \(result.status) (crash?) \(result.stderr)", file: file, line: line)
        XCTAssertFalse(result.stderr.isEmpty, "\(label): no error message", file: file, line: line)
        XCTAssertFalse(result.output.contains("Fatal error") || result.output.contains("Stack dump"), "\(label): crashed: \(result.stderr)", file: file, line: line)
        for text in result.stderr.split(separator: "\n") {
            XCTAssertLessThan(text.count, 2_000, "\(label): runaway error line", file: file, line: line)
            XCTAssertTrue(text.hasPrefix("error") || text.contains(": error:") || text.contains(": warning:"),
                          "\(label): not a diagnostic line: \(text)", file: file, line: line)
        }
    }

    func testCorpusHasAtLeastFortyCases() throws {
        XCTAssertGreaterThanOrEqual(try corpusFiles().count, 40)
    }

    func testEveryCorpusStackIsRejectedOffline() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // An endpoint nothing listens on: validate must not need one.
        let runner = CommandRunner(endpoint: URL(fileURLWithPath: "/").deletingLastPathComponent(), directory: directory,
                                   extraEnvironment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
        for file in try corpusFiles() {
            let started = Date()
            let result = try runner.run(["validate", "--stack", file.path], timeout: 30)
            assertCleanFailure(result, file.lastPathComponent)
            XCTAssertLessThan(Date().timeIntervalSince(started), 10, "\(file.lastPathComponent) took too long")
            if file.lastPathComponent != "45-binary.yaml", file.lastPathComponent != "03-empty.yaml" {
                XCTAssertTrue(result.stderr.contains(file.lastPathComponent), "\(file.lastPathComponent): no file location in \(result.stderr)")
            }
        }
    }

    func testHugeStackIsRefusedQuickly() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("huge.yaml")
        var text = "resources:\n"
        let entry = String(repeating: "x", count: 1_000)
        while text.utf8.count < 50_000_000 { text += "  # \(entry)\n" }
        try text.write(to: path, atomically: true, encoding: .utf8)
        let runner = CommandRunner(endpoint: URL(string: "http://127.0.0.1:9") ?? URL(fileURLWithPath: "/"), directory: directory)
        let started = Date()
        let result = try runner.run(["validate", "--stack", path.path])
        assertCleanFailure(result, "50 MB stack")
        XCTAssertTrue(result.stderr.contains("limit"), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)
    }

    func testHostileInputLeavesStateByteIdenticalAndSendsNoRequest() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        let server = try MotoServer.start(countRequests: true)
        defer { server.stop() }
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runner = CommandRunner(endpoint: server.endpoint, directory: directory,
                                   extraEnvironment: ["SANDBOX_VAR_owner": "tests", "SANDBOX_VAR_budget_email": "alerts@example.com"])
        try runner.installReferenceStack()
        let applied = try runner.run(["apply", "--auto-approve"])
        XCTAssertEqual(applied.status, 0, applied.output)
        let statePath = directory.appendingPathComponent("State/aws-provider-tests.sqlite").path
        // Checkpoint WAL so the main file holds everything; compare all three files afterwards.
        func snapshot() -> [String: Data] {
            var files: [String: Data] = [:]
            for suffix in ["", "-wal"] {
                files[suffix] = FileManager.default.contents(atPath: statePath + suffix) ?? Data()
            }
            return files
        }
        let before = snapshot()
        try server.resetRequestCount()

        for file in try corpusFiles() {
            let result = try runner.run(["plan", "--stack", file.path, "--state", statePath], timeout: 30)
            assertCleanFailure(result, "plan \(file.lastPathComponent)")
        }
        let badRunIds = ["", "*", "../x", "runs", "a/b", "floe-provider-20260101T000000Z/", "floe-provider-20260101T000000Z\n",
                         " floe-provider-20260101T000000Z", "floe-provider-20260101T000000Z/..", "floe-provider-2026010lT000000Z",
                         String(repeating: "a", count: 1_000), "floe-provider-20260101T000000Z%2F..", "flöe-provider-20260101T000000Z"]
        for runId in badRunIds {
            let result = try runner.run(["cleanup", "--run", runId])
            XCTAssertEqual(result.status, 2, "run id \(runId.debugDescription): \(result.output)")
            assertCleanFailure(result, "run id \(runId.debugDescription)")
        }
        XCTAssertEqual(try server.requestCount(), 0, "hostile input reached the endpoint")
        XCTAssertEqual(snapshot(), before, "the state file changed")
    }
}
