import Foundation
import SandboxCore
import XCTest
@testable import SandboxReport

/// Builders for reports in every state the classifier distinguishes.
enum Fixture {
    static let started = Date(timeIntervalSince1970: 1_735_787_045) // 2025-01-02T03:04:05Z
    static let finished = Date(timeIntervalSince1970: 1_735_787_345) // 2025-01-02T03:09:05Z
    static let stackHash = "6f1ed002ab5595859014ebf0951522d9fa2f9e5a44b6b1d3c1c2e8a7b9c0d1e2"

    static func cleanup(dryRun: Bool = false, objectsRemaining: Int = 0, uploadsRemaining: Int = 0, databasePresent: Bool = false,
                        keyFailures: Int = 0, error: String? = nil, errorCategory: FailureCategory? = nil,
                        sentence: String = "Cleanup deleted 12 objects and the run database; nothing remains under the run prefix.") -> ValidationReport.Cleanup {
        ValidationReport.Cleanup(dryRun: dryRun, alreadyClean: false, objectsDeleted: 12, versionsDeleted: 3, deleteMarkersDeleted: 2,
                                 uploadsAborted: 1, tablesDeleted: 4, databaseDeleted: true, bytesDeleted: 123_456, requests: 17,
                                 seconds: 2.5, passes: 1, objectsRemaining: objectsRemaining, uploadsRemaining: uploadsRemaining,
                                 databasePresent: databasePresent, remainingSample: objectsRemaining > 0 ? ["runs/r/left.parquet"] : [],
                                 keyFailures: keyFailures, error: error, errorCategory: errorCategory, sentence: sentence)
    }

    static func junit(tests: Int = 5, failures: Int = 0, errors: Int = 0, skipped: Int = 0, failing: [String] = [],
                      file: String = "junit.xml") -> JUnitSummary {
        var summary = JUnitSummary(file: file, status: .parsed)
        summary.tests = tests
        summary.failures = failures
        summary.errors = errors
        summary.skipped = skipped
        summary.failing = failing
        return summary
    }

    static func report(tests: [JUnitSummary]? = [junit()], cleanup: ValidationReport.Cleanup = cleanup(),
                       workspace: String? = "ci-main") throws -> ValidationReport {
        ValidationReport(runId: try RunID("floe-provider-20250102T030405Z"), workspace: workspace, accountId: "123456789012", region: "eu-west-1",
                         bucket: "floe-provider-tests-123456789012-eu-west-1", s3TestPrefix: "runs/",
                         s3RunPrefix: "runs/floe-provider-20250102T030405Z/", glueDatabasePrefix: "floe_provider_",
                         glueDatabase: "floe_provider_floe_provider_20250102t030405z", startedAt: started, finishedAt: finished,
                         sandboxVersion: "0.3.0", stackFile: "Stacks/aws-provider-tests.yaml", stackSHA256: stackHash,
                         tests: tests, cleanup: cleanup)
    }
}

final class ValidationReportClassificationTests: XCTestCase {
    func testPassingTestsAndProvenCleanupPass() throws {
        let report = try Fixture.report()
        XCTAssertEqual(report.status, .pass)
        XCTAssertEqual(report.status.rawValue, "PASS")
        XCTAssertEqual(report.classifications, [.pass])
        XCTAssertEqual(report.reasons, [])
    }

    func testFailedTestsAreAProductFailure() throws {
        let report = try Fixture.report(tests: [Fixture.junit(tests: 5, failures: 1, errors: 1, failing: ["t::a", "t::b"]),
                                            Fixture.junit(tests: 2, failures: 1, file: "more.xml")])
        XCTAssertEqual(report.status, .fail)
        XCTAssertEqual(report.classifications, [.product])
        XCTAssertEqual(report.reasons, ["3 test(s) failed or errored"])
    }

    func testRemainingRunDataIsACleanupFailure() throws {
        for cleanup in [Fixture.cleanup(objectsRemaining: 3), Fixture.cleanup(uploadsRemaining: 1), Fixture.cleanup(databasePresent: true),
                        Fixture.cleanup(keyFailures: 2)] {
            let report = try Fixture.report(cleanup: cleanup)
            XCTAssertEqual(report.status, .fail)
            XCTAssertEqual(report.classifications, [.cleanup])
            XCTAssertEqual(report.reasons.count, 1)
            XCTAssertTrue(report.reasons[0].hasPrefix("run data remains after cleanup"), report.reasons[0])
        }
        XCTAssertEqual(try Fixture.report(cleanup: Fixture.cleanup(objectsRemaining: 3, uploadsRemaining: 1, databasePresent: true)).reasons,
                       ["run data remains after cleanup (3 object(s), 1 upload(s), database present)"])
    }

