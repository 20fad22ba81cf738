import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_policy`: a managed policy; document changes become a new default version.
public struct IAMPolicyKind: KindDefinition {
    public static let schema = ResourceKind(name: "iam_policy", summary: "a customer-managed IAM policy", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .iamName, "policy name"),
        PropertySpec("path", .string, default: .string("/"), forceNew: true, rule: .iamPath, "policy path"),
        PropertySpec("description", .string, forceNew: true, "description (IAM cannot change it in place)"),
        PropertySpec("document", .document, required: true, "the policy document"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "policy_id", "default_version_id"], taggable: true)

    public struct Properties: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var description: String?
        /// Optional because a live document IAM returns may fail to parse; the stack always sets one.
        public var document: JSONValue?
        public var tags: [String: String]?
        public var arn: String?
        public var policyId: String?
        public var defaultVersionId: String?

        enum CodingKeys: String, CodingKey {
            case name, path, description, document, tags, arn
            case policyId = "policy_id"
            case defaultVersionId = "default_version_id"
        }
    }

    public struct Identity: Codable, Sendable {
        public var name: String?
        /// Nil only in an import id's identity, which names the policy by its ARN alone.
        public var path: String?
        public var arn: String?
        /// Kept when IAM's answer lacks it, so a read does not report a description change IAM cannot make.
        public var description: String?
    }

    /// IAM keeps at most five versions of a policy.
    static let versionLimit = 5

    public static var isStandalone: Bool { true }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_iam_policy", stackKey: "arn", terraformKey: "arn")]
    }

    public init() {}

    public func planned(_ identity: Identity, context: ProviderContext) -> Identity {
        var out = identity
        if let name = identity.name, let path = identity.path { out.arn = "arn:aws:iam::\(context.accountId):policy\(path)\(name)" }
        return out
    }

    public func physicalId(_ identity: Identity) -> String? { identity.arn }

    /// Reading a policy is the applying identity's business: the CI identity's check skips it when denied.
    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        guard let arn = identity.arn else { return [] }
        return ["GetPolicy", "GetPolicyVersion", "ListPolicyTags"].flatMap { IAMPermissions.calls($0, resource: arn) }.map { $0.by("", required: false) }
    }

    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        guard let arn = identity.arn else { return nil }
        let policy: ManagedPolicy
        do { policy = try await context.iam.getPolicy(arn: arn) } catch let error as AWSError where error.kind == .notFound { return nil }
        async let version = context.iam.getPolicyVersion(arn: arn, versionId: policy.defaultVersionId)
        async let tags = context.iam.listPolicyTags(arn: arn)
        return Properties(name: policy.name, path: policy.path, description: policy.description ?? identity.description,
                          document: PolicyDocument.parse(try await version.document), tags: try await tags, arn: policy.arn,
                          policyId: policy.policyId, defaultVersionId: policy.defaultVersionId)
    }

    /// Name and path force a replacement; the document is compared by meaning; description is left alone
    /// (IAM cannot change it, and its answer may omit it).
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        if desired.name != live.name { changes.append(Self.change("name", old: live.name, new: desired.name)) }
        if desired.path != live.path { changes.append(Self.change("path", old: live.path, new: desired.path)) }
        if let want = desired.document, !(live.document.map { PolicyDocument.equivalent(want, $0) } ?? false) {
            changes.append(Self.change("document", old: live.document, new: want))
        }
        if (desired.tags ?? [:]) != (live.tags ?? [:]) { changes.append(Self.change("tags", old: live.tags, new: desired.tags)) }
        return changes
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        guard let document = desired.document else {
            throw ProviderError(Self.name, "policy \(desired.name) needs a document", category: .usage)
        }
        let policy = try await context.iam.createPolicy(name: desired.name, path: desired.path, document: document.compactJSON,
                                                        description: desired.description, tags: desired.tags ?? [:])
        var out = desired
        out.arn = policy.arn
        out.policyId = policy.policyId
        out.defaultVersionId = policy.defaultVersionId
        try await awaitExists(Self.identity(out), context: context)
        return out
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        guard let arn = live.arn else { return live }
        var out = desired
        out.arn = arn
        out.policyId = live.policyId
        out.defaultVersionId = live.defaultVersionId
        let changed = Set(differences(desired: desired, live: live, generic: []).map(\.name))
        if changed.contains("document"), let document = desired.document {
            out.defaultVersionId = try await addVersion(arn: arn, document: document, context: context)
        }
        if changed.contains("tags") {
            let want = desired.tags ?? [:], have = live.tags ?? [:]
            let removed = Array(Set(have.keys).subtracting(want.keys)).sorted()
            if !removed.isEmpty { try await context.iam.untagPolicy(arn: arn, keys: removed) }
            let added = want.filter { have[$0.key] != $0.value }
            if !added.isEmpty { try await context.iam.tagPolicy(arn: arn, tags: added) }
        }
        try await awaitMatch(desired, identity: Self.identity(out), context: context)
        return out
    }

    /// Makes `document` the default version, first deleting the oldest non-default one when IAM's limit is reached.
    func addVersion(arn: String, document: JSONValue, context: ProviderContext) async throws -> String {
        let versions = try await context.iam.listPolicyVersions(arn: arn)
        if versions.count >= Self.versionLimit,
           let oldest = versions.filter({ !$0.isDefault }).min(by: { ($0.createDate ?? .distantPast, $0.versionId) < ($1.createDate ?? .distantPast, $1.versionId) }) {
            try await context.iam.deletePolicyVersion(arn: arn, versionId: oldest.versionId)
        }
        return try await context.iam.createPolicyVersion(arn: arn, document: document.compactJSON, setAsDefault: true).versionId
    }

    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        guard let arn = recorded.arn else { return }
        do {
            for version in try await context.iam.listPolicyVersions(arn: arn) where !version.isDefault {
                try await context.iam.deletePolicyVersion(arn: arn, versionId: version.versionId)
            }
            try await context.iam.deletePolicy(arn: arn)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }

    public func importIdentity(id: String, context: ProviderContext) -> Identity? {
        if id.hasPrefix("arn:") {
            return Identity(name: id.split(separator: "/").last.map(String.init) ?? id, path: nil, arn: id)
        }
        return Identity(name: id, path: nil, arn: "arn:aws:iam::\(context.accountId):policy/\(id)")
    }

    /// Documents by meaning, so a plan's fingerprint does not change when IAM reorders a statement.
    public func canonical(_ live: Properties) -> Properties {
        var out = live
        out.document = live.document.flatMap { JSONValue.parse(PolicyDocument.canonicalText($0)) }
        return out
    }

    static func identity(_ properties: Properties) -> Identity {
        Identity(name: properties.name, path: properties.path, arn: properties.arn, description: properties.description)
    }
}
