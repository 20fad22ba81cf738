import Foundation
import SandboxCore

/// A stack variable: its type, default and validation.
public struct VariableDeclaration: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case string, number, integer, bool, list
        /// A mapping of names to strings (tags, say), written as a YAML mapping, JSON or `a=1,b=2`.
        case map

        /// The type with its article, for messages ("an integer").
        public var phrase: String { self == .integer ? "an integer" : "a \(rawValue)" }
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: StackValue?
    public let required: Bool
    public let description: String?
    public let pattern: String?
    public let minimum: Double?
    /// The value must be above this (`exclusive_min`), for limits such as "more than 0".
    public let exclusiveMinimum: Double?
    public let maximum: Double?
    public let allowed: [String]?
    /// The stack's own message shown when validation fails.
    public let message: String?
    public let location: SourceLocation

    /// Converts a raw text value (from `--var`, a var file or the environment) to this variable's type.
    public func convert(text: String) -> JSONValue? {
        switch kind {
        case .string: return .string(text)
        case .number: return Double(text).map(JSONValue.number)
        case .integer: return Int(text).map { .number(Double($0)) }
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return nil
            }
        case .list:
            if let parsed = JSONValue.parse(text), case .array = parsed { return parsed }
            return .array(text.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        case .map:
            if let parsed = JSONValue.parse(text), case .object = parsed { return parsed }
            var entries: [String: JSONValue] = [:]
            for pair in text.split(separator: ",") {
                guard let equals = pair.firstIndex(of: "=") else { return nil }
                let key = pair[..<equals].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else { return nil }
                entries[key] = .string(pair[pair.index(after: equals)...].trimmingCharacters(in: .whitespaces))
            }
            return .object(entries)
        }
    }

    /// Checks a value against type and validation; returns the problem or nil.
    public func problem(with value: JSONValue) -> String? {
        let fail = { (reason: String) -> String in
            "variable \(self.name): \(self.message ?? reason)"
        }
        switch (kind, value) {
        case (.string, .string(let s)):
            if let pattern, s.range(of: pattern, options: .regularExpression) == nil {
                return fail("'\(s)' does not match \(pattern)")
            }
            if let allowed, !allowed.contains(s) { return fail("'\(s)' is not one of \(allowed.joined(separator: ", "))") }
            if let minimum, Double(s.count) < minimum { return fail("'\(s)' is shorter than \(Int(minimum))") }
            if let maximum, Double(s.count) > maximum { return fail("'\(s)' is longer than \(Int(maximum))") }
            return nil
        case (.number, .number(let n)), (.integer, .number(let n)):
            if kind == .integer, n.rounded() != n { return fail("\(n) is not an integer") }
            if let exclusiveMinimum, n <= exclusiveMinimum { return fail("\(JSONValue.number(n)) is not above \(JSONValue.number(exclusiveMinimum))") }
            if let minimum, n < minimum { return fail("\(JSONValue.number(n)) is below the minimum \(JSONValue.number(minimum))") }
            if let maximum, n > maximum { return fail("\(JSONValue.number(n)) is above the maximum \(JSONValue.number(maximum))") }
            if let allowed, !allowed.contains(JSONValue.number(n).description) { return fail("\(n) is not one of \(allowed.joined(separator: ", "))") }
            return nil
        case (.bool, .bool), (.list, .array):
            return nil
        case (.map, .object(let entries)):
            if let key = entries.keys.sorted().first(where: { entries[$0]?.stringValue == nil }) {
                return "variable \(name): \(key) must map to a string, got \(entries[key]?.compactJSON ?? "null")"
            }
            return nil
        default:
            return "variable \(name) must be \(kind.phrase), got \(value.compactJSON)"
        }
    }
}
