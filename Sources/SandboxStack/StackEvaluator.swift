import Foundation
import SandboxCore

/// A value after evaluation: known, or only known once the resource it depends on exists.
public enum Evaluated: Sendable, Equatable {
    case known(JSONValue)
    case unknown

    public var value: JSONValue? { if case .known(let v) = self { return v }; return nil }
}

/// What references resolve against.
public struct EvaluationContext: Sendable {
    public var variables: [String: JSONValue]
    public var accountId: String?
    public var region: String?
    public var stackName: String
    /// Known attributes of resources, by resource name.
    public var attributes: [String: [String: JSONValue]]

    public init(variables: [String: JSONValue], accountId: String?, region: String?, stackName: String, attributes: [String: [String: JSONValue]] = [:]) {
        self.variables = variables
        self.accountId = accountId
        self.region = region
        self.stackName = stackName
        self.attributes = attributes
    }
}

/// Raised when a value cannot be evaluated (a missing variable, a list spliced into a string).
public struct EvaluationError: SandboxError {
    public let location: SourceLocation
    public let message: String
    public let category: FailureCategory = .usage

    public var userMessage: String { "\(location): error: \(message)" }
}

/// Evaluates stack values against a context.
public enum StackEvaluator {
    public static func evaluate(_ value: StackValue, in context: EvaluationContext) throws -> Evaluated {
        switch value {
        case .string(let text, let location):
            let template: Template
            do { template = try Template(parsing: text) } catch {
                throw EvaluationError(location: location, message: "invalid interpolation in '\(text)'")
            }
            if let sole = template.soleReference { return try resolve(sole, at: location, in: context) }
            var out = ""
            for part in template.parts {
                switch part {
                case .literal(let literal): out += literal
                case .reference(let reference):
                    switch try resolve(reference, at: location, in: context) {
                    case .unknown: return .unknown
                    case .known(let v):
                        switch v {
                        case .string, .number, .bool: out += v.description
                        case .null: throw EvaluationError(location: location, message: "${\(reference)} has no value (null) and cannot be part of a string; give it a value")
                        default: throw EvaluationError(location: location, message: "${\(reference)} is a \(v.arrayValue != nil ? "list" : "mapping") and cannot be part of a string")
                        }
                    }
                }
            }
            return .known(.string(out))
        case .number(let n, _, _): return .known(.number(n))
        case .bool(let b, _): return .known(.bool(b))
        case .null: return .known(.null)
        case .list(let items, _):
            var out: [JSONValue] = []
            for item in items {
                guard case .known(let v) = try evaluate(item, in: context) else { return .unknown }
                out.append(v)
            }
            return .known(.array(out))
        case .map(let entries, _):
            var out: [String: JSONValue] = [:]
            for entry in entries {
                guard case .known(let v) = try evaluate(entry.value, in: context) else { return .unknown }
                out[entry.key] = v
            }
            return .known(.object(out))
        }
    }

    static func resolve(_ reference: Reference, at location: SourceLocation, in context: EvaluationContext) throws -> Evaluated {
        switch reference {
        case .variable(let name):
            guard let value = context.variables[name] else {
                throw EvaluationError(location: location, message: "variable \(name) has no value; pass --var \(name)=VALUE, set SANDBOX_VAR_\(name), or give it a default")
            }
            return .known(value)
        case .accountId:
            return context.accountId.map { .known(.string($0)) } ?? .unknown
        case .region:
            return context.region.map { .known(.string($0)) } ?? .unknown
        case .stackName:
            return .known(.string(context.stackName))
        case .resource(let name, let attribute):
            return context.attributes[name]?[attribute].map { .known($0) } ?? .unknown
        }
    }

    /// The value of a literal (no references); nil if it contains any.
    public static func literal(_ value: StackValue) -> JSONValue? {
        guard StackExpressions.references(in: value).isEmpty else { return nil }
        let context = EvaluationContext(variables: [:], accountId: nil, region: nil, stackName: "")
        return (try? evaluate(value, in: context))?.value
    }
}
