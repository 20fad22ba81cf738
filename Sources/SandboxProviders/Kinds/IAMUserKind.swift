import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_user`: a user with managed policies attached. Never access keys or passwords.
public struct IAMUserKind: KindDefinition {
    public static let schema = ResourceKind(name: "iam_user", summary: "an IAM user with policies attached (never access keys)", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .iamUserName, "user name"),
        PropertySpec("path", .string, default: .string("/"), forceNew: true, rule: .iamPath, "user path"),
        PropertySpec("policy_arns", .stringList, default: .array([]), "managed policies to attach"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "user_id"], taggable: true)

    public struct Properties: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var policyArns: [String]
        public var tags: [String: String]?
        public var arn: String?
        public var userId: String?

        enum CodingKeys: String, CodingKey {
            case name, path, tags, arn
            case policyArns = "policy_arns"
            case userId = "user_id"
        }
    }

    public struct Identity: Codable, Sendable {
        public var name: String
        public var path: String
        public var arn: String?
    }

    public static var isStandalone: Bool { true }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_iam_user", stackKey: "name", terraformKey: "name"),
         TerraformImport("aws_iam_user_policy_attachment", stackKey: "name", terraformKey: "user", partOf: true, mismatch: { terraform, target in
             guard let arn = terraform["policy_arn"]?.stringValue,
                   let listed = try? AttributeCoding.decode(Properties.self, from: target).policyArns, !listed.contains(arn) else { return nil }
             return "attaches \(arn), which the stack's user does not list in policy_arns"
         })]
    }

    public init() {}

    public func planned(_ identity: Identity, context: ProviderContext) -> Identity {
        var out = identity
        out.arn = "arn:aws:iam::\(context.accountId):user\(identity.path)\(identity.name)"
        return out
    }

    public func physicalId(_ identity: Identity) -> String? { identity.name }

    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        let name = identity.name
        let user: IAMUser
        do { user = try await context.iam.getUser(name: name) } catch let error as AWSError where error.kind == .notFound { return nil }
        async let attached = context.iam.listAttachedUserPolicies(user: name)
        async let tags = context.iam.listUserTags(name: name)
        return Properties(name: user.userName, path: user.path, policyArns: try await attached.map(\.arn).sorted(), tags: try await tags,
                          arn: user.arn, userId: user.userId)
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        let user = try await context.iam.createUser(name: desired.name, path: desired.path, tags: desired.tags ?? [:])
        for arn in desired.policyArns {
            try await context.iam.attachUserPolicy(user: desired.name, policyArn: arn)
        }
        var out = desired
        out.arn = user.arn
        out.userId = user.userId
        return out
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        let name = desired.name
        let want = Set(desired.policyArns), have = Set(live.policyArns)
        for arn in want.subtracting(have).sorted() { try await context.iam.attachUserPolicy(user: name, policyArn: arn) }
        for arn in have.subtracting(want).sorted() { try await context.iam.detachUserPolicy(user: name, policyArn: arn) }
        let liveTags = live.tags ?? [:]
        let changed = (desired.tags ?? [:]).filter { liveTags[$0.key] != $0.value }
        if !changed.isEmpty { try await context.iam.tagUser(name: name, tags: changed) }
        var out = desired
        out.arn = planned(Identity(name: name, path: desired.path), context: context).arn
        out.userId = live.userId
        return out
    }

    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        do {
            for policy in try await context.iam.listAttachedUserPolicies(user: recorded.name) {
                try await context.iam.detachUserPolicy(user: recorded.name, policyArn: policy.arn)
            }
            try await context.iam.deleteUser(name: recorded.name)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }
}
