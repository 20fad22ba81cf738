import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_policy`: a managed policy; document changes become a new default version.
struct IAMPolicyProvider: ResourceProvider {
    let kind = ResourceKind.iamPolicy
    var isStandalone: Bool { true }
    /// IAM keeps at most five versions of a policy.
    static let versionLimit = 5

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes {
        var out = desired
        if let name = desired.string("name") {
            out["arn"] = .string("arn:aws:iam::\(context.accountId):policy\(desired.string("path") ?? "/")\(name)")
        }
        return out
    }

    func physicalId(_ attributes: Attributes) -> String? { attributes.string("arn") }

    /// Reading a policy is the applying identity's business: the CI identity's check skips it when denied.
    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        guard let arn = attributes.string("arn") else { return [] }
        return ["GetPolicy", "GetPolicyVersion", "ListPolicyTags"].flatMap { IAMPermissions.calls($0, resource: arn) }.map { $0.by("", required: false) }
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let arn = attributes.string("arn") else { return nil }
        let policy: ManagedPolicy
        do { policy = try await context.iam.getPolicy(arn: arn) } catch let error as AWSError where error.kind == .notFound { return nil }
        async let version = context.iam.getPolicyVersion(arn: arn, versionId: policy.defaultVersionId)
        async let tags = context.iam.listPolicyTags(arn: arn)
        var out: Attributes = ["name": .string(policy.name), "path": .string(policy.path), "arn": .string(policy.arn),
                               "policy_id": .string(policy.policyId), "default_version_id": .string(policy.defaultVersionId)]
        if let document = PolicyDocument.parse(try await version.document) { out["document"] = document }
        out["tags"] = .object(try await tags.mapValues(JSONValue.string))
        if let description = policy.description ?? attributes.string("description") { out["description"] = .string(description) }
        return out
    }

    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for key in ["name", "path"] where desired[key] != nil && desired[key] != live[key] {
            changes.append(AttributeChange(name: key, old: live[key], new: desired[key], forcesReplacement: true))
        }
        if let want = desired["document"], !(live["document"].map { PolicyDocument.equivalent(want, $0) } ?? false) {
            changes.append(AttributeChange(name: "document", old: live["document"], new: want))
        }
        if desired.stringMap("tags") != live.stringMap("tags") {
            changes.append(AttributeChange(name: "tags", old: live["tags"], new: desired["tags"]))
        }
        return changes
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name"), let document = desired["document"] else {
            throw ProviderError("iam_policy", "policy needs a name and a document", category: .usage)
        }
        let policy = try await context.iam.createPolicy(name: name, path: desired.string("path") ?? "/", document: document.compactJSON,
                                                        description: desired.string("description"), tags: desired.stringMap("tags"))
        var out = plannedAttributes(desired, context: context)
        out["arn"] = .string(policy.arn)
        out["policy_id"] = .string(policy.policyId)
        out["default_version_id"] = .string(policy.defaultVersionId)
        let created = out
        _ = try await context.consistency.poll({ try await read(created, context: context) }, until: { $0 != nil })
        return out
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let arn = live.string("arn") else { return live }
        var out = plannedAttributes(desired, context: context).merging(live.filter { ["arn", "policy_id", "default_version_id"].contains($0.key) }) { _, l in l }
        let changes = differences(desired: desired, live: live)
        if changes.contains(where: { $0.name == "document" }), let document = desired["document"] {
            let versions = try await context.iam.listPolicyVersions(arn: arn)
            if versions.count >= Self.versionLimit,
               let oldest = versions.filter({ !$0.isDefault }).min(by: { ($0.createDate ?? .distantPast, $0.versionId) < ($1.createDate ?? .distantPast, $1.versionId) }) {
                try await context.iam.deletePolicyVersion(arn: arn, versionId: oldest.versionId)
            }
            let version = try await context.iam.createPolicyVersion(arn: arn, document: document.compactJSON, setAsDefault: true)
            out["default_version_id"] = .string(version.versionId)
        }
        if changes.contains(where: { $0.name == "tags" }) {
            let want = desired.stringMap("tags")
            let have = live.stringMap("tags")
            let removed = Array(Set(have.keys).subtracting(want.keys)).sorted()
            if !removed.isEmpty { try await context.iam.untagPolicy(arn: arn, keys: removed) }
            let changed = want.filter { have[$0.key] != $0.value }
            if !changed.isEmpty { try await context.iam.tagPolicy(arn: arn, tags: changed) }
        }
        try await awaitMatch(desired, identity: out, context: context)
        return out
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let arn = attributes.string("arn") else { return }
        do {
            for version in try await context.iam.listPolicyVersions(arn: arn) where !version.isDefault {
                try await context.iam.deletePolicyVersion(arn: arn, versionId: version.versionId)
            }
            try await context.iam.deletePolicy(arn: arn)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }

    func importAttributes(id: String, context: ProviderContext) -> Attributes {
        if id.hasPrefix("arn:") {
            let name = id.split(separator: "/").last.map(String.init) ?? id
            return ["arn": .string(id), "name": .string(name)]
        }
        return ["arn": .string("arn:aws:iam::\(context.accountId):policy/\(id)"), "name": .string(id)]
    }
}

/// `iam_user`: a user with managed policies attached. Never access keys or passwords.
struct IAMUserProvider: ResourceProvider {
    let kind = ResourceKind.iamUser
    var isStandalone: Bool { true }

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes {
        var out = desired
        if let name = desired.string("name") {
            out["arn"] = .string("arn:aws:iam::\(context.accountId):user\(desired.string("path") ?? "/")\(name)")
        }
        return out
    }

    func physicalId(_ attributes: Attributes) -> String? { attributes.string("name") }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let name = attributes.string("name") else { return nil }
        let user: IAMUser
        do { user = try await context.iam.getUser(name: name) } catch let error as AWSError where error.kind == .notFound { return nil }
        async let attached = context.iam.listAttachedUserPolicies(user: name)
        async let tags = context.iam.listUserTags(name: name)
        return ["name": .string(user.userName), "path": .string(user.path), "arn": .string(user.arn), "user_id": .string(user.userId),
                "policy_arns": .array(try await attached.map { .string($0.arn) }.sorted { $0.description < $1.description }),
                "tags": .object(try await tags.mapValues(JSONValue.string))]
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name") else { throw ProviderError("iam_user", "user needs a name", category: .usage) }
        let user = try await context.iam.createUser(name: name, path: desired.string("path") ?? "/", tags: desired.stringMap("tags"))
        for arn in desired.stringList("policy_arns") {
            try await context.iam.attachUserPolicy(user: name, policyArn: arn)
        }
        var out = plannedAttributes(desired, context: context)
        out["arn"] = .string(user.arn)
        out["user_id"] = .string(user.userId)
        return out
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name") else { return live }
        let want = Set(desired.stringList("policy_arns"))
        let have = Set(live.stringList("policy_arns"))
        for arn in want.subtracting(have).sorted() { try await context.iam.attachUserPolicy(user: name, policyArn: arn) }
        for arn in have.subtracting(want).sorted() { try await context.iam.detachUserPolicy(user: name, policyArn: arn) }
        let wantTags = desired.stringMap("tags")
        let changed = wantTags.filter { live.stringMap("tags")[$0.key] != $0.value }
        if !changed.isEmpty { try await context.iam.tagUser(name: name, tags: changed) }
        var out = plannedAttributes(desired, context: context)
        out["user_id"] = live["user_id"]
        return out
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let name = attributes.string("name") else { return }
        do {
            for policy in try await context.iam.listAttachedUserPolicies(user: name) {
                try await context.iam.detachUserPolicy(user: name, policyArn: policy.arn)
            }
            try await context.iam.deleteUser(name: name)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }
}
