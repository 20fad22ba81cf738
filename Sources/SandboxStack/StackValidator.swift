import Foundation
import SandboxCore
import SandboxGraph

/// Checks what parsing cannot: references resolve, the graph has no cycle, literal values fit their property.
public enum StackValidator {
    /// - Parameters:
    ///   - rejectedResources: resources whose declaration was already reported as invalid; references to them are not reported again.
    ///   - rejectedVariables: the same for variables.
    public static func validate(_ stack: Stack, rejectedResources: Set<String> = [], rejectedVariables: Set<String> = []) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let variableNames = Set(stack.variables.map(\.name))
        let resources = Dictionary(stack.resources.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        func checkReferences(in value: StackValue, context: String) {
            switch value {
            case .string(let text, let location):
                let template: Template
                do { template = try Template(parsing: text) } catch {
                    switch error {
                    case .unterminated:
                        diagnostics.append(Diagnostic(at: location, "unterminated ${ in \(context); close it with }"))
                    case .invalid(let inner):
                        diagnostics.append(Diagnostic(at: location, "cannot understand ${\(inner)} in \(context); use var.NAME, RESOURCE.ATTRIBUTE, account_id, region or stack_name"))
                    }
                    return
                }
                for reference in template.references {
                    switch reference {
                    case .variable(let name) where !variableNames.contains(name) && !rejectedVariables.contains(name):
                        var message = "unknown variable var.\(name) in \(context)"
                        if let s = Suggestion.closest(to: name, in: Array(variableNames)) { message += "; did you mean var.\(s)?" }
                        diagnostics.append(Diagnostic(at: location, message))
                    case .resource(let name, let attribute):
                        guard let target = resources[name] else {
                            if rejectedResources.contains(name) { continue }
                            var message = "reference to unknown resource '\(name)' in \(context)"
                            if let s = Suggestion.closest(to: name, in: Array(resources.keys)) { message += "; did you mean '\(s)'?" }
                            diagnostics.append(Diagnostic(at: location, message))
                            continue
                        }
                        if !target.kind.referenceableNames.contains(attribute) {
                            var message = "\(target.kind.name) \(name) has no attribute '\(attribute)' (it has \(target.kind.referenceableNames.joined(separator: ", ")))"
                            if let s = Suggestion.closest(to: attribute, in: target.kind.referenceableNames) { message += "; did you mean '\(s)'?" }
                            diagnostics.append(Diagnostic(at: location, message))
                        }
                    default:
                        break
                    }
                }
            case .list(let items, _):
                for item in items { checkReferences(in: item, context: context) }
            case .map(let entries, _):
                for entry in entries { checkReferences(in: entry.value, context: context) }
            default:
                break
            }
        }

        var seen: [String: SourceLocation] = [:]
        for resource in stack.resources {
            if let first = seen[resource.name] {
                diagnostics.append(Diagnostic(at: resource.location, "resource \(resource.name) is declared twice (first at \(first))"))
            }
            seen[resource.name] = resource.location
            for (name, value) in resource.properties.sorted(by: { $0.key < $1.key }) {
                checkReferences(in: value, context: "\(resource.name).\(name)")
                if let spec = resource.kind.property(name), let literal = StackEvaluator.literal(value),
                   let problem = PropertyCheck.problem(spec: spec, value: literal) {
                    diagnostics.append(Diagnostic(at: value.location, "\(resource.name).\(name): \(problem)"))
                }
            }
            if let enabled = resource.enabled {
                checkReferences(in: enabled, context: "\(resource.name).enabled")
                if StackExpressions.references(in: enabled).contains(where: { if case .variable = $0 { return false } else { return true } }) {
                    diagnostics.append(Diagnostic(at: enabled.location, "\(resource.name).enabled may only name a variable (${var.NAME}), so the plan knows it before anything exists"))
                }
            }
            for dependency in resource.dependsOn where resources[dependency] == nil && !rejectedResources.contains(dependency) {
                diagnostics.append(Diagnostic(at: resource.location, "resource \(resource.name) depends_on unknown resource '\(dependency)'"))
            }
        }
        for tag in stack.tags { checkReferences(in: tag.value, context: "tag \(tag.key)") }
        diagnostics += tagDiagnostics(stack.tags, context: "tags")
        for resource in stack.resources where resource.kind.taggable {
            if case .map(let entries, _)? = resource.properties["tags"] {
                diagnostics += tagDiagnostics(entries, context: "\(resource.name).tags")
            }
        }
        for output in stack.outputs { checkReferences(in: output.value, context: "output \(output.name)") }
        if let runs = stack.runs {
            checkReferences(in: runs.bucket, context: "runs.bucket")
            checkReferences(in: runs.gluePrefix, context: "runs.glue_prefix")
            checkReferences(in: runs.s3Root, context: "runs.s3_root")
            if let root = StackEvaluator.literal(runs.s3Root)?.stringValue, let problem = NameRule.runPrefix.problem(with: root) {
                diagnostics.append(Diagnostic(at: runs.s3Root.location, "runs.s3_root: \(problem)"))
            }
        }

        let graph = dependencyGraph(stack)
        if let cycle = graph.findCycle() {
            let location = stack.resource(named: cycle[0])?.location
            diagnostics.append(Diagnostic(at: location, "dependency cycle: \(cycle.joined(separator: " -> ")); remove one of these references or depends_on entries"))
        }
        return diagnostics
    }

