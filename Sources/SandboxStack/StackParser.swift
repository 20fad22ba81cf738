import Crypto
import Foundation
import SandboxCore
import SandboxGraph

/// Turns stack YAML into a `Stack`, collecting every problem in one pass instead of stopping at the first.
public struct StackParser {
    static let topLevelKeys = ["version", "name", "description", "region", "allowed_account_ids", "backend", "variables", "tags", "resources", "runs", "outputs"]
    static let resourceKeys = ["type", "properties", "depends_on", "description", "enabled"]
    static let variableKeys = ["type", "default", "required", "description", "validation"]
    static let validationKeys = ["pattern", "min", "exclusive_min", "max", "enum", "message"]
    static let runKeys = ["id_pattern", "id_template", "id_variable", "prefix_variable", "database_variable", "s3_root", "bucket", "glue_prefix"]
    static let outputKeys = ["value", "description", "sensitive"]

    private var diagnostics: [Diagnostic] = []
    private let file: String
    /// The kinds a stack may declare (the providers' catalogue), passed in: this module lists none.
    private let kinds: [ResourceKind]
    /// Declared names whose declaration was rejected (already reported), so references to them add no noise.
    private var rejectedResources: Set<String> = []
    private var rejectedVariables: Set<String> = []

    init(file: String, kinds: [ResourceKind]) {
        self.file = file
        self.kinds = kinds
    }

