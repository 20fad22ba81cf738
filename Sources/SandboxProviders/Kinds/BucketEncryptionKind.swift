import Foundation
import SandboxCore
import SandboxServices
import SandboxStack

/// `s3_bucket_encryption`: default encryption, AES256 or aws:kms.
public typealias BucketEncryptionKind = BucketSettingKind<BucketEncryptionSetting>

public struct BucketEncryptionSetting: BucketSetting {
    public static let schema = ResourceKind(name: "s3_bucket_encryption", summary: "the bucket's default encryption", properties: [
        bucketProperty,
        PropertySpec("algorithm", .oneOf(["AES256", "aws:kms"]), default: .string("AES256"), "AES256 or aws:kms"),
        PropertySpec("kms_key_id", .string, "KMS key id or ARN, with aws:kms"),
        PropertySpec("bucket_key_enabled", .bool, "S3 Bucket Key, with aws:kms"),
    ], attributes: [], taggable: false)
    public static let readOperation = "GetBucketEncryption"
    public static let terraformType = "aws_s3_bucket_server_side_encryption_configuration"
    static let kms = "aws:kms"

    public struct Properties: Codable, Sendable, Equatable, BucketScoped {
        public var bucket: String
        public var algorithm: String
        public var kmsKeyId: String?
        public var bucketKeyEnabled: Bool?

        enum CodingKeys: String, CodingKey {
            case bucket, algorithm
            case kmsKeyId = "kms_key_id"
            case bucketKeyEnabled = "bucket_key_enabled"
        }
    }
    /// The whole desired setting, so `normalize` can check the key against the algorithm.
    public typealias Identity = Properties

    public init() {}

    public func normalize(_ desired: inout Properties, unknown: Set<String>, facts: StackFacts) -> [String] {
        guard desired.algorithm == Self.kms, desired.kmsKeyId == nil, !unknown.contains("kms_key_id") else { return [] }
        return ["algorithm aws:kms needs kms_key_id"]
    }

    public func get(_ identity: Properties, context: ProviderContext) async throws -> Properties? {
        guard let encryption = try await context.s3.getBucketEncryption(identity.bucket) else { return nil }
        return Properties(bucket: identity.bucket, algorithm: encryption.algorithm, kmsKeyId: encryption.kmsKeyId, bucketKeyEnabled: encryption.bucketKeyEnabled)
    }

    public func put(_ desired: Properties, live: Properties?, context: ProviderContext) async throws -> Bool {
        try await context.s3.putBucketEncryption(desired.bucket, BucketEncryption(
            algorithm: desired.algorithm, kmsKeyId: desired.algorithm == Self.kms ? desired.kmsKeyId : nil, bucketKeyEnabled: desired.bucketKeyEnabled))
        return true
    }

    public func remove(_ recorded: Properties, context: ProviderContext) async throws {
        try await context.s3.deleteBucketEncryption(recorded.bucket)
    }
}
