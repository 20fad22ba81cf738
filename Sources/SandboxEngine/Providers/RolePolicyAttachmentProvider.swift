import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_role_policy_attachment`: one managed policy attached to one role, named `ROLE/POLICY_ARN` as Terraform's
/// aws_iam_role_policy_attachment import id. Other attachments on the role are left alone.
struct RolePolicyAttachmentProvider: ResourceProvider {
    let kind = ResourceKind.iamRolePolicyAttachment

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }

    func physicalId(_ attributes: Attributes) -> String? {
        guard let role = attributes.string("role"), let arn = attributes.string("policy_arn") else { return nil }
        return "\(role)/\(arn)"
    }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        guard let role = attributes.string("role") else { return [] }
        return IAMPermissions.calls("ListAttachedRolePolicies", resource: IAMPermissions.roleARN(role, account: context.accountId))
            .map { $0.by("", required: false) }
    }

    /// Present when the role lists the policy among its attached managed policies; absent when either is gone.
    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let role = attributes.string("role"), let arn = attributes.string("policy_arn") else { return nil }
        let attached: [AttachedPolicy]
        do { attached = try await context.iam.listAttachedRolePolicies(role: role) } catch let error as AWSError where error.kind == .notFound { return nil }
        guard attached.contains(where: { $0.arn == arn }) else { return nil }
        return ["role": .string(role), "policy_arn": .string(arn)]
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let role = desired.string("role"), let arn = desired.string("policy_arn") else {
            throw ProviderError("iam_role_policy_attachment", "an attachment needs a role and a policy_arn", category: .usage)
        }
        try await context.iam.attachRolePolicy(role: role, policyArn: arn)
        _ = try await context.consistency.poll({ try await read(desired, context: context) }, until: { $0 != nil })
        return desired
    }

    /// Both properties force replacement, so there is nothing to change in place.
    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes { desired }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let role = attributes.string("role"), let arn = attributes.string("policy_arn") else { return }
        do { try await context.iam.detachRolePolicy(role: role, policyArn: arn) } catch let error as AWSError where error.kind == .notFound { return }
    }

    /// `sandbox import ADDRESS ROLE/POLICY_ARN`, Terraform's import id for aws_iam_role_policy_attachment; a bare
    /// policy ARN keeps the stack's role (role names cannot hold a `/`).
    func importAttributes(id: String, context: ProviderContext) -> Attributes {
        if id.hasPrefix("arn:") { return ["policy_arn": .string(id)] }
        guard let slash = id.firstIndex(of: "/") else { return ["role": .string(id)] }
        return ["role": .string(String(id[..<slash])), "policy_arn": .string(String(id[id.index(after: slash)...]))]
    }
}
