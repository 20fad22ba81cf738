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
        let parsed = parser.parse()
        // FoundationXML on Linux can return true for input cut off inside an element or followed by more
        // markup: only a document whose one root element was closed, with nothing after it, counts.
        let problem: String?
        if !parsed || parser.parserError != nil {
            problem = "not well-formed XML (\(parser.parserError.map { String(($0 as NSError).code) } ?? "parser failed"))"
        } else if let structure = reader.structureProblem {
            problem = "not well-formed XML (\(structure))"
        } else if !reader.sawSuiteOrCase {
            problem = "no <testsuite> or <testcase> element"
        } else {
            problem = nil
        }
        if let problem {
            return JUnitSummary(file: file, status: .malformed, problem: problem)
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
    /// Open elements; the document is complete only when its root element has been closed.
    private var depth = 0
    private var rootClosed = false
    private var trailing = false

    /// Why the element structure is incomplete or has content after the root, if it does.
    var structureProblem: String? {
        if trailing { return "content after the root element" }
        if depth > 0 { return "\(depth) element(s) not closed: the file is truncated" }
        if !rootClosed { return "no root element" }
        return nil
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if rootClosed, string.contains(where: { !$0.isWhitespace }) { trailing = true }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes: [String: String] = [:]) {
        if rootClosed { trailing = true }
        depth += 1
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
        depth -= 1
        if depth == 0 { rootClosed = true }
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
