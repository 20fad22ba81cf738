import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_role`: a role with its trust policy, session length, optional permissions boundary and tags. Managed policies
/// are attached by `iam_role_policy_attachment` (as Terraform does); no inline policies.
public struct IAMRoleKind: KindDefinition {
    public static let schema = ResourceKind(name: "iam_role", summary: "an IAM role with a trust policy (policies attached separately)", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .iamUserName, "role name"),
        PropertySpec("path", .string, default: .string("/"), forceNew: true, rule: .iamPath, "role path"),
        PropertySpec("assume_role_policy", .document, required: true, "the trust policy (who may assume the role), compared by meaning"),
        PropertySpec("description", .string, "description"),
        PropertySpec("max_session_duration", .integer, default: .number(3600), range: 3600...43200, "longest session in seconds"),
        PropertySpec("permissions_boundary", .string, "ARN of the managed policy that bounds the role's permissions"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "unique_id"], taggable: true)

    public struct Properties: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        /// Optional because a live document IAM returns may fail to parse; the stack always sets one.
        public var assumeRolePolicy: JSONValue?
        public var description: String?
        /// Optional because a live answer may lack it; writes use the schema's default then.
        public var maxSessionDuration: Int?
        public var permissionsBoundary: String?
        public var tags: [String: String]?
        public var arn: String?
        public var uniqueId: String?

        enum CodingKeys: String, CodingKey {
            case name, path, description, tags, arn
            case assumeRolePolicy = "assume_role_policy"
            case maxSessionDuration = "max_session_duration"
            case permissionsBoundary = "permissions_boundary"
            case uniqueId = "unique_id"
        }
    }

    public struct Identity: Codable, Sendable {
        public var name: String
        /// Nil only in an import id's identity (a bare name).
        public var path: String?
        public var arn: String?
    }

    public static var isStandalone: Bool { true }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_iam_role", stackKey: "name", terraformKey: "name")]
    }

    public init() {}

    public func planned(_ identity: Identity, context: ProviderContext) -> Identity {
        var out = identity
        out.arn = IAMPermissions.roleARN(identity.name, path: identity.path ?? "/", account: context.accountId)
        return out
    }

    public func physicalId(_ identity: Identity) -> String? { identity.name }

    /// Reading the role is the applying identity's business: the CI identity's check skips it when denied.
    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        guard let arn = planned(identity, context: context).arn else { return [] }
        return IAMPermissions.calls("GetRole", resource: arn).map { $0.by("", required: false) }
    }

    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        let role: IAMRole
        do { role = try await context.iam.getRole(name: identity.name) } catch let error as AWSError where error.kind == .notFound { return nil }
        return Properties(name: role.roleName, path: role.path, assumeRolePolicy: PolicyDocument.parse(role.assumeRolePolicyDocument),
                          description: role.description, maxSessionDuration: role.maxSessionDuration,
                          permissionsBoundary: role.permissionsBoundaryArn, tags: role.tags, arn: role.arn, uniqueId: role.roleId)
    }

    /// The generic comparison (the trust policy by meaning), plus a boundary set outside sandbox while the stack sets none.
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        guard desired.permissionsBoundary == nil, let boundary = live.permissionsBoundary else { return generic }
        return generic + [Self.change("permissions_boundary", old: boundary, new: String?.none)]
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        guard let trust = desired.assumeRolePolicy else {
            throw ProviderError(Self.name, "role \(desired.name) needs an assume_role_policy", category: .usage)
        }
        let role = try await context.iam.createRole(name: desired.name, path: desired.path, assumeRolePolicyDocument: trust.compactJSON,
                                                    description: desired.description,
                                                    maxSessionDuration: try Self.resolved(desired.maxSessionDuration, "max_session_duration"),
                                                    permissionsBoundary: desired.permissionsBoundary, tags: desired.tags ?? [:])
        var out = desired
        out.arn = role.arn
        out.uniqueId = role.roleId
        // IAM is eventually consistent: a role just created may not be readable (or attachable) yet.
        try await awaitExists(Identity(name: desired.name, path: desired.path, arn: role.arn), context: context)
        return out
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        let name = live.name
        let changed = Set(try changes(desired: desired, live: live).map(\.name))
        if changed.contains("assume_role_policy"), let trust = desired.assumeRolePolicy {
            try await context.iam.updateAssumeRolePolicy(name: name, document: trust.compactJSON)
        }
        if changed.contains("description") || changed.contains("max_session_duration") {
            try await context.iam.updateRole(name: name, description: changed.contains("description") ? desired.description : nil,
                                             maxSessionDuration: changed.contains("max_session_duration") ? desired.maxSessionDuration : nil)
        }
        if changed.contains("permissions_boundary") {
            if let boundary = desired.permissionsBoundary {
                try await context.iam.putRolePermissionsBoundary(name: name, policyArn: boundary)
            } else {
                try await context.iam.deleteRolePermissionsBoundary(name: name)
            }
        }
        if changed.contains("tags") {
            let want = desired.tags ?? [:], have = live.tags ?? [:]
            let removed = Array(Set(have.keys).subtracting(want.keys)).sorted()
            if !removed.isEmpty { try await context.iam.untagRole(name: name, keys: removed) }
            let added = want.filter { have[$0.key] != $0.value }
            if !added.isEmpty { try await context.iam.tagRole(name: name, tags: added) }
        }
        var out = desired
        out.arn = live.arn
        out.uniqueId = live.uniqueId
        try await awaitMatch(desired, identity: Identity(name: name, path: desired.path, arn: live.arn), context: context)
        return out
    }

    /// Detaches what is still attached (IAM refuses to delete a role with managed policies), then deletes the role.
    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        do {
            for policy in try await context.iam.listAttachedRolePolicies(role: recorded.name) {
                try await context.iam.detachRolePolicy(role: recorded.name, policyArn: policy.arn)
            }
            try await context.iam.deleteRole(name: recorded.name)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }

    /// `sandbox import ADDRESS NAME` (as Terraform imports aws_iam_role) or the role's ARN.
    public func importIdentity(id: String, context: ProviderContext) -> Identity? {
        guard id.hasPrefix("arn:"), let resource = id.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).last else {
            return Identity(name: id, path: nil, arn: nil)
        }
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let path = parts.count > 2 ? "/" + parts[1..<(parts.count - 1)].joined(separator: "/") + "/" : "/"
        return Identity(name: parts.last ?? id, path: path, arn: id)
    }

    /// Trust policies by meaning, so a plan's fingerprint does not change when IAM reorders a statement.
    public func canonical(_ live: Properties) -> Properties {
        var out = live
        out.assumeRolePolicy = live.assumeRolePolicy.flatMap { JSONValue.parse(PolicyDocument.canonicalText($0)) }
        return out
    }
}
