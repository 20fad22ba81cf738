import Foundation
import SandboxAWS

/// Bucket sub-resources: tagging, public access block, default encryption, versioning, lifecycle.
extension S3Client {
    // MARK: - Tagging

    /// The bucket's tags; empty when it has none (`NoSuchTagSet`).
    public func getBucketTagging(_ bucket: String) async throws -> [String: String] {
        try await absent("NoSuchTagSet", [:]) {
            let root = try await sendXML("GetBucketTagging", .read, bucket: bucket, query: [("tagging", "")])
            var tags: [String: String] = [:]
            for tag in root.child("TagSet")?.all("Tag") ?? [] {
                if let key = tag.string("Key") { tags[key] = tag.string("Value") ?? "" }
            }
            return tags
        }
    }

    /// Replaces all of the bucket's tags.
    public func putBucketTagging(_ bucket: String, tags: [String: String]) async throws {
        let tagNodes = tags.keys.sorted().map { key in
            XMLNode.element("Tag", [.element("Key", key), .element("Value", tags[key] ?? "")])
        }
        try await put("PutBucketTagging", bucket: bucket, subresource: "tagging", .element("Tagging", [.element("TagSet", tagNodes)]))
    }

    // MARK: - Public access block

    /// nil when the bucket has no Block Public Access configuration of its own.
    public func getPublicAccessBlock(_ bucket: String) async throws -> PublicAccessBlock? {
        try await absent("NoSuchPublicAccessBlockConfiguration", nil) {
            let root = try await sendXML("GetPublicAccessBlock", .read, bucket: bucket, query: [("publicAccessBlock", "")])
            let node = root.name == "PublicAccessBlockConfiguration" ? root : (root.child("PublicAccessBlockConfiguration") ?? root)
            return PublicAccessBlock(
                blockPublicAcls: S3Wire.bool(node.string("BlockPublicAcls")) ?? false,
                ignorePublicAcls: S3Wire.bool(node.string("IgnorePublicAcls")) ?? false,
                blockPublicPolicy: S3Wire.bool(node.string("BlockPublicPolicy")) ?? false,
                restrictPublicBuckets: S3Wire.bool(node.string("RestrictPublicBuckets")) ?? false)
        }
    }

    public func putPublicAccessBlock(_ bucket: String, _ configuration: PublicAccessBlock) async throws {
        let root = XMLNode.element("PublicAccessBlockConfiguration", [
            .element("BlockPublicAcls", String(configuration.blockPublicAcls)),
            .element("IgnorePublicAcls", String(configuration.ignorePublicAcls)),
            .element("BlockPublicPolicy", String(configuration.blockPublicPolicy)),
            .element("RestrictPublicBuckets", String(configuration.restrictPublicBuckets)),
        ])
        try await put("PutPublicAccessBlock", bucket: bucket, subresource: "publicAccessBlock", root)
    }

    public func deletePublicAccessBlock(_ bucket: String) async throws {
        try await send("DeletePublicAccessBlock", .mutating, method: "DELETE", bucket: bucket, query: [("publicAccessBlock", "")])
    }

    // MARK: - Default encryption

    /// The bucket's default encryption, or nil when none is configured
    /// (`ServerSideEncryptionConfigurationNotFoundError`; real S3 always has at least SSE-S3 since 2023).
    public func getBucketEncryption(_ bucket: String) async throws -> BucketEncryption? {
        try await absent("ServerSideEncryptionConfigurationNotFoundError", nil) {
            let root = try await sendXML("GetBucketEncryption", .read, bucket: bucket, query: [("encryption", "")])
            guard let rule = root.all("Rule").first,
                  let defaults = rule.child("ApplyServerSideEncryptionByDefault"),
                  let algorithm = defaults.string("SSEAlgorithm") else { return nil }
            return BucketEncryption(algorithm: algorithm,
                                    kmsKeyId: S3Wire.nonEmpty(defaults.string("KMSMasterKeyID")),
                                    bucketKeyEnabled: S3Wire.bool(rule.string("BucketKeyEnabled")))
        }
    }

    public func putBucketEncryption(_ bucket: String, _ encryption: BucketEncryption) async throws {
        var defaults: [XMLNode] = [.element("SSEAlgorithm", encryption.algorithm)]
        if let key = encryption.kmsKeyId { defaults.append(.element("KMSMasterKeyID", key)) }
        var rule: [XMLNode] = [.element("ApplyServerSideEncryptionByDefault", defaults)]
        if let enabled = encryption.bucketKeyEnabled { rule.append(.element("BucketKeyEnabled", String(enabled))) }
        let root = XMLNode.element("ServerSideEncryptionConfiguration", [.element("Rule", rule)])
        try await put("PutBucketEncryption", bucket: bucket, subresource: "encryption", root)
    }