    /// Reads and parses a stack file; throws `DiagnosticsError` listing every problem found.
    public static func load(path: String, kinds: [ResourceKind]) throws -> Stack {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimpleError(.usage, "cannot read stack file \(path): no such file; pass --stack FILE or add one under Stacks/")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SimpleError(.usage, "stack file \(path) is not UTF-8 text")
        }
        return try parse(text, file: path, bytes: data, kinds: kinds)
    }

    /// Parses a stack whose resources are of `kinds`; throws `DiagnosticsError` listing every problem found.
    public static func parse(_ text: String, file: String, bytes: Data? = nil, kinds: [ResourceKind]) throws -> Stack {
        let root = try StackYAML.load(text, file: file)
        var parser = StackParser(file: file, kinds: kinds)
        let hash = SHA256.hash(data: bytes ?? Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        guard let stack = parser.stack(from: root, hash: hash) else { throw DiagnosticsError(parser.diagnostics) }
        // Semantic checks run even after structural errors so one `validate` shows every problem.
        let all = parser.diagnostics + StackValidator.validate(stack, rejectedResources: parser.rejectedResources,
                                                                rejectedVariables: parser.rejectedVariables)
        if all.contains(where: { $0.severity == .error }) { throw DiagnosticsError(all) }
        return stack
    }

    mutating func error(_ location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(at: location, message))
    }

    /// Reports keys outside `allowed`, with a suggestion when one is close.
    mutating func checkKeys(_ entries: [StackEntry], allowed: [String], context: String) {
        for entry in entries where !allowed.contains(entry.key) {
            var message = "unknown key '\(entry.key)' in \(context)"
            if let suggestion = Suggestion.closest(to: entry.key, in: allowed) { message += "; did you mean '\(suggestion)'?" }
            error(entry.keyLocation, message)
        }
    }

    mutating func map(_ value: StackValue, _ context: String) -> [StackEntry]? {
        if case .null = value { return [] }
        guard let entries = value.entries else {
            error(value.location, "\(context) must be a mapping, got \(value.typeName)")
            return nil
        }
        return entries
    }

    mutating func string(_ value: StackValue?, _ context: String) -> String? {
        guard let value else { return nil }
        guard case .string(let text, _) = value else {
            if let text = value.scalarText, case .number = value { return text }
            error(value.location, "\(context) must be a string, got \(value.typeName)")
            return nil
        }
        return text
    }

    mutating func stack(from root: StackValue, hash: String) -> Stack? {
        guard let top = map(root, "the stack file") else { return nil }
        checkKeys(top, allowed: Self.topLevelKeys, context: "the stack")
        if let version = root["version"] {
            if version.scalarText != "1" { error(version.location, "unsupported stack version \(version.scalarText ?? version.typeName); this sandbox reads version 1") }
        }
        let name: String
        if let value = root["name"], let text = string(value, "name") {
            name = text
            if !text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) || text.isEmpty || text.count > 64 {
                error(value.location, "stack name '\(text)' must be 1-64 letters, digits, - or _")
            }
        } else {
            name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        }
        let description = string(root["description"], "description")
        var region: String?
        if let value = root["region"], case .null = value {} else if let value = root["region"] {
            region = string(value, "region")
        }
        var accounts: [String] = []
        if let value = root["allowed_account_ids"] {
            if case .list(let items, _) = value {
                for item in items {
                    let text = item.scalarText ?? ""
                    if text.count == 12, text.allSatisfy(\.isNumber) { accounts.append(text) } else {
                        error(item.location, "allowed_account_ids entries are 12-digit account ids, got '\(text)'")
                    }
                }
            } else if case .null = value {} else {
                error(value.location, "allowed_account_ids must be a list of 12-digit account ids")
            }
        }
        var backend: String?
        if let value = root["backend"], let text = string(value, "backend") {
            // Only the shape is checked here; the bucket and key are checked when the backend is used.
            if !text.hasPrefix("s3://") || text.dropFirst(5).split(separator: "/", omittingEmptySubsequences: true).count < 2 {
                error(value.location, "backend '\(text)' must look like s3://BUCKET/KEY")
            }
            backend = text
        }
        let variables = root["variables"].map { parseVariables($0) } ?? []
        var tags: [StackEntry] = []
        if let value = root["tags"], let entries = map(value, "tags") {
            for entry in entries where entry.value.scalarText == nil {
                error(entry.value.location, "tag \(entry.key) must be a string, got \(entry.value.typeName)")
            }
            tags = entries
        }
        var resources: [ResourceDeclaration] = []
        if let value = root["resources"], let entries = map(value, "resources") {
            for entry in entries {
                if let resource = parseResource(entry) { resources.append(resource) } else { rejectedResources.insert(entry.key) }
            }
        } else if root["resources"] == nil {
            error(root.location, "the stack declares no resources; add a resources: mapping")
        }
        let runs = root["runs"].flatMap { parseRuns($0) }
        var outputs: [OutputDeclaration] = []
        if let value = root["outputs"], let entries = map(value, "outputs") {
            for entry in entries {
                if let fields = entry.value.entries {
                    checkKeys(fields, allowed: Self.outputKeys, context: "output \(entry.key)")
                    guard let output = entry.value["value"] else {
                        error(entry.keyLocation, "output \(entry.key) needs a value")
                        continue
                    }
                    var sensitive = false
                    if let flag = entry.value["sensitive"] {
                        if case .bool(let b, _) = flag { sensitive = b } else { error(flag.location, "sensitive must be true or false, got \(flag.typeName)") }
                    }
                    outputs.append(OutputDeclaration(name: entry.key, value: output, description: string(entry.value["description"], "description"),
                                                     sensitive: sensitive, location: entry.keyLocation))
                } else {
                    outputs.append(OutputDeclaration(name: entry.key, value: entry.value, description: nil, sensitive: false, location: entry.keyLocation))
                }
            }
        }
        return Stack(file: file, sha256: hash, name: name, description: description, region: region, allowedAccountIds: accounts,
                     backend: backend, variables: variables, tags: tags, resources: resources, runs: runs, outputs: outputs)
    }

    mutating func parseVariables(_ value: StackValue) -> [VariableDeclaration] {
        guard let entries = map(value, "variables") else { return [] }
        var result: [VariableDeclaration] = []
        for entry in entries {
            guard Reference.isIdentifier(entry.key) else {
                error(entry.keyLocation, "variable name '\(entry.key)' must start with a letter and use letters, digits, _ or -")
                continue
            }
            guard let fields = map(entry.value, "variable \(entry.key)") else {
                rejectedVariables.insert(entry.key)
                continue
            }
            checkKeys(fields, allowed: Self.variableKeys, context: "variable \(entry.key)")
            var kind = VariableDeclaration.Kind.string
            if let typeValue = entry.value["type"], let text = string(typeValue, "type") {
                if let parsed = VariableDeclaration.Kind(rawValue: text) { kind = parsed } else {
                    var message = "unknown variable type '\(text)'; use one of \(VariableDeclaration.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                    if let s = Suggestion.closest(to: text, in: VariableDeclaration.Kind.allCases.map(\.rawValue)) { message += " (did you mean '\(s)'?)" }
                    error(typeValue.location, message)
                }
            }
            var required = false
            if let value = entry.value["required"] {
                if case .bool(let b, _) = value { required = b } else { error(value.location, "required must be true or false, got \(value.typeName)") }
            }
            var pattern: String?, minimum: Double?, exclusiveMinimum: Double?, maximum: Double?, allowed: [String]?, message: String?
            if let validation = entry.value["validation"], let rules = map(validation, "validation of \(entry.key)") {
                checkKeys(rules, allowed: Self.validationKeys, context: "validation of variable \(entry.key)")
                pattern = string(validation["pattern"], "pattern")
                if let p = pattern, (try? NSRegularExpression(pattern: p)) == nil, let loc = validation["pattern"]?.location {
                    error(loc, "pattern '\(p)' is not a valid regular expression")
                }
                for (key, target) in [("min", 0), ("max", 1), ("exclusive_min", 2)] {
                    guard let v = validation[key] else { continue }
                    guard case .number(let n, _, _) = v else { error(v.location, "\(key) must be a number, got \(v.typeName)"); continue }
                    switch target {
                    case 0: minimum = n
                    case 1: maximum = n
                    default: exclusiveMinimum = n
                    }
                }
                if let list = validation["enum"] {
                    if case .list(let items, _) = list { allowed = items.compactMap(\.scalarText) } else { error(list.location, "enum must be a list") }
                }
                message = string(validation["message"], "message")
            }
            let declaration = VariableDeclaration(name: entry.key, kind: kind, defaultValue: entry.value["default"], required: required,
                                                  description: string(entry.value["description"], "description"), pattern: pattern,
                                                  minimum: minimum, exclusiveMinimum: exclusiveMinimum, maximum: maximum, allowed: allowed, message: message, location: entry.keyLocation)
            // A null default means "optional, no value" (VariableValues skips it), so only real defaults are checked.
            if let defaultValue = declaration.defaultValue, let json = StackEvaluator.literal(defaultValue), json != .null,
               let problem = declaration.problem(with: json) {
                error(defaultValue.location, "default does not pass validation: \(problem)")
            }
            result.append(declaration)
        }
        return result
    }

    mutating func parseResource(_ entry: StackEntry) -> ResourceDeclaration? {
        let name = entry.key
        guard Reference.isIdentifier(name), !["var", "account_id", "region", "stack_name"].contains(name) else {
            error(entry.keyLocation, "resource name '\(name)' must start with a letter, use letters, digits, _ or -, and not be a reserved word")
            return nil
        }
        guard let fields = map(entry.value, "resource \(name)") else { return nil }
        checkKeys(fields, allowed: Self.resourceKeys, context: "resource \(name)")
        guard let typeValue = entry.value["type"], let typeName = string(typeValue, "type") else {
            if entry.value["type"] == nil { error(entry.keyLocation, "resource \(name) needs a type (one of \(kinds.map(\.name).joined(separator: ", ")))") }
            return nil
        }
        if let reason = ResourceKind.forbiddenReason(typeName) {
            error(typeValue.location, "resource \(name) has forbidden type \(typeName): \(reason)")
            return nil
        }
        guard let kind = kinds.first(where: { $0.name == typeName }) else {
            var message = "unknown resource type '\(typeName)'"
            if let s = Suggestion.closest(to: typeName, in: kinds.map(\.name)) { message += "; did you mean '\(s)'?" } else {
                message += "; known types: \(kinds.map(\.name).joined(separator: ", "))"
            }
            error(typeValue.location, message)
            return nil
        }
        var properties: [String: StackValue] = [:]
        if let value = entry.value["properties"], let entries = map(value, "properties of \(name)") {
            checkKeys(entries, allowed: kind.properties.map(\.name), context: "properties of \(name) (\(kind.name))")
            for property in entries { properties[property.key] = property.value }
        }
        for spec in kind.properties where spec.required && properties[spec.name] == nil {
            error(entry.keyLocation, "resource \(name) (\(kind.name)) is missing required property \(spec.name): \(spec.summary)")
        }
        var dependsOn: [String] = []
        if let value = entry.value["depends_on"] {
            if case .list(let items, _) = value {
                for item in items {
                    if let text = item.stringValue { dependsOn.append(text) } else { error(item.location, "depends_on entries are resource names") }
                }
            } else {
                error(value.location, "depends_on must be a list of resource names")
            }
        }
        var enabled: StackValue?
        if let value = entry.value["enabled"] {
            switch value {
            case .bool: enabled = value
            case .string(let text, _) where (try? Template(parsing: text))?.soleReference != nil: enabled = value
            default: error(value.location, "enabled of \(name) must be true, false or one ${var.NAME} reference, got \(value.scalarText.map { "'\($0)'" } ?? value.typeName)")
            }
        }
        return ResourceDeclaration(name: name, kind: kind, properties: properties, dependsOn: dependsOn, enabled: enabled, location: entry.keyLocation)
    }

    mutating func parseRuns(_ value: StackValue) -> RunScheme? {
        guard let fields = map(value, "runs") else { return nil }
        checkKeys(fields, allowed: Self.runKeys, context: "runs")
        let pattern = string(value["id_pattern"], "id_pattern") ?? "^run-[0-9]{8}T[0-9]{6}Z$"
        if (try? NSRegularExpression(pattern: pattern)) == nil {
            error(value["id_pattern"]?.location ?? value.location, "id_pattern '\(pattern)' is not a valid regular expression")
        }
        let template = string(value["id_template"], "id_template") ?? "run-{timestamp}"
        if !template.contains("{timestamp}") {
            error(value["id_template"]?.location ?? value.location, "id_template must contain {timestamp} so each run gets a fresh id")
        }
        func variable(_ key: String, _ fallback: String) -> String {
            let text = string(value[key], key) ?? fallback
            if text.isEmpty || !text.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) {
                error(value[key]?.location ?? value.location, "\(key) '\(text)' must be an environment variable name (A-Z, 0-9, _)")
            }
            return text
        }
        // Checked before the required keys so a missing one does not hide these problems.
        let idVariable = variable("id_variable", "SANDBOX_RUN_ID")
        let prefixVariable = variable("prefix_variable", "SANDBOX_RUN_S3_PREFIX")
        let databaseVariable = variable("database_variable", "SANDBOX_RUN_GLUE_DATABASE")
        guard let bucket = value["bucket"] else {
            error(value.location, "runs needs bucket (usually ${bucket.name})")
            return nil
        }
        guard let glue = value["glue_prefix"] else {
            error(value.location, "runs needs glue_prefix (usually ${glue.prefix})")
            return nil
        }
        return RunScheme(idPattern: pattern, idTemplate: template, idVariable: idVariable,
                         prefixVariable: prefixVariable, databaseVariable: databaseVariable,
                         s3Root: value["s3_root"] ?? .string("runs/", value.location), bucket: bucket, gluePrefix: glue, location: value.location)
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggestion {
    /// The closest candidate; ties go to the alphabetically first, so callers may pass dictionary keys in any order.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    /// Edits between two words; swapping two adjacent letters (the commonest typo) counts as one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var beforePrevious: [Int] = []
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            beforePrevious = previous
            previous = current
        }
        return previous[b.count]
    }
}
