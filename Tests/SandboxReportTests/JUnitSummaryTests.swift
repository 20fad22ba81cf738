import Foundation
import XCTest
@testable import SandboxReport

final class JUnitSummaryTests: XCTestCase {
    /// What `pytest --junitxml` writes: one suite inside `<testsuites>`, properties, system-out, every outcome.
    static let pytestXML = """
    <?xml version="1.0" encoding="utf-8"?>
    <testsuites name="pytest tests">
      <testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5" time="1.234" timestamp="2025-01-02T03:04:05.678901+00:00" hostname="ci">
        <properties><property name="run_id" value="floe-provider-20250102T030405Z"/></properties>
        <testcase classname="tests.test_s3" name="test_put_object" time="0.101" />
        <testcase classname="tests.test_s3" name="test_list_prefix[runs/]" time="0.050">
          <system-out>listing &lt;runs/&gt;</system-out>
        </testcase>
        <testcase classname="tests.test_s3" name="test_get_object" time="0.020">
          <failure message="AssertionError: assert b'x' == b'y'">def test_get_object():
    &gt;   assert body == b"y"
    E   AssertionError</failure>
        </testcase>
        <testcase classname="tests.test_glue" name="test_create_database" time="0.000">
          <error message="failed on setup with &quot;botocore.exceptions.NoCredentialsError&quot;">fixture 'glue' raised</error>
        </testcase>
        <testcase classname="tests.test_glue" name="test_tables" time="0.000">
          <skipped type="pytest.skip" message="Glue not enabled">tests/test_glue.py:40: Glue not enabled</skipped>
        </testcase>
      </testsuite>
    </testsuites>
    """

    func testPytestOutcomes() {
        let summary = JUnitSummary.parse(Data(Self.pytestXML.utf8), file: "junit.xml")
        XCTAssertEqual(summary.status, .parsed)
        XCTAssertEqual(summary.file, "junit.xml")
        XCTAssertEqual(summary.tests, 5)
        XCTAssertEqual(summary.failures, 1)
        XCTAssertEqual(summary.errors, 1)
        XCTAssertEqual(summary.skipped, 1)
        XCTAssertEqual(summary.passed, 2)
        XCTAssertEqual(summary.failing, ["tests.test_s3::test_get_object", "tests.test_glue::test_create_database"])
        XCTAssertNil(summary.problem)
    }

    func testAllPassingSuiteWithoutWrapper() {
        let xml = """
        <testsuite name="pytest" tests="2"><testcase classname="a" name="one"/><testcase classname="a" name="two"></testcase></testsuite>
        """
        let summary = JUnitSummary.parse(Data(xml.utf8), file: "ok.xml")
        XCTAssertEqual(summary.status, .parsed)
        XCTAssertEqual([summary.tests, summary.passed, summary.failures, summary.errors, summary.skipped], [2, 2, 0, 0, 0])
        XCTAssertEqual(summary.failing, [])
    }

    func testNestedSuitesCountCasesNotAttributes() {
        // Suite attributes here are deliberately wrong: only the test cases count.
        let xml = """
        <testsuites tests="99" failures="42">
          <testsuite name="outer" tests="99">
            <testsuite name="inner-a">
              <testcase classname="pkg.a" name="t1"/>
              <testcase classname="pkg.a" name="t2"><failure>boom</failure></testcase>
            </testsuite>
            <testsuite name="inner-b">
              <testcase name="no_classname"><error/></testcase>
              <testcase classname="pkg.b" name="t4"><skipped/></testcase>
            </testsuite>
          </testsuite>
          <testsuite name="second"><testcase classname="pkg.c" name="t5"/></testsuite>
        </testsuites>
        """
        let summary = JUnitSummary.parse(Data(xml.utf8), file: "nested.xml")
        XCTAssertEqual(summary.status, .parsed)
        XCTAssertEqual([summary.tests, summary.passed, summary.failures, summary.errors, summary.skipped], [5, 2, 1, 1, 1])
        XCTAssertEqual(summary.failing, ["pkg.a::t2", "no_classname"])
    }

    func testFailureAndErrorInOneCaseCountOnce() {
        // pytest writes both when a test fails and its teardown errors.
        let xml = """
        <testsuite><testcase classname="m" name="t"><failure message="f"/><error message="teardown"/></testcase></testsuite>
        """
        let summary = JUnitSummary.parse(Data(xml.utf8), file: "both.xml")
        XCTAssertEqual([summary.tests, summary.failures, summary.errors], [1, 1, 0])
        XCTAssertEqual(summary.failing, ["m::t"])
    }

