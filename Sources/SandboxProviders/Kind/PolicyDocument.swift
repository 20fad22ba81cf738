import Foundation
import SandboxCore
import SandboxSigV4

/// IAM policy documents compared by meaning: statement and action order, string-vs-list and
/// URL-encoding (as IAM returns documents) do not count as differences.
public enum PolicyDocument {
    /// Keys whose values are sets in IAM's grammar.
    static let setKeys: Set<String> = ["Action", "NotAction", "Resource", "NotResource"]

    /// A canonical form: lists of scalars under set keys sorted and deduplicated, single strings widened
    /// to lists, statements sorted by their canonical JSON.
    public static func normalize(_ value: JSONValue) -> JSONValue {
        normalize(value, key: nil)
    }

    static func normalize(_ value: JSONValue, key: String?) -> JSONValue {
        switch value {
        case .object(let entries):
            var out: [String: JSONValue] = [:]
            for (k, v) in entries { out[k] = normalize(v, key: k) }
            return .object(out)
        case .array(let items):
            let normalized = items.map { normalize($0, key: nil) }
            if key == "Statement" {
                return .array(normalized.sorted { $0.compactJSON < $1.compactJSON })
            }
            if let key, setKeys.contains(key) {
                let unique = Set(normalized.map(\.compactJSON))
                return .array(unique.sorted().compactMap { JSONValue.parse($0) })
            }
            return .array(normalized)
        case .string(let s):
            if let key, setKeys.contains(key) { return .array([.string(s)]) }
            if key == "Statement" { return .array([.string(s)]) }
            return .string(s)
        default:
            return value
        }
    }

    /// Parses a document as IAM returns it (possibly URL-encoded) or as a JSON string.
    public static func parse(_ text: String) -> JSONValue? {
        if let direct = JSONValue.parse(text) { return direct }
        let decoded = URIEncoding.decode(text.replacingOccurrences(of: "+", with: " "))
        return JSONValue.parse(decoded)
    }

    public static func equivalent(_ a: JSONValue, _ b: JSONValue) -> Bool {
        canonicalText(a) == canonicalText(b)
    }

    /// A single statement object becomes a one-element list, so both shapes compare equal.
    static func widenStatement(_ value: JSONValue) -> JSONValue {
        guard case .object(var entries) = value, let statement = entries["Statement"], case .object = statement else { return value }
        entries["Statement"] = .array([statement])
        return .object(entries)
    }

    /// Canonical JSON text used to compare and fingerprint documents.
    public static func canonicalText(_ value: JSONValue) -> String {
        normalize(widenStatement(value)).compactJSON
    }
}
