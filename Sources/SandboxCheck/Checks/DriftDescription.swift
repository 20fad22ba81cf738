import SandboxCore
import SandboxEngine

/// A resource's drift in words, for the resource check's line.
enum DriftDescription {
    /// One difference; a policy document by the actions and resources the live one adds or lacks.
    static func describe(_ change: AttributeChange) -> String {
        if let (live, wanted) = policyDocuments(change), let text = documentDrift(live: grants(live), wanted: grants(wanted)) {
            return "document: " + text
        }
        return "\(change.name): live \(show(change.old)), stack \(show(change.new))"
    }

    // kind-specific: iam_policy's `document` (live, stack) is compared statement by statement, not as JSON text.
    static func policyDocuments(_ change: AttributeChange) -> (live: JSONValue, stack: JSONValue)? {
        guard change.name == "document", let live = change.old, let stack = change.new else { return nil }
        return (live, stack)
    }

    /// What the live grants add beyond or lack against the wanted ones; nil when they grant the same.
    static func documentDrift(live: Grants, wanted: Grants) -> String? {
        func list(_ items: Set<String>) -> String {
            let sorted = items.sorted()
            return sorted.prefix(4).joined(separator: ", ") + (sorted.count > 4 ? " and \(sorted.count - 4) more" : "")
        }
        var parts: [String] = []
        let extraActions = live.actions.subtracting(wanted.actions)
        let extraResources = live.resources.subtracting(wanted.resources)
        let lackedActions = wanted.actions.subtracting(live.actions)
        let lackedResources = wanted.resources.subtracting(live.resources)
        if !extraActions.isEmpty { parts.append("live policy allows \(list(extraActions)) beyond the stack") }
        if !extraResources.isEmpty { parts.append("live policy covers \(list(extraResources)) beyond the stack") }
        if !lackedActions.isEmpty { parts.append("live policy lacks \(list(lackedActions))") }
        if !lackedResources.isEmpty { parts.append("live policy lacks resources \(list(lackedResources))") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The actions and resources a policy document's Allow statements grant.
    struct Grants: Equatable {
        var actions: Set<String> = []
        var resources: Set<String> = []
    }

    static func grants(_ document: JSONValue) -> Grants {
        var grants = Grants()
        func strings(_ value: JSONValue?) -> [String] {
            if let text = value?.stringValue { return [text] }
            return (value?.arrayValue ?? []).compactMap(\.stringValue)
        }
        let statements = document.objectValue?["Statement"].map { $0.arrayValue ?? [$0] } ?? []
        for statement in statements where statement.objectValue?["Effect"]?.stringValue == "Allow" {
            grants.actions.formUnion(strings(statement.objectValue?["Action"]))
            grants.resources.formUnion(strings(statement.objectValue?["Resource"]))
        }
        return grants
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = value.compactJSON
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}