    func testCredentialErrorsAreCredentialSetup() throws {
        for category in [FailureCategory.credentials, .usage] {
            let report = try Fixture.report(cleanup: Fixture.cleanup(error: "ExpiredToken: the security token included in the request is expired",
                                                                 errorCategory: category))
            XCTAssertEqual(report.status, .fail)
            XCTAssertEqual(report.classifications.first, .credentialSetup, "\(category)")
            XCTAssertFalse(report.classifications.contains(.infrastructure))
            XCTAssertEqual(report.reasons.first, "cleanup stopped: ExpiredToken: the security token included in the request is expired")
        }
    }

    func testStoppedCleanupWithNothingLeftIsNotACleanupFailure() throws {
        // The error is the cause; "run data remains (0 objects...)" would contradict the inventory.
        let report = try Fixture.report(cleanup: Fixture.cleanup(error: "ThrottlingException: rate exceeded", errorCategory: .aws))
        XCTAssertEqual(report.status, .fail)
        XCTAssertEqual(report.classifications, [.infrastructure])
        XCTAssertEqual(report.reasons, ["cleanup stopped: ThrottlingException: rate exceeded"])
        XCTAssertFalse(MarkdownRenderer.render(report).contains("run data remains"))
        // Something left, or an inventory that could not be taken, still is.
        let left = try Fixture.report(cleanup: Fixture.cleanup(databasePresent: true, error: "boom", errorCategory: .aws))
        XCTAssertEqual(left.classifications, [.infrastructure, .cleanup])
        var unknown = Fixture.cleanup(error: "connection refused", errorCategory: .infrastructure)
        unknown.remainingUnknown = true
        let report2 = try Fixture.report(cleanup: unknown)
        XCTAssertEqual(report2.classifications, [.infrastructure, .cleanup])
        XCTAssertEqual(report2.reasons.last, "run data may remain after cleanup: what is left could not be listed")
        XCTAssertTrue(MarkdownRenderer.render(report2).contains("could not be listed"))
    }

    func testOtherErrorsAreInfrastructure() throws {
        for category in [FailureCategory.infrastructure, .aws, .state, .internal] {
            let report = try Fixture.report(cleanup: Fixture.cleanup(error: "connection reset", errorCategory: category))
            XCTAssertEqual(report.status, .fail)
            XCTAssertEqual(report.classifications.first, .infrastructure, "\(category)")
            XCTAssertFalse(report.classifications.contains(.credentialSetup))
        }
        let uncategorised = try Fixture.report(cleanup: Fixture.cleanup(error: "unknown", errorCategory: nil))
        XCTAssertEqual(uncategorised.classifications.first, .infrastructure)
    }

    func testNoJUnitIsDoneWithConcerns() throws {
        let report = try Fixture.report(tests: nil)
        XCTAssertEqual(report.status, .concerns)
        XCTAssertEqual(report.status.rawValue, "DONE_WITH_CONCERNS")
        XCTAssertEqual(report.classifications, [.pass])
        XCTAssertEqual(report.reasons, ["no test result was provided (--junit)"])
    }

    func testJUnitWithoutCasesIsDoneWithConcerns() throws {
        let report = try Fixture.report(tests: [Fixture.junit(tests: 0)])
        XCTAssertEqual(report.status, .concerns)
        XCTAssertEqual(report.reasons, ["the JUnit files hold no test cases"])
    }

    func testDryRunCleanupIsDoneWithConcerns() throws {
        let report = try Fixture.report(cleanup: Fixture.cleanup(dryRun: true, objectsRemaining: 12))
        XCTAssertEqual(report.status, .concerns)
        XCTAssertEqual(report.classifications, [.pass])
        XCTAssertEqual(report.reasons, ["dry run: nothing was deleted"])
    }

