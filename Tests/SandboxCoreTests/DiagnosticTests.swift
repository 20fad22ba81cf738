import Foundation
import SandboxCore
import XCTest

/// Diagnostics and errors: one line each, never carrying control characters to a terminal.
final class DiagnosticTests: XCTestCase {
    func testDescriptionNamesLocationAndSeverity() {
        let location = SourceLocation(file: "stack.yaml", line: 3, column: 7)
        XCTAssertEqual(Diagnostic(at: location, "unknown key 'bukcet'").description, "stack.yaml:3:7: error: unknown key 'bukcet'")
        XCTAssertEqual(Diagnostic(.warning, at: nil, "unused variable").description, "warning: unused variable")
    }

    func testEscapesControlCharactersAndLineSeparators() {
        XCTAssertEqual(Diagnostic.escapingControlCharacters("a\nb\rc\td"), #"a\nb\rc\td"#)
        XCTAssertEqual(Diagnostic.escapingControlCharacters("\u{1B}[31mred"), #"\u{1B}[31mred"#)
        XCTAssertEqual(Diagnostic.escapingControlCharacters("x\u{85}y\u{2028}z\u{2029}"), #"x\u{85}y\u{2028}z\u{2029}"#)
        XCTAssertEqual(Diagnostic.escapingControlCharacters("plain ünïcødé 😀"), "plain ünïcødé 😀", "printable text is left alone")
        let diagnostic = Diagnostic(at: nil, "key 'a\nb'")
        XCTAssertEqual(diagnostic.message, #"key 'a\nb'"#, "the message is escaped when the diagnostic is made")
    }

    func testDiagnosticsErrorSummarisesErrorsOnly() {
        let warning = Diagnostic(.warning, at: nil, "w")
        let first = Diagnostic(at: SourceLocation(file: "s.yaml", line: 1, column: 1), "first")
        let second = Diagnostic(at: nil, "second")
        XCTAssertEqual(DiagnosticsError([warning, first]).userMessage, "s.yaml:1:1: error: first")
        XCTAssertEqual(DiagnosticsError([first, warning, second]).userMessage, "s.yaml:1:1: error: first (and 1 more error)")
        XCTAssertEqual(DiagnosticsError([first, second, second]).userMessage, "s.yaml:1:1: error: first (and 2 more errors)")
        XCTAssertEqual(DiagnosticsError([warning]).userMessage, "no errors")
        XCTAssertEqual(DiagnosticsError([first]).category, .usage)
    }

    func testOneLineAndCategoryOfAnyError() {
        struct Foreign: Error {}
        let simple = SimpleError(.state, "state locked\nby pid 7")
        XCTAssertEqual(simple.oneLine, "state locked by pid 7", "one line whatever the error says")
        XCTAssertEqual(simple.failureCategory, .state)
        XCTAssertEqual("\(simple)", simple.userMessage)
        XCTAssertEqual(Foreign().failureCategory, .internal, "an error sandbox did not classify is a bug")
    }
}
