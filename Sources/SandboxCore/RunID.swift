import Foundation

/// A test run's id, checked once where it enters sandbox (`--run`, the stack's `id_variable`, `run new`, a record
/// read back) and carried typed from there on: one path segment of printable ASCII, at most 128 characters.
///
/// The stack's run scheme may narrow this further with its `id_pattern` (`init(_:matching:)`); the generic rule
/// here is what every run id, whatever its stack, must satisfy to be a safe S3 folder and Glue name part.
public struct RunID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id as written.
    public let rawValue: String

    public static let maxLength = 128

    /// Checks the generic rule; throws a usage error naming the first problem.
    public init(_ text: String) throws {
        // debugDescription leaves C1 controls raw, so they are escaped again before the text reaches a terminal.
        let shown = Diagnostic.escapingControlCharacters(text.debugDescription)
        guard !text.isEmpty else { throw SimpleError(.usage, "run id is empty; pass --run RUN_ID") }
        guard text.count <= Self.maxLength else {
            throw SimpleError(.usage, "run id is \(text.count) characters; at most \(Self.maxLength)")
        }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            throw SimpleError(.usage, "run id \(shown) contains spaces, control characters or non-ASCII characters")
        }
        for bad in ["/", "\\", "*", "?", "..", "%"] where text.contains(bad) {
            throw SimpleError(.usage, "run id \(shown) contains '\(bad)'; run ids are a single path segment")
        }
        guard text != "." else { throw SimpleError(.usage, "run id \(shown) is not a run id") }
        rawValue = text
    }

    /// Checks the generic rule, then the stack's `id_pattern`, anchored at both ends whatever the stack wrote so a
    /// pattern can never match a substring.
    public init(_ text: String, matching pattern: String) throws {
        try self.init(text)
        var core = Substring(pattern)
        if core.hasPrefix("^") { core = core.dropFirst() }
        if core.hasSuffix("$") { core = core.dropLast() }
        guard let expression = try? NSRegularExpression(pattern: "^(?:\(core))$") else {
            throw SimpleError(.usage, "the stack's run id pattern '\(pattern)' is not a valid regular expression")
        }
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        guard let match = expression.firstMatch(in: text, options: [.anchored], range: range), match.range == range else {
            let shown = Diagnostic.escapingControlCharacters(text.debugDescription)
            throw SimpleError(.usage, "run id \(shown) does not match the stack's pattern \(pattern)")
        }
    }

    public var description: String { rawValue }

    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Encoded as the bare string, so state, reports and `--json` output read exactly as before the type existed;
/// decoding checks the generic rule again, because a file is an edge too.
extension RunID: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch let error as SimpleError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.userMessage)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
