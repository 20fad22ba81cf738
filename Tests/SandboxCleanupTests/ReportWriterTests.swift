import Foundation
import SandboxCore
import SandboxCleanup
import SandboxReport
import XCTest

final class ReportWriterTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func report(workspace: String? = "ci", result: CleanupResult = CleanupResult(), junit: [String] = []) throws -> ValidationReport {
        let scope = try RunScope(runId: RunID("floe-provider-20250102T030405Z", matching: "^floe-provider-[0-9]{8}T[0-9]{6}Z$"), bucket: "floe-provider-tests-123456789012-eu-west-1", root: "runs/",
                                 gluePrefix: "floe_provider_")
        let builder = ReportBuilder(scope: scope, accountId: "123456789012", region: "eu-west-1", sandboxVersion: "0.1.0",
                                    stackFile: "Stacks/aws-provider-tests.yaml", stackSHA256: String(repeating: "ab", count: 32))
        return builder.report(result: result, workspace: workspace, startedAt: nil, finishedAt: Date(timeIntervalSince1970: 1_735_787_345),
                              junitFiles: junit)
    }

    func testTwoReportsInOneSecondBothSurvive() throws {
        let stamp = Date(timeIntervalSince1970: 1_735_787_345)
        let first = try ReportWriter.write(try report(workspace: "one"), directory: directory.path, knownSecrets: [], stamp: stamp)
        let second = try ReportWriter.write(try report(workspace: "two"), directory: directory.path, knownSecrets: [], stamp: stamp)
        XCTAssertEqual(first.jsonPath, directory.path + "/floe-provider-20250102T030405Z-20250102T030905Z.json")
        XCTAssertEqual(second.jsonPath, directory.path + "/floe-provider-20250102T030405Z-20250102T030905Z-2.json")
        XCTAssertEqual(try ValidationReport.decode(String(contentsOfFile: first.jsonPath, encoding: .utf8)).workspace, "one")
        XCTAssertEqual(try ValidationReport.decode(String(contentsOfFile: second.jsonPath, encoding: .utf8)).workspace, "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).count, 4)
    }

    func testSecretsAreRefusedAndNothingIsWritten() throws {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSENTINELKEY"
        let shaped = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  // 40 characters: found by shape, unknown to the writer
        for (workspace, known) in [("ws-\(secret)", Set([secret])), ("AWS_SECRET_ACCESS_KEY=\(shaped)", Set<String>())] {
            XCTAssertThrowsError(try ReportWriter.write(try report(workspace: workspace), directory: directory.path, knownSecrets: known, stamp: Date())) { error in
                XCTAssertTrue("\(error)".contains("refusing to write the report"), "\(error)")
                XCTAssertFalse("\(error)".contains(secret) || "\(error)".contains(shaped))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path), "nothing may be written")
        }
    }

    func testReportOfAStoppedCleanupWithUnknownRemainsSaysSo() throws {
        var result = CleanupResult()
        result.error = "connection refused"
        result.errorCategory = .infrastructure
        result.remaining.objects = -1
        result.remaining.databasePresent = true
        let report = try report(result: result)
        XCTAssertEqual(report.status, .fail)
        XCTAssertEqual(report.classifications, [.infrastructure, .cleanup])
        XCTAssertEqual(report.cleanup.remainingUnknown, true)
        XCTAssertEqual(report.cleanup.objectsRemaining, 0)
        XCTAssertTrue(report.cleanup.sentence.hasPrefix("It could NOT be verified what remains"), report.cleanup.sentence)
        XCTAssertFalse(report.cleanup.sentence.contains("(-1"), report.cleanup.sentence)

        // Stopped with nothing left: the error is the only cause.
        var stopped = CleanupResult()
        stopped.error = "ThrottlingException"
        stopped.errorCategory = .aws
        let clean = try self.report(result: stopped)
        XCTAssertEqual(clean.classifications, [.infrastructure])
    }
}
