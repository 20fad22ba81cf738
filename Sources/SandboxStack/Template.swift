import SandboxCore

/// What a `${…}` names.
public enum Reference: Sendable, Hashable, CustomStringConvertible {
    case variable(String)
    case accountId
    case region
    case stackName
    case resource(name: String, attribute: String)

    public var description: String {
        switch self {
        case .variable(let name): return "var.\(name)"
        case .accountId: return "account_id"
        case .region: return "region"
        case .stackName: return "stack_name"
        case .resource(let name, let attribute): return "\(name).\(attribute)"
        }
    }

    /// Parses the text between `${` and `}`; nil when it names nothing sandbox knows how to resolve.
    public init?(parsing raw: String) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch text {
        case "account_id": self = .accountId
        case "region": self = .region
        case "stack_name": self = .stackName
        default:
            let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, parts.allSatisfy({ Self.isIdentifier($0) }) else { return nil }
            self = parts[0] == "var" ? .variable(parts[1]) : .resource(name: parts[0], attribute: parts[1])
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}

/// A string with `${…}` interpolations. `$${` writes a literal `${`.
public struct Template: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case reference(Reference)
    }

    public let parts: [Part]

    public var references: [Reference] {
        parts.compactMap { if case .reference(let r) = $0 { return r } else { return nil } }
    }

    /// The reference when the whole string is exactly one `${…}`, which keeps the referenced value's type.
    public var soleReference: Reference? {
        if parts.count == 1, case .reference(let r) = parts[0] { return r }
        return nil
    }

    public enum ParseError: Error, Equatable {
        case unterminated
        case invalid(String)
    }

    public init(parsing text: String) throws(ParseError) {
        var parts: [Part] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("$${") {
                literal += "${"
                index = text.index(index, offsetBy: 3)
            } else if rest.hasPrefix("${") {
                guard let close = rest.firstIndex(of: "}") else { throw .unterminated }
                let inner = String(text[text.index(index, offsetBy: 2)..<close])
                guard let reference = Reference(parsing: inner) else { throw .invalid(inner) }
                if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                parts.append(.reference(reference))
                index = text.index(after: close)
            } else {
                literal.append(text[index])
                index = text.index(after: index)
            }
        }
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }
}
