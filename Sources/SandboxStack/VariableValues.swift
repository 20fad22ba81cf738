import Foundation
import SandboxCore

/// Where variable values come from, lowest precedence first: defaults, `SANDBOX_VAR_<name>`, `--var-file`, `--var`.
public struct VariableInputs: Sendable {
    public var assignments: [String]
    public var files: [String]
    public var environment: [String: String]

    public init(assignments: [String] = [], files: [String] = [], environment: [String: String] = [:]) {
        self.assignments = assignments
        self.files = files
        self.environment = environment
    }
}

/// Resolves and validates the values of a stack's variables.
public enum VariableValues {
    /// - Parameter requireAll: when false (offline `validate`), a missing required variable is a warning.
    public static func resolve(_ stack: Stack, inputs: VariableInputs, requireAll: Bool = true) throws -> (values: [String: JSONValue], warnings: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var values: [String: JSONValue] = [:]
        var origins: [String: String] = [:]
        let declared = Dictionary(stack.variables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        func unknown(_ name: String) -> String {
            var message = "unknown variable '\(name)'"
            if let s = Suggestion.closest(to: name, in: Array(declared.keys)) { message += "; did you mean '\(s)'?" }
            else { message += "; the stack declares \(declared.keys.sorted().joined(separator: ", "))" }
            return message
        }

        for variable in stack.variables {
            if let defaultValue = variable.defaultValue, let literal = StackEvaluator.literal(defaultValue) {
                // An explicit null default is "no value": references to it evaluate to null, which leaves a property unset.
                values[variable.name] = literal
                origins[variable.name] = "default"
            }
            if let text = inputs.environment["SANDBOX_VAR_\(variable.name)"] {
                set(variable, text: text, origin: "SANDBOX_VAR_\(variable.name)")
            }
        }

        func set(_ variable: VariableDeclaration, text: String, origin: String) {
            guard let value = variable.convert(text: text) else {
                diagnostics.append(Diagnostic(at: nil, "variable \(variable.name) from \(origin): '\(text)' is not \(variable.kind.phrase)"))
                return
            }
            values[variable.name] = value
            origins[variable.name] = origin
        }

        for file in inputs.files {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw SimpleError(.usage, "cannot read variable file \(file)")
            }
            let root = try StackYAML.load(text, file: file)
            guard let entries = root.entries else {
                if case .null = root { continue }
                throw SimpleError(.usage, "\(root.location): variable file must be a mapping of name: value")
            }
            for entry in entries {
                guard let variable = declared[entry.key] else {
                    diagnostics.append(Diagnostic(at: entry.keyLocation, unknown(entry.key)))
                    continue
                }
                guard let value = StackEvaluator.literal(entry.value) else {
                    diagnostics.append(Diagnostic(at: entry.value.location, "variable files hold plain values, not ${...} references"))
                    continue
                }
                if case .string(let s) = value, variable.kind != .string { set(variable, text: s, origin: file) } else {
                    let coerced: JSONValue
                    if variable.kind == .string, value.stringValue == nil, value.arrayValue == nil, value.objectValue == nil {
                        coerced = .string(value.description)
                    } else {
                        coerced = value
                    }
                    values[variable.name] = coerced
                    origins[variable.name] = file
                }
            }
        }

        for assignment in inputs.assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                diagnostics.append(Diagnostic(at: nil, "--var '\(assignment)' must look like NAME=VALUE"))
                continue
            }
            let name = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            guard let variable = declared[name] else {
                diagnostics.append(Diagnostic(at: nil, "--var \(name): \(unknown(name))"))
                continue
            }
            set(variable, text: text, origin: "--var")
        }

        var warnings: [Diagnostic] = []
        for variable in stack.variables {
            guard let value = values[variable.name] else {
                if variable.required || variable.defaultValue == nil {
                    let message = "variable \(variable.name) is required\(variable.description.map { " (\($0))" } ?? ""); pass --var \(variable.name)=VALUE, a --var-file, or SANDBOX_VAR_\(variable.name)"
                    if requireAll { diagnostics.append(Diagnostic(at: variable.location, message)) } else {
                        warnings.append(Diagnostic(.warning, at: variable.location, message))
                    }
                }
                continue
            }
            if value != .null, let problem = variable.problem(with: value) {
                let origin = origins[variable.name] ?? "?"
                diagnostics.append(Diagnostic(at: origin == "default" ? variable.location : nil, "\(problem) (from \(origin))"))
            }
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        return (values, warnings)
    }
}
