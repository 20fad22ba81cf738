import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// True for the errors that mean "the bucket itself is gone".
func isMissingBucket(_ error: Error) -> Bool {
    (error as? AWSError)?.code == "NoSuchBucket"
}

/// `s3_public_access_block`: all four settings, true by default.
struct PublicAccessBlockProvider: ResourceProvider {
    let kind = ResourceKind.s3PublicAccessBlock
    static let keys = ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }
    func physicalId(_ attributes: Attributes) -> String? { attributes.string("bucket") }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        attributes.string("bucket").map { S3Permissions.bucket("GetPublicAccessBlock", $0, region: context.region) } ?? []
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let bucket = attributes.string("bucket") else { return nil }
        let block: PublicAccessBlock?
        do { block = try await context.s3.getPublicAccessBlock(bucket) } catch where isMissingBucket(error) { return nil }
        guard let block else { return nil }
        return ["bucket": .string(bucket), "block_public_acls": .bool(block.blockPublicAcls), "ignore_public_acls": .bool(block.ignorePublicAcls),
                "block_public_policy": .bool(block.blockPublicPolicy), "restrict_public_buckets": .bool(block.restrictPublicBuckets)]
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        try await put(desired, context: context)
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        try await put(desired, context: context)
    }

    private func put(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let bucket = desired.string("bucket") else { return desired }
        let block = PublicAccessBlock(blockPublicAcls: desired.bool("block_public_acls") ?? true, ignorePublicAcls: desired.bool("ignore_public_acls") ?? true,
                                      blockPublicPolicy: desired.bool("block_public_policy") ?? true, restrictPublicBuckets: desired.bool("restrict_public_buckets") ?? true)
        try await context.s3.putPublicAccessBlock(bucket, block)
        try await awaitMatch(desired, identity: desired, context: context)
        return desired
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let bucket = attributes.string("bucket") else { return }
        do { try await context.s3.deletePublicAccessBlock(bucket) } catch where isMissingBucket(error) || (error as? AWSError)?.kind == .notFound {}
    }
}

/// `s3_bucket_encryption`: default encryption, AES256 or aws:kms.
struct BucketEncryptionProvider: ResourceProvider {
    let kind = ResourceKind.s3BucketEncryption

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }
    func physicalId(_ attributes: Attributes) -> String? { attributes.string("bucket") }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        attributes.string("bucket").map { S3Permissions.bucket("GetBucketEncryption", $0, region: context.region) } ?? []
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let bucket = attributes.string("bucket") else { return nil }
        let encryption: BucketEncryption?
        do { encryption = try await context.s3.getBucketEncryption(bucket) } catch where isMissingBucket(error) { return nil }
        guard let encryption else { return nil }
        var out: Attributes = ["bucket": .string(bucket), "algorithm": .string(encryption.algorithm)]
        if let key = encryption.kmsKeyId { out["kms_key_id"] = .string(key) }
        if let enabled = encryption.bucketKeyEnabled { out["bucket_key_enabled"] = .bool(enabled) }
        return out
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes { try await put(desired, context: context) }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes { try await put(desired, context: context) }

    private func put(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let bucket = desired.string("bucket") else { return desired }
        let algorithm = desired.string("algorithm") ?? "AES256"
        let encryption = BucketEncryption(algorithm: algorithm, kmsKeyId: algorithm == "aws:kms" ? desired.string("kms_key_id") : nil,
                                          bucketKeyEnabled: desired.bool("bucket_key_enabled"))
        try await context.s3.putBucketEncryption(bucket, encryption)
        try await awaitMatch(desired, identity: desired, context: context)
        return desired
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let bucket = attributes.string("bucket") else { return }
        do { try await context.s3.deleteBucketEncryption(bucket) } catch where isMissingBucket(error) || (error as? AWSError)?.kind == .notFound {}
    }
}

