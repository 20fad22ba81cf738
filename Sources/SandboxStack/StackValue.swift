import Foundation
import SandboxCore
import Yams

/// A YAML value with the position it came from, so every diagnostic can point at `file:line:column`.
public indirect enum StackValue: Sendable {
    case string(String, SourceLocation)
    case number(Double, String, SourceLocation)
    case bool(Bool, SourceLocation)
    case null(SourceLocation)
    case list([StackValue], SourceLocation)
    case map([StackEntry], SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .string(_, let l), .number(_, _, let l), .bool(_, let l), .null(let l), .list(_, let l), .map(_, let l): return l
        }
    }

    /// A short name of the value's type for messages ("a string", "a list").
    public var typeName: String {
        switch self {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        case .list: return "a list"
        case .map: return "a mapping"
        }
    }

    public var stringValue: String? {
        if case .string(let s, _) = self { return s }
        return nil
    }

    /// The scalar as text (numbers and booleans as written), nil for collections and null.
    public var scalarText: String? {
        switch self {
        case .string(let s, _): return s
        case .number(_, let raw, _): return raw
        case .bool(let b, _): return b ? "true" : "false"
        default: return nil
        }
    }

    public var entries: [StackEntry]? {
        if case .map(let entries, _) = self { return entries }
        return nil
    }

    public subscript(key: String) -> StackValue? {
        entries?.first { $0.key == key }?.value
    }
}

/// One `key: value` pair of a mapping.
public struct StackEntry: Sendable {
    public let key: String
    public let keyLocation: SourceLocation
    public let value: StackValue
}

/// Reads YAML into `StackValue`s with limits that stop hostile input (alias bombs, huge or deep documents).
public enum StackYAML {
    public static let maxBytes = 1_048_576
    public static let maxNodes = 100_000
    public static let maxDepth = 64

    public static func load(_ text: String, file: String) throws -> StackValue {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard text.utf8.count <= maxBytes else {
            throw DiagnosticsError([Diagnostic(at: start, "stack file is \(text.utf8.count) bytes; the limit is \(maxBytes) bytes")])
        }
        // The parser must outlive the conversion: it owns the anchors that nodes reference weakly.
        let parser: Yams.Parser
        let node: Node?
        do {
            parser = try Yams.Parser(yaml: text)
            node = try parser.singleRoot()
        } catch let error as YamlError {
            throw DiagnosticsError([describe(error, file: file)])
        } catch {
            throw DiagnosticsError([Diagnostic(at: start, "cannot parse YAML: \(error)")])
        }
        guard let node else { return .map([], start) }
        var budget = maxNodes
        return try withExtendedLifetime(parser) { try convert(node, file: file, depth: 0, budget: &budget) }
    }

    static func describe(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let where_ = SourceLocation(file: file, line: mark.line, column: mark.column)
            let text = [problem, context.map { "(\($0.text))" }].compactMap { $0 }.joined(separator: " ")
            return Diagnostic(at: where_, "invalid YAML: \(text)")
        case .composer(let context, let problem, let mark, _):
            let where_ = SourceLocation(file: file, line: mark.line, column: mark.column)
            let text = [problem, context.map { "(\($0.text))" }].compactMap { $0 }.joined(separator: " ")
            return Diagnostic(at: where_, "invalid YAML: \(text)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams checks duplicates before we see the mapping and reports where the key first appears.
            let where_ = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
            return Diagnostic(at: where_, "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")); each key may appear only once in a mapping")
        default:
            let oneLine = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "unknown error"
            return Diagnostic(at: SourceLocation(file: file, line: 1, column: 1), "invalid YAML: \(oneLine)")
        }
    }

    static func convert(_ node: Node, file: String, depth: Int, budget: inout Int) throws -> StackValue {
        let mark = node.mark
        let location = SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        budget -= 1
        guard budget >= 0 else {
            throw DiagnosticsError([Diagnostic(at: location, "stack expands to more than \(maxNodes) values (an alias bomb?); simplify the file")])
        }
        guard depth <= maxDepth else {
            throw DiagnosticsError([Diagnostic(at: location, "stack is nested deeper than \(maxDepth) levels")])
        }
        // Yams expands each alias into a copy of its anchored node, so anchors are the only trace aliases leave.
        if let anchor = node.anchor {
            throw DiagnosticsError([Diagnostic(at: location, "YAML anchors and aliases are not supported in stacks (found &\(anchor.rawValue)); write each value out")])
        }
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar, location: location)
        case .sequence(let sequence):
            var items: [StackValue] = []
            for item in sequence { items.append(try convert(item, file: file, depth: depth + 1, budget: &budget)) }
            return .list(items, location)
        case .mapping(let mapping):
            var entries: [StackEntry] = []
            var seen: Set<String> = []
            for (keyNode, valueNode) in mapping {
                let keyLocation = SourceLocation(file: file, line: keyNode.mark?.line ?? location.line, column: keyNode.mark?.column ?? location.column)
                guard let key = keyNode.scalar?.string else {
                    throw DiagnosticsError([Diagnostic(at: keyLocation, "mapping keys must be plain strings")])
                }
                guard seen.insert(key).inserted else {
                    throw DiagnosticsError([Diagnostic(at: keyLocation, "duplicate key '\(key)'")])
                }
                entries.append(StackEntry(key: key, keyLocation: keyLocation, value: try convert(valueNode, file: file, depth: depth + 1, budget: &budget)))
            }
            return .map(entries, location)
        case .alias:
            throw DiagnosticsError([Diagnostic(at: location, "YAML aliases are not supported in stacks")])
        }
    }

    static func scalarValue(_ scalar: Node.Scalar, location: SourceLocation) -> StackValue {
        let text = scalar.string
        // Quoted scalars are always strings, whatever they look like.
        guard scalar.style == .plain else { return .string(text, location) }
        switch text {
        case "true", "True", "TRUE": return .bool(true, location)
        case "false", "False", "FALSE": return .bool(false, location)
        case "null", "Null", "NULL", "~", "": return .null(location)
        default:
            if let number = Double(text), text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true, !text.contains("_") {
                return .number(number, text, location)
            }
            return .string(text, location)
        }
    }
}
