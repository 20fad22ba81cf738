import Foundation
import SandboxCore
import SandboxGraph
import SandboxProviders
import SandboxStack

/// One resource as the stack wants it: known attribute values, and names of those only known after apply.
public struct DesiredResource: Sendable {
    public let declaration: ResourceDeclaration
    public var attributes: Attributes
    public var unknown: Set<String>
    public var dependencies: [ResourceAddress]

    public var address: ResourceAddress { declaration.address }
}

/// The whole stack evaluated against variables, account and region.
public struct DesiredState: Sendable {
    public let stack: Stack
    public var resources: [ResourceAddress: DesiredResource]
    /// Stack resource names in dependency order.
    public let order: [String]
    public let graph: DependencyGraph<String>
    public let context: EvaluationContext

    /// Evaluates every resource in dependency order; references to attributes AWS computes stay unknown.
    public static func evaluate(_ stack: Stack, variables: [String: JSONValue], accountId: String, region: String,
                                providerContext: ProviderContext?, known: [String: Attributes] = [:], lenient: Bool = false,
                                catalogue: KindCatalogue = .standard) throws -> DesiredState {
        let graph = StackValidator.dependencyGraph(stack)
        guard let order = graph.topologicalOrder() else {
            throw DiagnosticsError([Diagnostic(at: nil, "dependency cycle: \(graph.findCycle()?.joined(separator: " -> ") ?? "?")")])
        }
        var context = EvaluationContext(variables: variables, accountId: accountId, region: region, stackName: stack.name, attributes: known)
        var diagnostics: [Diagnostic] = []
        var tags: [String: String] = [:]
        for entry in stack.tags {
            let evaluated = lenient ? ((try? StackEvaluator.evaluate(entry.value, in: context)) ?? .unknown) : try StackEvaluator.evaluate(entry.value, in: context)
            if case .known(let value) = evaluated { tags[entry.key] = value.description }
        }
        tags["ManagedBy"] = "sandbox"

        var resources: [ResourceAddress: DesiredResource] = [:]
        var disabled: Set<String> = []
        for name in order {
            guard let declaration = stack.resource(named: name) else { continue }
            if let condition = declaration.enabled {
                let evaluated = lenient ? ((try? StackEvaluator.evaluate(condition, in: context)) ?? .unknown) : try StackEvaluator.evaluate(condition, in: context)
                guard case .known(let value) = evaluated, let on = value.boolValue ?? (value.stringValue.flatMap { ["true": true, "false": false][$0] }) else {
                    if lenient { continue }
                    throw DiagnosticsError([Diagnostic(at: condition.location, "\(name).enabled must be true or false; the variable it names is not a bool")])
                }
                if !on {
                    disabled.insert(name)
                    continue
                }
            }
            if let off = declaration.dependencyNames.sorted().first(where: disabled.contains) {
                diagnostics.append(Diagnostic(at: declaration.location, "\(name) references \(off), which is disabled (its enabled is false); disable \(name) too or enable \(off)"))
                continue
            }
            var attributes: Attributes = [:]
            var unknown: Set<String> = []
            for spec in declaration.kind.properties {
                if let raw = declaration.properties[spec.name] {
                    // Lenient evaluation (cleanup, run commands) treats values that need missing variables as unknown.
                    let evaluated = lenient ? ((try? StackEvaluator.evaluate(raw, in: context)) ?? .unknown) : try StackEvaluator.evaluate(raw, in: context)
                    switch evaluated {
                    case .unknown: unknown.insert(spec.name)
                    case .known(.null) where !spec.required:
                        // null (an optional variable without a value) leaves the property unset, as if not written.
                        if let defaultValue = spec.defaultValue { attributes[spec.name] = defaultValue }
                    case .known(let value):
                        let coerced = coerce(value, to: spec.type)
                        if let problem = PropertyCheck.problem(spec: spec, value: coerced) {
                            diagnostics.append(Diagnostic(at: raw.location, "\(name).\(spec.name): \(problem)"))
                        }
                        attributes[spec.name] = coerced
                    }
                } else if let defaultValue = spec.defaultValue {
                    attributes[spec.name] = defaultValue
                }
            }
            if declaration.kind.taggable {
                // A resource's own tags override the stack's, but every managed resource keeps ManagedBy=sandbox.
                var merged = tags.merging(attributes.stringMap("tags")) { _, own in own }
                merged["ManagedBy"] = "sandbox"
                // Evaluated values (`${var.owner}`) meet the rules `validate` checks on literals, before any write.
                for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
                    if let problem = TagRule.keyProblem(key) ?? TagRule.valueProblem(value) {
                        diagnostics.append(Diagnostic(at: declaration.properties["tags"]?.location ?? declaration.location, "\(name): tag \(key): \(problem)"))
                    }
                }
                for problem in TagRule.setProblems(Array(merged.keys)) {
                    diagnostics.append(Diagnostic(at: declaration.location, "\(name): \(problem)"))
                }
                attributes["tags"] = .object(merged.mapValues(JSONValue.string))
            }
            let provider = try catalogue.require(declaration.kind.name)
            let facts = StackFacts(stackName: stack.name, accountId: accountId, region: region)
            for problem in provider.normalize(&attributes, unknown: unknown, facts: facts) {
                diagnostics.append(Diagnostic(at: declaration.location, "\(name): \(problem)"))
            }
            if let providerContext { attributes = provider.plannedAttributes(attributes, context: providerContext) }
            let merged = (known[name] ?? [:]).merging(attributes) { _, planned in planned }
            context.attributes[name] = merged
            let dependencies = declaration.dependencyNames.compactMap { stack.resource(named: $0)?.address }.sorted()
            resources[declaration.address] = DesiredResource(declaration: declaration, attributes: attributes, unknown: unknown, dependencies: dependencies)
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        return DesiredState(stack: stack, resources: resources, order: order, graph: graph, context: context)
    }

    /// Template results are strings; a property typed as a number or boolean takes the parsed value.
    static func coerce(_ value: JSONValue, to type: PropertyType) -> JSONValue {
        guard case .string(let text) = value else {
            if case .stringList = type, case .string = value { return .array([value]) }
            return value
        }
        switch type {
        case .integer, .number: return Double(text).map(JSONValue.number) ?? value
        case .bool: return ["true", "false"].contains(text) ? .bool(text == "true") : value
        case .stringList: return .array([value])
        default: return value
        }
    }

    /// Evaluates the stack's outputs against known attributes; outputs that cannot be known yet are omitted.
    public func outputs(known: [String: Attributes]) -> [String: JSONValue] {
        var context = self.context
        for (name, attributes) in known { context.attributes[name] = attributes }
        var out: [String: JSONValue] = [:]
        for output in stack.outputs {
            if case .known(let value)? = try? StackEvaluator.evaluate(output.value, in: context) { out[output.name] = value }
        }
        return out
    }
}
