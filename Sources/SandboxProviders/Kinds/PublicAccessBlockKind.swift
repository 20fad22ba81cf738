import Foundation
import SandboxCore
import SandboxServices
import SandboxStack

/// `s3_public_access_block`: all four settings, true by default.
public typealias PublicAccessBlockKind = BucketSettingKind<PublicAccessBlockSetting>

public struct PublicAccessBlockSetting: BucketSetting {
    public static let schema = ResourceKind(name: "s3_public_access_block", summary: "the bucket's public access block", properties: [
        bucketProperty,
        PropertySpec("block_public_acls", .bool, default: .bool(true), "BlockPublicAcls"),
        PropertySpec("ignore_public_acls", .bool, default: .bool(true), "IgnorePublicAcls"),
        PropertySpec("block_public_policy", .bool, default: .bool(true), "BlockPublicPolicy"),
        PropertySpec("restrict_public_buckets", .bool, default: .bool(true), "RestrictPublicBuckets"),
    ], attributes: [], taggable: false)
    public static let readOperation = "GetPublicAccessBlock"
    public static let terraformType = "aws_s3_bucket_public_access_block"

    public struct Properties: Codable, Sendable, Equatable, BucketScoped {
        public var bucket: String
        public var blockPublicAcls: Bool
        public var ignorePublicAcls: Bool
        public var blockPublicPolicy: Bool
        public var restrictPublicBuckets: Bool

        enum CodingKeys: String, CodingKey {
            case bucket
            case blockPublicAcls = "block_public_acls"
            case ignorePublicAcls = "ignore_public_acls"
            case blockPublicPolicy = "block_public_policy"
            case restrictPublicBuckets = "restrict_public_buckets"
        }
    }
    public typealias Identity = BucketName

    public init() {}

    public func get(_ identity: BucketName, context: ProviderContext) async throws -> Properties? {
        guard let block = try await context.s3.getPublicAccessBlock(identity.bucket) else { return nil }
        return Properties(bucket: identity.bucket, blockPublicAcls: block.blockPublicAcls, ignorePublicAcls: block.ignorePublicAcls,
                          blockPublicPolicy: block.blockPublicPolicy, restrictPublicBuckets: block.restrictPublicBuckets)
    }

    public func put(_ desired: Properties, live: Properties?, context: ProviderContext) async throws -> Bool {
        try await context.s3.putPublicAccessBlock(desired.bucket, PublicAccessBlock(
            blockPublicAcls: desired.blockPublicAcls, ignorePublicAcls: desired.ignorePublicAcls,
            blockPublicPolicy: desired.blockPublicPolicy, restrictPublicBuckets: desired.restrictPublicBuckets))
        return true
    }

    public func remove(_ recorded: Properties, context: ProviderContext) async throws {
        try await context.s3.deletePublicAccessBlock(recorded.bucket)
    }
}