    func testMissingOrMalformedJUnitIsCredentialSetupFailure() throws {
        let never = JUnitSummary.read(path: "/nonexistent/junit.xml")
        let malformed = JUnitSummary.parse(Data("<oops".utf8), file: "bad.xml")
        let report = try Fixture.report(tests: [Fixture.junit(), never, malformed])
        XCTAssertEqual(report.status, .fail)
        XCTAssertEqual(report.classifications, [.credentialSetup, .credentialSetup])
        XCTAssertEqual(report.reasons.first, "/nonexistent/junit.xml: never ran (file does not exist)")
        XCTAssertTrue(report.reasons.last?.hasPrefix("bad.xml: malformed (") ?? false, "\(report.reasons)")
    }

    func testSeveralCausesAreAllListed() throws {
        let report = try Fixture.report(tests: [Fixture.junit(tests: 3, failures: 2)], cleanup: Fixture.cleanup(objectsRemaining: 1))
        XCTAssertEqual(report.status, .fail)
        XCTAssertEqual(report.classifications, [.cleanup, .product])
        XCTAssertEqual(report.reasons.count, 2)
    }

    func testClassifyIsRecomputedAfterChanges() throws {
        var report = try Fixture.report()
        XCTAssertEqual(report.status, .pass)
        report.tests = [Fixture.junit(tests: 1, failures: 1)]
        report.classify()
        XCTAssertEqual(report.status, .fail)
        XCTAssertEqual(report.classifications, [.product])
    }
}

final class ValidationReportRenderingTests: XCTestCase {
    func testMarkdownHasEveryRequiredField() throws {
        let report = try Fixture.report(tests: [Fixture.junit(tests: 5, failures: 1, failing: ["tests.test_s3::test_get_object"])])
        let markdown = MarkdownRenderer.render(report)
        let required = [
            "# Provider test run floe-provider-20250102T030405Z: FAIL",
            "| Run id | floe-provider-20250102T030405Z |",
            "| Workspace | ci-main |",
            "| Account | 123456789012 |",
            "| Region | eu-west-1 |",
            "| Bucket | floe-provider-tests-123456789012-eu-west-1 |",
            "| S3 test prefix | s3://floe-provider-tests-123456789012-eu-west-1/runs/ |",
            "| S3 run prefix | s3://floe-provider-tests-123456789012-eu-west-1/runs/floe-provider-20250102T030405Z/ |",
            "| Glue database prefix | floe_provider_ |",
            "| Glue database | floe_provider_floe_provider_20250102t030405z |",
            "| Started | 2025-01-02T03:04:05Z |",
            "| Finished | 2025-01-02T03:09:05Z |",
            "| sandbox | 0.3.0 |",
            "| Stack | Stacks/aws-provider-tests.yaml (sha256 \(Fixture.stackHash)) |",
            "| Status | FAIL (product) |",
            "Cleanup deleted 12 objects and the run database; nothing remains under the run prefix.",
            "| junit.xml | parsed | 5 | 4 | 1 | 0 | 0 |",
            "- `tests.test_s3::test_get_object`",
            "| 12 | 3 | 2 | 1 | 4 | yes | 123456 | 17 | 2.50 | 1 |",
            "After cleanup: 0 object(s) and 0 upload(s) remain under the run prefix; the run database is absent.",
            "## Reasons",
            "- 1 test(s) failed or errored",
        ]
        for line in required {
            XCTAssertTrue(markdown.contains(line), "missing: \(line)\n\(markdown)")
        }
        // The plain sentence stands alone right under the title.
        let lines = markdown.components(separatedBy: "\n")
        XCTAssertEqual(Array(lines.prefix(3)), ["# Provider test run floe-provider-20250102T030405Z: FAIL", "",
                                                "Cleanup deleted 12 objects and the run database; nothing remains under the run prefix."])
    }

    func testMarkdownShowsTheWholeStackHash() throws {
        let markdown = MarkdownRenderer.render(try Fixture.report())
        XCTAssertEqual(Fixture.stackHash.count, 64)
        XCTAssertTrue(markdown.contains("(sha256 \(Fixture.stackHash))"), markdown)
    }

