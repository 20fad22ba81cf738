import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Test results read from one JUnit XML file (pytest `--junitxml`).
public struct JUnitSummary: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case parsed
        /// The file was given but does not exist: the tests never ran.
        case neverRan = "never ran"
        case malformed
    }

    public let file: String
    public let status: Status
    public var tests = 0
    public var failures = 0
    public var errors = 0
    public var skipped = 0
    public var failing: [String] = []
    public var problem: String?

    public var passed: Int { max(0, tests - failures - errors - skipped) }

    /// Reads a JUnit file; a missing or malformed file is a summary that says so, not an error.
    public static func read(path: String) -> JUnitSummary {
        guard FileManager.default.fileExists(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            return JUnitSummary(file: path, status: .neverRan, problem: "file does not exist")
        }
        return parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) -> JUnitSummary {
        let reader = JUnitReader()
        let parser = XMLParser(data: data)
        parser.delegate = reader
        guard parser.parse(), reader.sawSuiteOrCase else {
            let reason = parser.parserError.map { "not well-formed XML (\(($0 as NSError).code))" } ?? "no <testsuite> or <testcase> element"
            return JUnitSummary(file: file, status: .malformed, problem: reason)
        }
        var summary = JUnitSummary(file: file, status: .parsed)
        summary.tests = reader.cases
        summary.failures = reader.failures
        summary.errors = reader.errors
        summary.skipped = reader.skipped
        summary.failing = reader.failing
        return summary
    }
}

/// Counts test cases and their outcomes; counting cases (not suite attributes) survives nested suites.
private final class JUnitReader: NSObject, XMLParserDelegate {
    var cases = 0, failures = 0, errors = 0, skipped = 0
    var failing: [String] = []
    var sawSuiteOrCase = false
    private var current: String?
    private var currentOutcome: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes: [String: String] = [:]) {
        switch elementName {
        case "testsuite", "testsuites":
            sawSuiteOrCase = true
        case "testcase":
            sawSuiteOrCase = true
            cases += 1
            let name = attributes["name"] ?? "?"
            current = attributes["classname"].map { "\($0)::\(name)" } ?? name
            currentOutcome = nil
        case "failure", "error", "skipped":
            if current != nil, currentOutcome == nil { currentOutcome = elementName }
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard elementName == "testcase", let name = current else { return }
        switch currentOutcome {
        case "failure": failures += 1; failing.append(name)
        case "error": errors += 1; failing.append(name)
        case "skipped": skipped += 1
        default: break
        }
        current = nil
        currentOutcome = nil
    }
}
