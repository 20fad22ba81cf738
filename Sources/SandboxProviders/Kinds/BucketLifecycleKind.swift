import Foundation
import SandboxCore
import SandboxServices
import SandboxStack

/// `s3_bucket_lifecycle`: one rule, owned by its id; other rules on the bucket are left alone.
public typealias BucketLifecycleKind = BucketSettingKind<BucketLifecycleSetting>

public struct BucketLifecycleSetting: BucketSetting {
    public static let schema = ResourceKind(name: "s3_bucket_lifecycle", summary: "expiry of test data under the run prefix", properties: [
        bucketProperty,
        PropertySpec("prefix", .string, default: .string("runs/"), rule: .runPrefix, "key prefix the rule applies to"),
        PropertySpec("expiration_days", .integer, default: .number(3), range: 1...30, "days before objects under the prefix expire"),
        PropertySpec("abort_incomplete_upload_days", .integer, default: .number(1), range: 1...30, "days before incomplete multipart uploads are aborted"),
        PropertySpec("rule_id", .string, default: .string("sandbox-expire-runs"), "the lifecycle rule's id"),
    ], attributes: [], taggable: false)
    public static let readOperation = "GetBucketLifecycleConfiguration"
    public static let terraformType = "aws_s3_bucket_lifecycle_configuration"

    public struct Properties: Codable, Sendable, Equatable, BucketScoped {
        public var bucket: String
        public var prefix: String
        /// Optional because a live rule may lack the action; desired always has the schema default.
        public var expirationDays: Int?
        public var abortIncompleteUploadDays: Int?
        public var ruleId: String
        /// Read only: false when the rule is disabled on the bucket.
        public var enabled: Bool?

        enum CodingKeys: String, CodingKey {
            case bucket, prefix, enabled
            case expirationDays = "expiration_days"
            case abortIncompleteUploadDays = "abort_incomplete_upload_days"
            case ruleId = "rule_id"
        }
    }

    public struct Identity: Codable, Sendable, BucketScoped {
        public var bucket: String
        public var ruleId: String

        enum CodingKeys: String, CodingKey {
            case bucket
            case ruleId = "rule_id"
        }
    }

    public init() {}

    public func physicalId(_ identity: Identity) -> String? { "\(identity.bucket)/\(identity.ruleId)" }

    public func get(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        guard let rule = try await context.s3.getBucketLifecycle(identity.bucket).first(where: { $0.id == identity.ruleId }) else { return nil }
        return Properties(bucket: identity.bucket, prefix: rule.prefix, expirationDays: rule.expirationDays,
                          abortIncompleteUploadDays: rule.abortIncompleteMultipartUploadDays, ruleId: rule.id, enabled: rule.enabled ? nil : false)
    }

    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        live.enabled == false ? generic + [AttributeChange(name: "enabled", old: .bool(false), new: .bool(true))] : generic
    }

    public func put(_ desired: Properties, live: Properties?, context: ProviderContext) async throws -> Bool {
        let others = try await context.s3.getBucketLifecycle(desired.bucket).filter { $0.id != desired.ruleId }
        let rule = LifecycleRule(id: desired.ruleId, prefix: desired.prefix, enabled: true,
                                 expirationDays: try BucketLifecycleKind.resolved(desired.expirationDays, "expiration_days"),
                                 abortIncompleteMultipartUploadDays: try BucketLifecycleKind.resolved(desired.abortIncompleteUploadDays, "abort_incomplete_upload_days"),
                                 noncurrentVersionExpirationDays: nil)
        try await context.s3.putBucketLifecycle(desired.bucket, rules: others + [rule])
        return true
    }

    public func remove(_ recorded: Properties, context: ProviderContext) async throws {
        let others = try await context.s3.getBucketLifecycle(recorded.bucket).filter { $0.id != recorded.ruleId }
        if others.isEmpty { try await context.s3.deleteBucketLifecycle(recorded.bucket) } else { try await context.s3.putBucketLifecycle(recorded.bucket, rules: others) }
    }

    /// A Terraform lifecycle configuration must hold the rule the stack manages.
    public static var terraformMismatch: (@Sendable (_ terraform: [String: JSONValue], _ target: Attributes) -> String?)? {
        { terraform, target in
            guard let ruleId = try? AttributeCoding.decode(Identity.self, from: target).ruleId else { return nil }
            let ids = (terraform["rule"]?.arrayValue ?? []).compactMap { $0.objectValue?["id"]?.stringValue }
            return ids.contains(ruleId) ? nil : "holds lifecycle rule(s) \(ids.joined(separator: ", ")), not \(ruleId) that the stack manages"
        }
    }

    /// The expiry in days of the first lifecycle rule among `resources` (type name and desired attributes): how long
    /// run data may stay before S3 removes it. Nil when the stack has no lifecycle rule.
    public static func expirationDays(among resources: [(type: String, attributes: Attributes)]) -> Double? {
        guard let attributes = resources.first(where: { $0.type == schema.name })?.attributes,
              let days = try? AttributeCoding.decode(Properties.self, from: attributes).expirationDays else { return nil }
        return Double(days)
    }
}