    func testEmptySuiteIsParsedWithNoTests() {
        let summary = JUnitSummary.parse(Data("<testsuites/>".utf8), file: "empty.xml")
        XCTAssertEqual(summary.status, .parsed)
        XCTAssertEqual(summary.tests, 0)
    }

    func testMissingFileMeansTheTestsNeverRan() {
        let summary = JUnitSummary.read(path: "/nonexistent/junit.xml")
        XCTAssertEqual(summary.status, .neverRan)
        XCTAssertEqual(summary.status.rawValue, "never ran")
        XCTAssertEqual(summary.file, "/nonexistent/junit.xml")
        XCTAssertEqual(summary.problem, "file does not exist")
        XCTAssertEqual(summary.tests, 0)
    }

    func testReadFromDisk() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("junit-\(UUID().uuidString).xml")
        try Data(Self.pytestXML.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let summary = JUnitSummary.read(path: url.path)
        XCTAssertEqual(summary.status, .parsed)
        XCTAssertEqual(summary.tests, 5)
    }

    func testMalformedXML() {
        for text in ["not xml at all", "", "<testsuite></testcase>",
                     "<testsuite name=\"unclosed attribute></testsuite>"] {
            let summary = JUnitSummary.parse(Data(text.utf8), file: "bad.xml")
            XCTAssertEqual(summary.status, .malformed, text)
            XCTAssertEqual(summary.tests, 0, text)
            XCTAssertEqual(summary.failing, [], text)
        }
        let mismatched = JUnitSummary.parse(Data("<testsuite></testcase>".utf8), file: "bad.xml")
        XCTAssertTrue(mismatched.problem?.hasPrefix("not well-formed XML (") ?? false, String(describing: mismatched.problem))
    }

    func testTruncatedFileIsMalformed() {
        // A file cut off mid-write (a killed pytest, a full disk) must not count as results.
        let cut = Self.pytestXML.prefix(Self.pytestXML.count / 2)
        for text in ["<testsuites><testsuite><testcase classname='a' name='b'>",
                     "<testsuites><testsuite><testcase classname='a' name='b'/></testsuite>",
                     "<testsuite><testcase name='a'/>", String(cut)] {
            let summary = JUnitSummary.parse(Data(text.utf8), file: "cut.xml")
            XCTAssertEqual(summary.status, .malformed, text)
            XCTAssertEqual(summary.tests, 0, text)
            XCTAssertTrue(summary.problem?.hasPrefix("not well-formed XML (") ?? false, "\(text): \(String(describing: summary.problem))")
        }
    }

    func testTrailingJunkIsMalformed() {
        for text in ["<testsuite><testcase name='a'/></testsuite><testsuite><testcase name='b'/></testsuite>",
                     "<testsuite><testcase name='a'/></testsuite><extra/>",
                     "<testsuite><testcase name='a'/></testsuite>garbage"] {
            let summary = JUnitSummary.parse(Data(text.utf8), file: "junk.xml")
            XCTAssertEqual(summary.status, .malformed, text)
            XCTAssertEqual(summary.tests, 0, text)
        }
        // Whitespace, comments and processing instructions after the root are fine.
        let tidy = JUnitSummary.parse(Data("<testsuite><testcase name='a'/></testsuite>\n<!-- done -->\n".utf8), file: "ok.xml")
        XCTAssertEqual(tidy.status, .parsed)
        XCTAssertEqual(tidy.tests, 1)
    }

    func testWellFormedButNotJUnit() {
        let summary = JUnitSummary.parse(Data("<html><body>502 Bad Gateway</body></html>".utf8), file: "page.xml")
        XCTAssertEqual(summary.status, .malformed)
        XCTAssertEqual(summary.problem, "no <testsuite> or <testcase> element")
    }

    func testCodableRoundTrip() throws {
        let summary = JUnitSummary.parse(Data(Self.pytestXML.utf8), file: "junit.xml")
        let decoded = try JSONDecoder().decode(JUnitSummary.self, from: try JSONEncoder().encode(summary))
        XCTAssertEqual(decoded, summary)
    }
}