    public func deleteBucketEncryption(_ bucket: String) async throws {
        try await send("DeleteBucketEncryption", .mutating, method: "DELETE", bucket: bucket, query: [("encryption", "")])
    }

    // MARK: - Versioning

    public func getBucketVersioning(_ bucket: String) async throws -> VersioningStatus {
        let root = try await sendXML("GetBucketVersioning", .read, bucket: bucket, query: [("versioning", "")])
        switch root.string("Status")?.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "Enabled": return .enabled
        case "Suspended": return .suspended
        default: return .unversioned
        }
    }

    /// Enables or suspends versioning; `.unversioned` cannot be set (S3 has no way back) and is refused.
    public func putBucketVersioning(_ bucket: String, _ status: VersioningStatus) async throws {
        guard status != .unversioned else {
            throw ClientInputError(service: "S3", operation: "PutBucketVersioning",
                                   reason: "versioning can only be Enabled or Suspended, not Unversioned")
        }
        let root = XMLNode.element("VersioningConfiguration", [.element("Status", status.rawValue)])
        try await put("PutBucketVersioning", bucket: bucket, subresource: "versioning", root)
    }

    // MARK: - Lifecycle

    /// The bucket's lifecycle rules; empty when it has none (`NoSuchLifecycleConfiguration`).
    public func getBucketLifecycle(_ bucket: String) async throws -> [LifecycleRule] {
        try await absent("NoSuchLifecycleConfiguration", []) {
            let root = try await sendXML("GetBucketLifecycleConfiguration", .read, bucket: bucket, query: [("lifecycle", "")])
            return root.all("Rule").map(Self.lifecycleRule)
        }
    }

    /// Replaces the bucket's lifecycle configuration; an empty list deletes it (S3 rejects an empty configuration).
    public func putBucketLifecycle(_ bucket: String, rules: [LifecycleRule]) async throws {
        guard !rules.isEmpty else {
            try await deleteBucketLifecycle(bucket)
            return
        }
        let root = XMLNode.element("LifecycleConfiguration", rules.map(Self.lifecycleNode))
        try await put("PutBucketLifecycleConfiguration", bucket: bucket, subresource: "lifecycle", root)
    }

    public func deleteBucketLifecycle(_ bucket: String) async throws {
        try await send("DeleteBucketLifecycle", .mutating, method: "DELETE", bucket: bucket, query: [("lifecycle", "")])
    }

    static func lifecycleRule(_ node: XMLNode) -> LifecycleRule {
        let filter = node.child("Filter")
        let prefix = filter?.string("Prefix") ?? filter?.child("And")?.string("Prefix") ?? node.string("Prefix") ?? ""
        return LifecycleRule(
            id: node.string("ID") ?? "",
            prefix: prefix,
            enabled: node.string("Status") == "Enabled",
            expirationDays: S3Wire.int(node.child("Expiration")?.string("Days")),
            abortIncompleteMultipartUploadDays: S3Wire.int(node.child("AbortIncompleteMultipartUpload")?.string("DaysAfterInitiation")),
            noncurrentVersionExpirationDays: S3Wire.int(node.child("NoncurrentVersionExpiration")?.string("NoncurrentDays")))
    }

    /// Members in the model's order: Expiration, ID, Filter, Status, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload.
    static func lifecycleNode(_ rule: LifecycleRule) -> XMLNode {
        var children: [XMLNode] = []
        if let days = rule.expirationDays {
            children.append(.element("Expiration", [.element("Days", String(days))]))
        }
        children.append(.element("ID", rule.id))
        children.append(.element("Filter", [.element("Prefix", rule.prefix)]))
        children.append(.element("Status", rule.enabled ? "Enabled" : "Disabled"))
        if let days = rule.noncurrentVersionExpirationDays {
            children.append(.element("NoncurrentVersionExpiration", [.element("NoncurrentDays", String(days))]))
        }
        if let days = rule.abortIncompleteMultipartUploadDays {
            children.append(.element("AbortIncompleteMultipartUpload", [.element("DaysAfterInitiation", String(days))]))
        }
        return .element("Rule", children)
    }
}
