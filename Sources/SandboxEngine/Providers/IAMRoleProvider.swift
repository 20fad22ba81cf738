import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_role`: a role with its trust policy, session length, optional permissions boundary and tags. Managed
/// policies are attached by `iam_role_policy_attachment`, as Terraform does.
struct IAMRoleProvider: ResourceProvider {
    let kind = ResourceKind.iamRole
    var isStandalone: Bool { true }

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes {
        var out = desired
        if let name = desired.string("name") {
            out["arn"] = .string(IAMPermissions.roleARN(name, path: desired.string("path") ?? "/", account: context.accountId))
        }
        return out
    }

    func physicalId(_ attributes: Attributes) -> String? { attributes.string("name") }

    /// Reading the role is the applying identity's business: the CI identity's check skips it when denied.
    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        guard let arn = plannedAttributes(attributes, context: context).string("arn") else { return [] }
        return IAMPermissions.calls("GetRole", resource: arn).map { $0.by("", required: false) }
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let name = attributes.string("name") else { return nil }
        let role: IAMRole
        do { role = try await context.iam.getRole(name: name) } catch let error as AWSError where error.kind == .notFound { return nil }
        var out: Attributes = ["name": .string(role.roleName), "path": .string(role.path), "arn": .string(role.arn),
                               "unique_id": .string(role.roleId), "tags": .object(role.tags.mapValues(JSONValue.string))]
        if let document = PolicyDocument.parse(role.assumeRolePolicyDocument) { out["assume_role_policy"] = document }
        if let duration = role.maxSessionDuration { out["max_session_duration"] = .number(Double(duration)) }
        if let description = role.description { out["description"] = .string(description) }
        if let boundary = role.permissionsBoundaryArn { out["permissions_boundary"] = .string(boundary) }
        return out
    }

    /// The properties the stack sets, plus a boundary set outside sandbox when the stack sets none.
    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for spec in kind.properties {
            guard let want = desired[spec.name], want != .null, !Self.same(want, live[spec.name], type: spec.type) else { continue }
            changes.append(AttributeChange(name: spec.name, old: live[spec.name], new: want, forcesReplacement: spec.forceNew))
        }
        if desired["permissions_boundary"] ?? .null == .null, let have = live["permissions_boundary"] {
            changes.append(AttributeChange(name: "permissions_boundary", old: have, new: nil))
        }
        return changes
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name"), let trust = desired["assume_role_policy"] else {
            throw ProviderError("iam_role", "a role needs a name and an assume_role_policy", category: .usage)
        }
        let role = try await context.iam.createRole(name: name, path: desired.string("path") ?? "/", assumeRolePolicyDocument: trust.compactJSON,
                                                    description: desired.string("description"), maxSessionDuration: desired.int("max_session_duration"),
                                                    permissionsBoundary: desired.string("permissions_boundary"), tags: desired.stringMap("tags"))
        var out = plannedAttributes(desired, context: context)
        out["arn"] = .string(role.arn)
        out["unique_id"] = .string(role.roleId)
        // IAM is eventually consistent: a role just created may not be readable (or attachable) yet.
        let created = out
        _ = try await context.consistency.poll({ try await read(created, context: context) }, until: { $0 != nil })
        return out
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = live.string("name") else { return live }
        let changed = Set(differences(desired: desired, live: live).map(\.name))
        if changed.contains("assume_role_policy"), let trust = desired["assume_role_policy"] {
            try await context.iam.updateAssumeRolePolicy(name: name, document: trust.compactJSON)
        }
        if changed.contains("description") || changed.contains("max_session_duration") {
            try await context.iam.updateRole(name: name, description: changed.contains("description") ? desired.string("description") : nil,
                                             maxSessionDuration: changed.contains("max_session_duration") ? desired.int("max_session_duration") : nil)
        }
        if changed.contains("permissions_boundary") {
            if let boundary = desired.string("permissions_boundary") {
                try await context.iam.putRolePermissionsBoundary(name: name, policyArn: boundary)
            } else {
                try await context.iam.deleteRolePermissionsBoundary(name: name)
            }
        }
        if changed.contains("tags") {
            let want = desired.stringMap("tags")
            let have = live.stringMap("tags")
            let removed = Array(Set(have.keys).subtracting(want.keys)).sorted()
            if !removed.isEmpty { try await context.iam.untagRole(name: name, keys: removed) }
            let retagged = want.filter { have[$0.key] != $0.value }
            if !retagged.isEmpty { try await context.iam.tagRole(name: name, tags: retagged) }
        }
        var out = plannedAttributes(desired, context: context)
        out["unique_id"] = live["unique_id"]
        try await awaitMatch(desired, identity: out, context: context)
        return out
    }

    /// Detaches what is still attached (IAM refuses to delete a role with managed policies), then deletes the role.
    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let name = attributes.string("name") else { return }
        do {
            for policy in try await context.iam.listAttachedRolePolicies(role: name) {
                try await context.iam.detachRolePolicy(role: name, policyArn: policy.arn)
            }
            try await context.iam.deleteRole(name: name)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }

    /// `sandbox import ADDRESS NAME` (as Terraform imports aws_iam_role) or the role's ARN.
    func importAttributes(id: String, context: ProviderContext) -> Attributes {
        guard id.hasPrefix("arn:") else { return ["name": .string(id)] }
        let resource = id.split(separator: ":", maxSplits: 5).last.map(String.init) ?? id
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let path = parts.count > 2 ? "/" + parts[1..<(parts.count - 1)].joined(separator: "/") + "/" : "/"
        return ["name": .string(parts.last ?? id), "path": .string(path)]
    }
}