    func testMarkdownWithoutWorkspaceTestsOrStart() throws {
        var report = try Fixture.report(tests: nil, workspace: nil)
        report.startedAt = nil
        let markdown = MarkdownRenderer.render(report)
        XCTAssertTrue(markdown.contains("| Workspace | (none) |"))
        XCTAssertTrue(markdown.contains("| Started | unknown |"))
        XCTAssertTrue(markdown.contains("Test result: not provided."))
        XCTAssertTrue(markdown.contains("# Provider test run floe-provider-20250102T030405Z: DONE_WITH_CONCERNS"))
        XCTAssertTrue(markdown.contains("- no test result was provided (--junit)"))
        XCTAssertFalse(markdown.contains("Failing tests:"))
    }

    func testMarkdownShowsRemainingKeysAndEscapesTables() throws {
        var report = try Fixture.report(cleanup: Fixture.cleanup(objectsRemaining: 1, databasePresent: true))
        report.workspace = "a|b\nc"
        let markdown = MarkdownRenderer.render(report)
        XCTAssertTrue(markdown.contains("Remaining (first keys): `runs/r/left.parquet`"))
        XCTAssertTrue(markdown.contains("the run database is present"))
        XCTAssertTrue(markdown.contains("| Workspace | a\\|b c |"), markdown)
    }

    func testMarkdownLimitsTheFailingList() throws {
        let names = (1...60).map { "t::case\($0)" }
        let markdown = MarkdownRenderer.render(try Fixture.report(tests: [Fixture.junit(tests: 60, failures: 60, failing: names)]))
        XCTAssertTrue(markdown.contains("- `t::case50`"))
        XCTAssertFalse(markdown.contains("- `t::case51`"))
        XCTAssertTrue(markdown.contains("- … and 10 more"))
    }

    func testJSONRoundTrips() throws {
        let original = try Fixture.report(tests: [Fixture.junit(tests: 5, failures: 1, failing: ["a::b"]),
                                              JUnitSummary.read(path: "/nonexistent/junit.xml")],
                                      cleanup: Fixture.cleanup(objectsRemaining: 1, error: "boom", errorCategory: .infrastructure))
        let json = try original.json()
        let decoded = try ValidationReport.decode(json)
        XCTAssertEqual(try decoded.json(), json)
        XCTAssertEqual(decoded.runId, original.runId)
        XCTAssertEqual(decoded.startedAt, Fixture.started)
        XCTAssertEqual(decoded.finishedAt, Fixture.finished)
        XCTAssertEqual(decoded.status, .fail)
        XCTAssertEqual(decoded.classifications, original.classifications)
        XCTAssertEqual(decoded.reasons, original.reasons)
        XCTAssertEqual(decoded.tests, original.tests)
        XCTAssertEqual(decoded.cleanup.errorCategory, .infrastructure)
        XCTAssertEqual(decoded.cleanup.remainingSample, ["runs/r/left.parquet"])
        XCTAssertEqual(MarkdownRenderer.render(decoded), MarkdownRenderer.render(original))

        let object = try XCTUnwrap(JSONValue.parse(json))
        XCTAssertEqual(object["status"], .string("FAIL"))
        XCTAssertEqual(object["startedAt"], .string("2025-01-02T03:04:05Z"))
        XCTAssertEqual(object["stackSHA256"], .string(Fixture.stackHash))
        XCTAssertEqual(object["tests"]?.arrayValue?.last?["status"], .string("never ran"))
        XCTAssertEqual(object["classifications"], .array([.string("infrastructure"), .string("cleanup"), .string("product"),
                                                           .string("credential/setup")]))
        XCTAssertTrue(json.contains("\n  \"accountId\" : \"123456789012\""), "pretty, sorted keys")
    }

    func testJSONWithoutOptionalFieldsRoundTrips() throws {
        var report = try Fixture.report(tests: nil, workspace: nil)
        report.startedAt = nil
        let json = try report.json()
        let decoded = try ValidationReport.decode(json)
        XCTAssertNil(decoded.workspace)
        XCTAssertNil(decoded.startedAt)
        XCTAssertNil(decoded.tests)
        XCTAssertEqual(try decoded.json(), json)
    }

    func testRenderedReportsHoldNoSecretShapedText() throws {
        let report = try Fixture.report(tests: [Fixture.junit(tests: 5, failures: 1, failing: ["tests.test_s3::test_get_object"])])
        XCTAssertEqual(SecretScanner.scan(MarkdownRenderer.render(report), knownSecrets: []), [])
        XCTAssertEqual(SecretScanner.scan(try report.json(), knownSecrets: []), [])
    }
}
