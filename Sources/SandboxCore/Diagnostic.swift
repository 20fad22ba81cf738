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

    public init(_ severity: Severity = .error, at location: SourceLocation?, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
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
