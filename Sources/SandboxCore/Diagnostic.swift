/// A position in a source file, 1-based.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A problem found in user input, with where it is and, when known, how to fix it.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public let severity: Severity
    public let location: SourceLocation?
    public let message: String

    /// Control characters and line separators in `message` (user text echoed back, such as a key with a newline or a
    /// terminal escape) are written as escapes, so a diagnostic is always one line a terminal will not act on.
    public init(_ severity: Severity = .error, at location: SourceLocation?, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = Self.escapingControlCharacters(message)
    }

    /// `text` with control characters, line and paragraph separators written as `\n`, `\r`, `\t` or `\u{XX}`.
    public static func escapingControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: Self.needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    public var description: String {
        if let location { return "\(location): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }
}

/// Several diagnostics raised together, so the user sees every problem in one pass.
public struct DiagnosticsError: SandboxError {
    public let diagnostics: [Diagnostic]
    public let category: FailureCategory = .usage

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var userMessage: String {
        let errors = diagnostics.filter { $0.severity == .error }
        guard let first = errors.first else { return "no errors" }
        if errors.count == 1 { return first.description }
        return "\(first.description) (and \(errors.count - 1) more error\(errors.count == 2 ? "" : "s"))"
    }
}
