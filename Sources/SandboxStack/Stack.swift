import SandboxCore

/// A parsed stack file: the declarative description of one sandbox.
public struct Stack: Sendable {
    public let file: String
    /// SHA-256 of the file's bytes, recorded in reports so evidence names the exact stack used.
    public let sha256: String
    public let name: String
    public let description: String?
    /// A pinned region; nil means the environment's region (`--region`, `AWS_REGION`, the profile).
    public let region: String?
    public let allowedAccountIds: [String]
    /// A remote state (`s3://BUCKET/KEY`) shared by every runner; nil keeps state in a local file.
    public let backend: String?
    public let variables: [VariableDeclaration]
    public let tags: [StackEntry]
    public let resources: [ResourceDeclaration]
    public let runs: RunScheme?
    public let outputs: [OutputDeclaration]

    public func resource(named name: String) -> ResourceDeclaration? { resources.first { $0.name == name } }
}

/// One `resources:` entry.
public struct ResourceDeclaration: Sendable {
    public let name: String
    public let kind: ResourceKind
    /// Property values as written (templates not yet evaluated), keyed by property name.
    public let properties: [String: StackValue]
    public let dependsOn: [String]
    /// `enabled: ${var.x}`: when it evaluates to false the resource is left out of the stack (nil: always in).
    public let enabled: StackValue?
    public let location: SourceLocation

    public var address: ResourceAddress { ResourceAddress(type: kind.name, name: name) }

    /// False only when `enabled` is known to be false with these variable values (unknown counts as enabled).
    public func isEnabled(variables: [String: JSONValue]) -> Bool {
        guard let enabled else { return true }
        let context = EvaluationContext(variables: variables, accountId: nil, region: nil, stackName: "")
        if case .known(.bool(false))? = try? StackEvaluator.evaluate(enabled, in: context) { return false }
        return true
    }

    /// Names of the resources this one references or explicitly depends on.
    public var dependencyNames: Set<String> {
        var names = Set(dependsOn)
        for value in properties.values {
            for reference in StackExpressions.references(in: value) {
                if case .resource(let name, _) = reference { names.insert(name) }
            }
        }
        return names
    }
}

/// A named value printed by `sandbox output`.
public struct OutputDeclaration: Sendable {
    public let name: String
    public let value: StackValue
    public let description: String?
    /// Printed only when asked for by name or with `--env`; plain `sandbox output` shows `(sensitive)`.
    public let sensitive: Bool
    public let location: SourceLocation

    /// Outputs named like environment variables (`FLOE_AWS_TEST_BUCKET`) are the ones `--env` exports.
    public var isEnvironmentVariable: Bool {
        guard let first = name.first, first.isUppercase || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
    }
}

/// How a stack's test runs are named and where their data lives.
public struct RunScheme: Sendable {
    /// Run ids must match this regular expression (anchored).
    public let idPattern: String
    /// How `run new` mints an id: `{timestamp}` becomes the UTC time as `yyyyMMdd'T'HHmmss'Z'`.
    public let idTemplate: String
    /// The environment variable that carries the run id to tests.
    public let idVariable: String
    public let prefixVariable: String
    public let databaseVariable: String
    /// The key prefix all runs live under (`runs/`).
    public let s3Root: StackValue
    /// The bucket runs write to, usually `${bucket.name}`.
    public let bucket: StackValue
    /// The Glue database name prefix, usually `${glue.prefix}`.
    public let gluePrefix: StackValue
    public let location: SourceLocation
}

/// Helpers over the templates embedded in stack values.
public enum StackExpressions {
    /// Every reference in a value, recursively; strings that fail to parse contribute none.
    public static func references(in value: StackValue) -> [Reference] {
        switch value {
        case .string(let text, _):
            return (try? Template(parsing: text))?.references ?? []
        case .list(let items, _):
            return items.flatMap { references(in: $0) }
        case .map(let entries, _):
            return entries.flatMap { references(in: $0.value) }
        default:
            return []
        }
    }
}
