import SandboxCore

/// Builds the minimal identity policy for a role: the statements it must keep (the tests' own) plus one
/// statement per group of declared calls they do not already allow.
public enum PolicyBuilder {
    /// - Parameters:
    ///   - base: statements kept as they are (the stack's test permissions), evaluated already.
    ///   - calls: the role's declared calls; optional ones are left out (they belong to the applying identity).
    public static func document(base: [JSONValue], calls: [DeclaredCall]) -> JSONValue {
        let kept = (try? IAMPolicy(name: "base", document: .object(["Statement": .array(base)]))).map { [$0] } ?? []
        var missing: [DeclaredCall] = []
        var seen: Set<String> = []
        for call in calls where call.required {
            let id = "\(call.action.lowercased())\u{0}\(call.resource)\u{0}\(call.prefix ?? "")"
            guard seen.insert(id).inserted else { continue }
            if !PolicyEvaluator.evaluate(kept, call.sampleRequest).isAllowed { missing.append(call) }
        }
        // A call another declared pattern already covers (`db_probe_*` under `db_*`) adds nothing.
        missing = missing.filter { call in
            !missing.contains { other in
                other.resource != call.resource && other.prefix == call.prefix && other.action.lowercased() == call.action.lowercased()
                    && WildcardPattern(other.resource).matches(call.resource)
            }
        }
        // Group: calls with an s3:prefix become conditioned statements per (resource, action); the rest share a
        // statement per resource set with the same actions.
        var unconditioned: [String: Set<String>] = [:]          // resource -> actions
        var conditioned: [String: Set<String>] = [:]            // action \0 resource -> prefixes
        for call in missing {
            if let prefix = call.prefix {
                conditioned["\(call.action)\u{0}\(call.resource)", default: []].insert(prefix)
            } else {
                unconditioned[call.resource, default: []].insert(call.action)
            }
        }
        var byActions: [[String]: [String]] = [:]
        for (resource, actions) in unconditioned { byActions[actions.sorted(), default: []].append(resource) }
        var statements = base
        var index = 0
        for (actions, resources) in byActions.sorted(by: { ($0.value.sorted().first ?? "") < ($1.value.sorted().first ?? "") }) {
            index += 1
            statements.append(.object([
                "Sid": .string(sid(actions, index)), "Effect": .string("Allow"),
                "Action": list(actions), "Resource": list(resources.sorted()),
            ]))
        }
        for key in conditioned.keys.sorted() {
            let parts = key.split(separator: "\u{0}", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            index += 1
            statements.append(.object([
                "Sid": .string(sid([parts[0]], index)), "Effect": .string("Allow"),
                "Action": .string(parts[0]), "Resource": .string(parts[1]),
                "Condition": .object(["StringLike": .object(["s3:prefix": list((conditioned[key] ?? []).sorted())])]),
            ]))
        }
        return .object(["Version": .string("2012-10-17"), "Statement": .array(statements)])
    }

    static func list(_ items: [String]) -> JSONValue {
        items.count == 1 ? .string(items[0]) : .array(items.map(JSONValue.string))
    }

    /// `SandboxCiS3n3`: the service of the statement's actions, numbered (Sids are alphanumeric).
    static func sid(_ actions: [String], _ index: Int) -> String {
        let service = actions.first?.split(separator: ":").first.map { $0.prefix(1).uppercased() + $0.dropFirst() } ?? "Call"
        return "SandboxCi\(service.filter { $0.isLetter || $0.isNumber })\(index)"
    }
}
