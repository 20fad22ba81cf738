import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack
import SandboxProviders

/// The YAML layer: positions, duplicate keys, syntax errors, and the limits that stop hostile input quickly.
final class StackYAMLTests: XCTestCase {
    /// Limits must trip well before a slow parse; generous for a debug build on a small machine.
    let fast = 2.0

    func loadFailure(_ text: String, file: String = "y.yaml", sourceFile: StaticString = #filePath, line: UInt = #line) -> [Diagnostic] {
        do {
            _ = try StackYAML.load(text, file: file)
            XCTFail("expected the YAML to be rejected", file: sourceFile, line: line)
            return []
        } catch let error as DiagnosticsError {
            return error.diagnostics
        } catch {
            XCTFail("expected DiagnosticsError, got \(error)", file: sourceFile, line: line)
            return []
        }
    }

    func testValuesCarryTheirPositions() throws {
        let root = try StackYAML.load("a: 1\nb:\n  - x\n  - \"y\"\nc: {d: true, e: null, f: 1.5e2, g: 0755, h: '12'}\n", file: "p.yaml")
        XCTAssertEqual(root.entries?.map(\.key), ["a", "b", "c"])
        XCTAssertEqual(root.entries?.map(\.keyLocation.description), ["p.yaml:1:1", "p.yaml:2:1", "p.yaml:5:1"])
        guard case .number(1, "1", let location)? = root["a"] else { return XCTFail("a is \(String(describing: root["a"]))") }
        XCTAssertEqual(location.description, "p.yaml:1:4")
        guard case .list(let items, _)? = root["b"] else { return XCTFail("b is not a list") }
        XCTAssertEqual(items.map(\.location.description), ["p.yaml:3:5", "p.yaml:4:5"])
        XCTAssertEqual(items.compactMap(\.stringValue), ["x", "y"])
        let c = try XCTUnwrap(root["c"])
        guard case .bool(true, _)? = c["d"] else { return XCTFail("d") }
        guard case .null? = c["e"] else { return XCTFail("e") }
        guard case .number(150, "1.5e2", _)? = c["f"] else { return XCTFail("f") }
        XCTAssertEqual(c["g"]?.scalarText, "0755", "numbers keep the text they were written with")
        guard case .string("12", _)? = c["h"] else { return XCTFail("a quoted number is a string") }
    }

    func testYAMLOneOneBooleansStayStrings() throws {
        let root = try StackYAML.load("a: yes\nb: off\nc: True\nd: ~\ne:\nf: 1_000\ng: .5\nh: -3\n", file: "b.yaml")
        XCTAssertEqual(root["a"]?.stringValue, "yes")
        XCTAssertEqual(root["b"]?.stringValue, "off")
        guard case .bool(true, _)? = root["c"] else { return XCTFail("c") }
        guard case .null? = root["d"], case .null? = root["e"] else { return XCTFail("d, e") }
        XCTAssertEqual(root["f"]?.stringValue, "1_000")
        guard case .number(0.5, _, _)? = root["g"], case .number(-3, _, _)? = root["h"] else { return XCTFail("g, h") }
    }

    func testDuplicateKeysAreRejectedAtTheirFirstPosition() {
        let top = diagnostics("version: 1\nname: t\nname: u\nresources:\n  b:\n    type: s3_bucket\n")
        assertOnly(top, at: "t.yaml:2:1", contains: ["duplicate key 'name'; each key may appear only once in a mapping"])
        let nested = diagnostics("""
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: abc
              name: abd
        """)
        assertOnly(nested, at: "t.yaml:5:7", contains: ["duplicate key 'name'"])
        let resources = diagnostics("resources:\n  b:\n    type: s3_bucket\n  b:\n    type: s3_bucket\n")
        assertOnly(resources, at: "t.yaml:2:3", contains: ["duplicate key 'b'"])
    }

    func testSyntaxErrorsPointAtTheProblem() {
        XCTAssertEqual(diagnostics("version: 1\ntags: [a, b\nresources: {}\n").map(\.description),
                       ["t.yaml:3:10: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence)"])
        XCTAssertEqual(diagnostics("resources:\n  bucket:\n    type: s3_bucket\n   bad: 1\n").map(\.description),
                       ["t.yaml:4:4: error: invalid YAML: did not find expected key (while parsing a block mapping)"])
        XCTAssertEqual(diagnostics("resources:\n\tbucket: {}\n").map(\.description),
                       ["t.yaml:2:1: error: invalid YAML: found character that cannot start any token (while scanning for the next token)"])
        XCTAssertEqual(diagnostics("resources:\n  bucket:\n    type: *nothing\n").map(\.description),
                       ["t.yaml:3:11: error: invalid YAML: found undefined alias"])
    }

    func testNonStringKeysAreRejected() {
        let found = loadFailure("? [a, b]\n: c\n")
        XCTAssertEqual(found.map(\.message), ["mapping keys must be plain strings"])
        XCTAssertEqual(found.first?.location?.line, 1)
    }

