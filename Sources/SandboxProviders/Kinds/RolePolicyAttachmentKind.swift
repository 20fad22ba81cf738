import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_role_policy_attachment`: one managed policy attached to one role, named `ROLE/POLICY_ARN` (Terraform's import id
/// for aws_iam_role_policy_attachment). Other policies attached to the role are left alone.
public struct RolePolicyAttachmentKind: KindDefinition {
    public static let schema = ResourceKind(name: "iam_role_policy_attachment", summary: "a managed policy attached to a role", properties: [
        PropertySpec("role", .string, required: true, forceNew: true, rule: .iamUserName, "name of the role, usually ${ROLE.name}"),
        PropertySpec("policy_arn", .string, required: true, forceNew: true, "ARN of the managed policy, usually ${POLICY.arn}"),
    ], attributes: [], taggable: false)

    public struct Properties: Codable, Sendable, Equatable {
        public var role: String
        public var policyArn: String

        enum CodingKeys: String, CodingKey {
            case role
            case policyArn = "policy_arn"
        }
    }

    /// Both are known from the stack; an import id may name only the policy (the role then comes from the stack).
    public struct Identity: Codable, Sendable {
        public var role: String?
        public var policyArn: String?

        enum CodingKeys: String, CodingKey {
            case role
            case policyArn = "policy_arn"
        }
    }

    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_iam_role_policy_attachment", stackKey: "policy_arn", terraformKey: "policy_arn", mismatch: { terraform, target in
            guard let role = terraform["role"]?.stringValue, let want = target["role"]?.stringValue, role != want else { return nil }
            return "attaches the policy to role \(role), not to \(want) as the stack does"
        })]
    }

    public init() {}

    public func physicalId(_ identity: Identity) -> String? {
        guard let role = identity.role, let arn = identity.policyArn else { return nil }
        return "\(role)/\(arn)"
    }

    /// On the role's ARN at the default path `/` (the attachment does not know the role's path).
    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        guard let role = identity.role else { return [] }
        return IAMPermissions.calls("ListAttachedRolePolicies", resource: IAMPermissions.roleARN(role, account: context.accountId))
            .map { $0.by("", required: false) }
    }

    /// Present while the role lists the policy among its managed policies; absent when either is gone.
    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        guard let role = identity.role, let arn = identity.policyArn else { return nil }
        let attached: [AttachedPolicy]
        do { attached = try await context.iam.listAttachedRolePolicies(role: role) } catch let error as AWSError where error.kind == .notFound { return nil }
        return attached.contains { $0.arn == arn } ? Properties(role: role, policyArn: arn) : nil
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        try await context.iam.attachRolePolicy(role: desired.role, policyArn: desired.policyArn)
        try await awaitExists(Identity(role: desired.role, policyArn: desired.policyArn), context: context)
        return desired
    }

    /// Both properties force a replacement: there is nothing to change in place.
    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties { desired }

    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        do { try await context.iam.detachRolePolicy(role: recorded.role, policyArn: recorded.policyArn) } catch let error as AWSError where error.kind == .notFound { return }
    }

    /// `ROLE/POLICY_ARN`; a bare policy ARN keeps the stack's role (role names cannot hold a `/`); a bare name is the role.
    public func importIdentity(id: String, context: ProviderContext) -> Identity? {
        if id.hasPrefix("arn:") { return Identity(role: nil, policyArn: id) }
        guard let slash = id.firstIndex(of: "/") else { return Identity(role: id, policyArn: nil) }
        return Identity(role: String(id[..<slash]), policyArn: String(id[id.index(after: slash)...]))
    }
}