    /// IAM's and S3's tag rules on keys and on values known without evaluation (values with `${...}` are checked
    /// once evaluated, before any write).
    static func tagDiagnostics(_ entries: [StackEntry], context: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for entry in entries {
            if let problem = TagRule.keyProblem(entry.key) {
                diagnostics.append(Diagnostic(at: entry.keyLocation, "\(context): tag '\(entry.key)': \(problem)"))
            }
            if let value = StackEvaluator.literal(entry.value)?.stringValue, let problem = TagRule.valueProblem(value) {
                diagnostics.append(Diagnostic(at: entry.value.location, "\(context): tag \(entry.key): \(problem)"))
            }
        }
        return diagnostics
    }

    /// The resource graph by name: an edge from each resource to what it references or depends on.
    public static func dependencyGraph(_ stack: Stack) -> DependencyGraph<String> {
        var graph = DependencyGraph<String>()
        let names = Set(stack.resources.map(\.name))
        for resource in stack.resources {
            graph.add(resource.name)
            for dependency in resource.dependencyNames where names.contains(dependency) {
                graph.addEdge(from: resource.name, to: dependency)
            }
        }
        return graph
    }
}

/// Type, range and naming checks of one property value.
public enum PropertyCheck {
    public static func problem(spec: PropertySpec, value: JSONValue) -> String? {
        switch (spec.type, value) {
        case (.string, .string(let s)):
            return spec.rule?.problem(with: s).map { "'\(s)': \($0)" }
        case (.integer, .number(let n)):
            if n.rounded() != n { return "must be an integer, got \(n)" }
            return rangeProblem(spec, n)
        case (.number, .number(let n)):
            return rangeProblem(spec, n)
        case (.bool, .bool), (.document, .object):
            return nil
        case (.stringList, .array(let items)):
            for item in items {
                guard let s = item.stringValue else { return "must be a list of strings" }
                if let problem = spec.rule?.problem(with: s) { return "'\(s)': \(problem)" }
            }
            return nil
        case (.stringMap, .object(let entries)):
            return entries.values.allSatisfy({ $0.stringValue != nil }) ? nil : "must map names to strings"
        case (.oneOf(let allowed), .string(let s)):
            if allowed.contains(s) { return nil }
            var message = "'\(s)' must be one of \(allowed.joined(separator: ", "))"
            if let suggestion = Suggestion.closest(to: s, in: allowed) { message += "; did you mean '\(suggestion)'?" }
            return message
        case (_, .null) where !spec.required:
            return nil
        default:
            return "must be \(spec.type.schemaName), got \(value.compactJSON)"
        }
    }

    static func rangeProblem(_ spec: PropertySpec, _ n: Double) -> String? {
        guard let range = spec.range, !range.contains(n) else { return nil }
        return "\(JSONValue.number(n)) is outside \(JSONValue.number(range.lowerBound))...\(JSONValue.number(range.upperBound))"
    }
}