/// `s3_bucket_versioning`: Disabled means "never turned on"; a bucket once versioned can only be Suspended.
struct BucketVersioningProvider: ResourceProvider {
    let kind = ResourceKind.s3BucketVersioning

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }
    func physicalId(_ attributes: Attributes) -> String? { attributes.string("bucket") }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        attributes.string("bucket").map { S3Permissions.bucket("GetBucketVersioning", $0, region: context.region) } ?? []
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let bucket = attributes.string("bucket") else { return nil }
        let status: VersioningStatus
        do { status = try await context.s3.getBucketVersioning(bucket) } catch where isMissingBucket(error) { return nil }
        let text: String
        switch status {
        case .unversioned: text = "Disabled"
        case .enabled: text = "Enabled"
        case .suspended: text = "Suspended"
        }
        return ["bucket": .string(bucket), "status": .string(text)]
    }

    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        let want = desired.string("status") ?? "Disabled"
        let have = live.string("status") ?? "Disabled"
        // Suspended is as close to Disabled as a once-versioned bucket can get.
        if want == have || (want == "Disabled" && have == "Suspended") { return [] }
        return [AttributeChange(name: "status", old: live["status"], new: .string(want))]
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        let live = try await read(desired, context: context) ?? [:]
        if differences(desired: desired, live: live).isEmpty { return desired }
        return try await update(desired, live: live, context: context)
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let bucket = desired.string("bucket") else { return desired }
        let want = desired.string("status") ?? "Disabled"
        if want == "Disabled" && live.string("status") == "Disabled" { return desired }
        try await context.s3.putBucketVersioning(bucket, want == "Enabled" ? .enabled : .suspended)
        try await awaitMatch(desired, identity: desired, context: context)
        return desired
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let bucket = attributes.string("bucket"), attributes.string("status") == "Enabled" else { return }
        do { try await context.s3.putBucketVersioning(bucket, .suspended) } catch where isMissingBucket(error) {}
    }
}

/// `s3_bucket_lifecycle`: one rule, owned by its id; other rules on the bucket are left alone.
struct BucketLifecycleProvider: ResourceProvider {
    let kind = ResourceKind.s3BucketLifecycle

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }
    func physicalId(_ attributes: Attributes) -> String? {
        attributes.string("bucket").map { "\($0)/\(attributes.string("rule_id") ?? "sandbox-expire-runs")" }
    }

    func ruleId(_ attributes: Attributes) -> String { attributes.string("rule_id") ?? "sandbox-expire-runs" }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        attributes.string("bucket").map { S3Permissions.bucket("GetBucketLifecycleConfiguration", $0, region: context.region) } ?? []
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let bucket = attributes.string("bucket") else { return nil }
        let rules: [LifecycleRule]
        do { rules = try await context.s3.getBucketLifecycle(bucket) } catch where isMissingBucket(error) { return nil }
        guard let rule = rules.first(where: { $0.id == ruleId(attributes) }) else { return nil }
        var out: Attributes = ["bucket": .string(bucket), "rule_id": .string(rule.id), "prefix": .string(rule.prefix)]
        if let days = rule.expirationDays { out["expiration_days"] = .number(Double(days)) }
        if let days = rule.abortIncompleteMultipartUploadDays { out["abort_incomplete_upload_days"] = .number(Double(days)) }
        if !rule.enabled { out["enabled"] = .bool(false) }
        return out
    }

    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes = defaultDifferences(desired: desired, live: live)
        if live.bool("enabled") == false { changes.append(AttributeChange(name: "enabled", old: .bool(false), new: .bool(true))) }
        return changes
    }

    private func defaultDifferences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for spec in kind.properties {
            guard let want = desired[spec.name], want != .null else { continue }
            if !Self.same(want, live[spec.name], type: spec.type) {
                changes.append(AttributeChange(name: spec.name, old: live[spec.name], new: want, forcesReplacement: spec.forceNew))
            }
        }
        return changes
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes { try await put(desired, context: context) }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes { try await put(desired, context: context) }

    private func put(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let bucket = desired.string("bucket") else { return desired }
        let id = ruleId(desired)
        let others = try await context.s3.getBucketLifecycle(bucket).filter { $0.id != id }
        let rule = LifecycleRule(id: id, prefix: desired.string("prefix") ?? "runs/", enabled: true,
                                 expirationDays: desired.int("expiration_days") ?? 3,
                                 abortIncompleteMultipartUploadDays: desired.int("abort_incomplete_upload_days") ?? 1,
                                 noncurrentVersionExpirationDays: nil)
        try await context.s3.putBucketLifecycle(bucket, rules: others + [rule])
        try await awaitMatch(desired, identity: desired, context: context)
        return desired
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let bucket = attributes.string("bucket") else { return }
        do {
            let others = try await context.s3.getBucketLifecycle(bucket).filter { $0.id != ruleId(attributes) }
            if others.isEmpty { try await context.s3.deleteBucketLifecycle(bucket) } else { try await context.s3.putBucketLifecycle(bucket, rules: others) }
        } catch where isMissingBucket(error) {}
    }
}
