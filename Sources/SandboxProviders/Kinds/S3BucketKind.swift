import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `s3_bucket`: the bucket itself and its tags.
public struct S3BucketKind: KindDefinition {
    public static let schema = ResourceKind(name: "s3_bucket", summary: "an S3 bucket", properties: [
        PropertySpec("name", .string, forceNew: true, rule: .s3Bucket, "bucket name; default NAME_PREFIX-ACCOUNT_ID-REGION"),
        PropertySpec("name_prefix", .string, forceNew: true, "prefix of the default name; default the stack name"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "region"], taggable: true)

    public struct Properties: Codable, Sendable, Equatable {
        public var name: String
        public var namePrefix: String?
        public var tags: [String: String]?
        public var arn: String?
        public var region: String?

        enum CodingKeys: String, CodingKey {
            case name, tags, arn, region
            case namePrefix = "name_prefix"
        }
    }

    /// The name may be unset until `normalize` derives the default one.
    public struct Identity: Codable, Sendable {
        public var name: String?
        public var namePrefix: String?
        public var arn: String?
        public var region: String?

        enum CodingKeys: String, CodingKey {
            case name, arn, region
            case namePrefix = "name_prefix"
        }
    }

    public static var isStandalone: Bool { true }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_s3_bucket", stackKey: "name", terraformKey: "bucket")]
    }

    public init() {}

    /// Without a name the bucket is NAME_PREFIX-ACCOUNT_ID-REGION (lowercased), NAME_PREFIX defaulting to the stack name.
    public func normalize(_ desired: inout Identity, unknown: Set<String>, facts: StackFacts) -> [String] {
        guard desired.name == nil, !unknown.contains("name"), !unknown.contains("name_prefix") else { return [] }
        let name = "\(desired.namePrefix ?? facts.stackName)-\(facts.accountId)-\(facts.region)".lowercased()
        desired.name = name
        guard let problem = NameRule.s3Bucket.problem(with: name) else { return [] }
        return ["\(name) (the default bucket name): \(problem); set name or a shorter name_prefix"]
    }

    public func planned(_ identity: Identity, context: ProviderContext) -> Identity {
        var out = identity
        if let name = identity.name { out.arn = Self.arn(name) }
        out.region = context.region
        return out
    }

    public func physicalId(_ identity: Identity) -> String? { identity.name }

    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        identity.name.map { S3Permissions.bucket("GetBucketTagging", $0, region: context.region) } ?? []
    }

    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        guard let name = identity.name else { return nil }
        // GetBucketTagging answers both questions in one call: NoSuchBucket, or the tags.
        let tags: [String: String]
        do {
            tags = try await context.s3.getBucketTagging(name)
        } catch let error as AWSError where error.code == "NoSuchBucket" || error.kind == .notFound {
            return nil
        }
        return Properties(name: name, namePrefix: identity.namePrefix, tags: tags, arn: Self.arn(name), region: context.region)
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        try await context.s3.createBucket(desired.name)
        let tags = desired.tags ?? [:]
        if !tags.isEmpty {
            // A new bucket may not be visible to the tagging API at once on AWS.
            try await retryWhileMissing(context) { try await context.s3.putBucketTagging(desired.name, tags: tags) }
        }
        guard let live = try await awaitExists(Self.identity(desired), context: context) else {
            throw ProviderError("\(Self.name) \(desired.name)", "bucket was created but cannot be read back", category: .infrastructure)
        }
        return live
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        try await context.s3.putBucketTagging(desired.name, tags: desired.tags ?? [:])
        var out = desired
        out.arn = Self.arn(desired.name)
        out.region = context.region
        return out
    }

    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        if options.emptyBucket {
            try await BucketEmptier(s3: context.s3, bucket: recorded.name).emptyAll()
        } else {
            guard try await checkDeletable(recorded, context: context) else { return }
        }
        do {
            try await context.s3.deleteBucket(recorded.name)
        } catch let error as AWSError where error.code == "NoSuchBucket" {
            return
        }
    }

    /// Throws when the bucket still holds object versions or delete markers; false when the bucket is gone.
    public func checkDeletable(_ recorded: Properties, context: ProviderContext) async throws -> Bool {
        let name = recorded.name
        let page: VersionListPage
        do {
            page = try await context.s3.listObjectVersions(bucket: name, prefix: nil, keyMarker: nil, versionIdMarker: nil, maxKeys: 1)
        } catch let error as AWSError where error.code == "NoSuchBucket" {
            return false
        }
        if !page.versions.isEmpty {
            throw ProviderError("\(Self.name).\(name)", "bucket \(name) is not empty; rerun with --empty-bucket to delete its objects, versions and uploads", category: .usage)
        }
        return true
    }

    /// The name (a replacement) and the whole tag set; the name prefix only matters through the name.
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        if desired.name != live.name { changes.append(Self.change("name", old: live.name, new: desired.name)) }
        if (desired.tags ?? [:]) != (live.tags ?? [:]) { changes.append(Self.change("tags", old: live.tags, new: desired.tags)) }
        return changes
    }

    public func importIdentity(id: String, context: ProviderContext) -> Identity? { Identity(name: id) }

    static func arn(_ name: String) -> String { "arn:aws:s3:::\(name)" }

    static func identity(_ properties: Properties) -> Identity {
        Identity(name: properties.name, namePrefix: properties.namePrefix, arn: properties.arn, region: properties.region)
    }

    private func retryWhileMissing(_ context: ProviderContext, _ body: @Sendable () async throws -> Void) async throws {
        var delay = context.consistency.firstDelay
        for attempt in 1...context.consistency.attempts {
            do {
                try await body()
                return
            } catch let error as AWSError where error.code == "NoSuchBucket" && attempt < context.consistency.attempts {
                try await context.consistency.sleeper.sleep(seconds: delay)
                delay = min(context.consistency.maxDelay, delay * 2)
            }
        }
    }
}

/// Deletes every object version, delete marker and multipart upload in a bucket, 1,000 keys per request.
struct BucketEmptier {
    let s3: S3Client
    let bucket: String

    func emptyAll() async throws {
        var keyMarker: String?
        var versionMarker: String?
        repeat {
            let page: VersionListPage
            do {
                page = try await s3.listObjectVersions(bucket: bucket, prefix: nil, keyMarker: keyMarker, versionIdMarker: versionMarker, maxKeys: 1000)
            } catch let error as AWSError where error.code == "NoSuchBucket" {
                return
            }
            let ids = page.versions.map { ObjectIdentifier(key: $0.key, versionId: $0.versionId) }
            if !ids.isEmpty {
                let result = try await s3.deleteObjects(bucket: bucket, ids, quiet: true)
                if let first = result.errors.first {
                    throw ProviderError("\(S3BucketKind.name).\(bucket)", "could not delete \(result.errors.count) object(s), first \(first.key): \(first.code) \(first.message)")
                }
            }
            keyMarker = page.isTruncated ? page.nextKeyMarker : nil
            versionMarker = page.isTruncated ? page.nextVersionIdMarker : nil
        } while keyMarker != nil
        for try await page in s3.uploadPages(bucket: bucket, prefix: nil) {
            for upload in page.uploads {
                try await s3.abortMultipartUpload(bucket: bucket, key: upload.key, uploadId: upload.uploadId)
            }
        }
    }
}
