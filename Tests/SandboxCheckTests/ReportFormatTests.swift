import Foundation
@testable import SandboxCheck
import SandboxCore
import XCTest

/// The report's JSON and JUnit forms, which CI reads.
final class ReportFormatTests: XCTestCase {
    let report = ReadinessReport(results: [
        CheckResult(name: "credentials", status: .pass, detail: "account 1", seconds: 0.25),
        CheckResult(name: "state", status: .warn, detail: "locked by <ci> & co", seconds: 0.0015),
        CheckResult(name: "resource s3_bucket.bucket", status: .fail, detail: "b does not exist", fix: "run sandbox apply", seconds: 1, category: .aws),
        CheckResult(name: "spend", status: .skip, detail: "not checked: bucket \"b\" does not exist"),
    ], accountId: "123456789012", region: "eu-west-1", seconds: 1.5, environment: ["FLOE_AWS_TEST_BUCKET": "b"])

    func testJUnitHasOneTestCasePerCheck() {
        XCTAssertEqual(JUnitWriter.render(report), """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites>
              <testsuite name="sandbox check" tests="4" failures="1" errors="0" skipped="1" time="1.500">
                <testcase classname="sandbox.check" name="credentials" time="0.250"/>
                <testcase classname="sandbox.check" name="state" time="0.002">
                  <system-out>warning: locked by &lt;ci&gt; &amp; co</system-out>
                </testcase>
                <testcase classname="sandbox.check" name="resource s3_bucket.bucket" time="1.000">
                  <failure message="b does not exist; fix: run sandbox apply">b does not exist; fix: run sandbox apply</failure>
                </testcase>
                <testcase classname="sandbox.check" name="spend" time="0.000">
                  <skipped message="not checked: bucket &quot;b&quot; does not exist"/>
                </testcase>
              </testsuite>
            </testsuites>

            """)
    }

    func testJUnitDropsControlCharactersXMLForbids() {
        XCTAssertEqual(JUnitWriter.escape("a\u{1}b\tc\n'"), "a?b\tc\n&apos;")
    }

    func testJSONNamesTheFirstFailureAndCountsEachStatus() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        XCTAssertEqual(object["ready"] as? Bool, false)
        XCTAssertEqual(object["first_failure"] as? String, "resource s3_bucket.bucket")
        XCTAssertEqual(object["counts"] as? [String: Int], ["pass": 1, "warn": 1, "fail": 1, "skip": 1])
        let checks = try XCTUnwrap(object["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.map { $0["name"] as? String }, report.results.map(\.name))
        XCTAssertEqual(checks[2]["category"] as? String, "aws")
        XCTAssertEqual(checks[0]["duration_seconds"] as? Double, 0.25)
        XCTAssertEqual(object["environment"] as? [String: String], ["FLOE_AWS_TEST_BUCKET": "b"])
    }

    func testCheckNamesAreTheNamesTheOutputShows() {
        XCTAssertEqual([CheckName.awsConfiguration, .credentials, .account, .region, .state, .stack, .guardrails, .policy, .leftovers, .spend, .accessProbe]
                        .map(\.description),
                       ["aws configuration", "credentials", "account", "region", "state", "stack", "guardrails", "policy", "leftovers", "spend", "access probe"])
        XCTAssertEqual(CheckName.resource(ResourceAddress(type: "iam_policy", name: "ci")).description, "resource iam_policy.ci")
    }
}