    func testAliasesAreRejected() {
        let found = diagnostics("""
        version: 1
        resources:
          bucket:
            type: &kind s3_bucket
          other:
            type: *kind
        """)
        XCTAssertEqual(found.map(\.description),
                       ["t.yaml:4:11: error: YAML anchors and aliases are not supported in stacks (found &kind); write each value out"])

        let merge = diagnostics("""
        defaults: &defaults
          type: s3_bucket
        resources:
          bucket:
            <<: *defaults
        """)
        XCTAssertEqual(merge.count, 1, "\(merge)")
        XCTAssertTrue(merge.first?.message.contains("YAML anchors and aliases are not supported") ?? false, "\(merge)")
    }

    func testAliasBombIsRejectedQuickly() throws {
        // The "billion laughs": nine levels of nine aliases each expand to 9^9 (387 million) strings.
        var text = "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 9).joined(separator: ", "))]\n"
        }
        text += "resources:\n  bucket:\n    type: s3_bucket\n    properties:\n      tags: *a9\n"
        var found: [Diagnostic] = []
        let elapsed = seconds { found = diagnostics(text, file: "bomb.yaml") }
        XCTAssertLessThan(elapsed, fast)
        XCTAssertEqual(found.count, 1)
        XCTAssertTrue(found.first?.message.contains("YAML anchors and aliases are not supported") ?? false, "\(found)")
        XCTAssertEqual(found.first?.location?.file, "bomb.yaml")
    }

    func testTooManyValuesAreRejectedQuickly() {
        // 150,000 values without any alias still trip the node budget.
        let text = "resources:\n  bucket:\n    type: s3_bucket\nx: [" + Array(repeating: "1", count: 150_000).joined(separator: ",") + "]\n"
        var found: [Diagnostic] = []
        let elapsed = seconds { found = diagnostics(text) }
        XCTAssertLessThan(elapsed, fast * 2)
        XCTAssertEqual(found.map(\.message), ["stack expands to more than 100000 values (an alias bomb?); simplify the file"])
    }

    func testHugeFileIsRejectedBeforeParsing() throws {
        let line = "# " + String(repeating: "x", count: 1022) + "\n"
        let text = "resources:\n  bucket:\n    type: s3_bucket\n" + String(repeating: line, count: 2048)
        XCTAssertGreaterThan(text.utf8.count, 2_000_000)
        var found: [Diagnostic] = []
        let elapsed = seconds { found = diagnostics(text, file: "big.yaml") }
        XCTAssertLessThan(elapsed, fast)
        assertOnly(found, at: "big.yaml:1:1", contains: ["stack file is \(text.utf8.count) bytes; the limit is 1048576 bytes"])

        let path = try temporaryFile(text, name: "big.yaml")
        XCTAssertThrowsError(try StackParser.load(path: path)) { error in
            XCTAssertTrue(error.oneLine.contains("the limit is 1048576 bytes"), error.oneLine)
        }
        // Just under the limit is read normally.
        let fits = "resources:\n  bucket:\n    type: s3_bucket\n" + String(repeating: line, count: 1000)
        XCTAssertNotNil(parseValid(fits))
    }

    func testDeepNestingIsRejectedQuickly() {
        let flow = "resources:\n  bucket:\n    type: s3_bucket\nx: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        var found: [Diagnostic] = []
        let elapsed = seconds { found = diagnostics(flow, file: "deep.yaml") }
        XCTAssertLessThan(elapsed, fast)
        XCTAssertEqual(found.map(\.message), ["stack is nested deeper than 64 levels"])
        XCTAssertEqual(found.first?.location?.file, "deep.yaml")

        var block = "resources:\n  bucket:\n    type: s3_bucket\n"
        for depth in 0..<100 { block += String(repeating: "  ", count: depth) + "k\(depth):\n" }
        block += String(repeating: "  ", count: 100) + "leaf: 1\n"
        XCTAssertEqual(diagnostics(block).map(\.message), ["stack is nested deeper than 64 levels"])

        // Far deeper than any parser recursion should go: rejected, never a crash.
        let abyss = "x: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n"
        let abyssElapsed = seconds {
            let found = diagnostics(abyss)
            XCTAssertEqual(found.count, 1)
            XCTAssertTrue(found.first?.message.contains("Maximum nesting level reached") ?? false, "\(found)")
        }
        XCTAssertLessThan(abyssElapsed, fast)

        // Within the limit is fine.
        let shallow = "resources:\n  bucket:\n    type: s3_bucket\noutputs:\n  X: " + String(repeating: "[", count: 30) + String(repeating: "]", count: 30) + "\n"
        XCTAssertNotNil(parseValid(shallow))
    }

    func testVarFilesHaveTheSameLimits() throws {
        let stack = try StackParser.parse("variables:\n  a:\n    default: x\nresources:\n  bucket:\n    type: s3_bucket\n", file: "s.yaml")
        let path = try temporaryFile("a: &x one\nb: *x\n", name: "vars.yaml")
        XCTAssertThrowsError(try VariableValues.resolve(stack, inputs: VariableInputs(files: [path]))) { error in
            XCTAssertTrue(error.oneLine.contains("YAML anchors and aliases are not supported"), error.oneLine)
            XCTAssertTrue(error.oneLine.hasPrefix(path), error.oneLine)
        }
    }
}
