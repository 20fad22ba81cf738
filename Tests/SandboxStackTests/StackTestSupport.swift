import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack
import SandboxProviders

/// The repository's reference stack, found relative to this file so tests run from any directory.
let referenceStackPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Stacks/aws-provider-tests.yaml").path

/// Parses `yaml` expecting failure and returns every diagnostic raised.
func diagnostics(_ yaml: String, file: String = "t.yaml", sourceFile: StaticString = #filePath, line: UInt = #line) -> [Diagnostic] {
    do {
        _ = try StackParser.parse(yaml, file: file)
        XCTFail("expected the stack to be rejected", file: sourceFile, line: line)
        return []
    } catch let error as DiagnosticsError {
        return error.diagnostics
    } catch {
        XCTFail("expected DiagnosticsError, got \(error)", file: sourceFile, line: line)
        return []
    }
}

/// Parses `yaml`, failing the test with every diagnostic when it is rejected.
func parseValid(_ yaml: String, file: String = "t.yaml", sourceFile: StaticString = #filePath, line: UInt = #line) -> Stack? {
    do {
        return try StackParser.parse(yaml, file: file)
    } catch {
        let detail = (error as? DiagnosticsError)?.diagnostics.map(\.description).joined(separator: "\n") ?? "\(error)"
        XCTFail("expected a valid stack, got:\n\(detail)", file: sourceFile, line: line)
        return nil
    }
}

/// Asserts that exactly one diagnostic sits at `location` (`file:line:column`) and that its message contains every fragment.
func assertDiagnostic(_ diagnostics: [Diagnostic], at location: String, contains fragments: [String],
                      file: StaticString = #filePath, line: UInt = #line) {
    let here = diagnostics.filter { $0.location?.description == location }
    guard here.count == 1, let found = here.first else {
        XCTFail("expected one diagnostic at \(location), found \(here.count) in:\n\(diagnostics.map(\.description).joined(separator: "\n"))",
                file: file, line: line)
        return
    }
    XCTAssertEqual(found.severity, .error, file: file, line: line)
    for fragment in fragments where !found.message.contains(fragment) {
        XCTFail("diagnostic at \(location) lacks '\(fragment)': \(found.message)", file: file, line: line)
    }
}

/// Asserts the single diagnostic is at `location` and contains every fragment.
func assertOnly(_ diagnostics: [Diagnostic], at location: String, contains fragments: [String],
                file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(diagnostics.count, 1, "diagnostics: \(diagnostics.map(\.description))", file: file, line: line)
    assertDiagnostic(diagnostics, at: location, contains: fragments, file: file, line: line)
}

/// Writes text to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "file.yaml") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stacktests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// Runs `body` and returns how long it took in seconds.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}
