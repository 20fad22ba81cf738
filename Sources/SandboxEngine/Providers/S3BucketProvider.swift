import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `s3_bucket`: the bucket itself and its tags.
struct S3BucketProvider: ResourceProvider {
    let kind = ResourceKind.s3Bucket
    var isStandalone: Bool { true }

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes {
        var out = desired
        if let name = desired.string("name") {
            out["arn"] = .string("arn:aws:s3:::\(name)")
        }
        out["region"] = .string(context.region)
        return out
    }

    func physicalId(_ attributes: Attributes) -> String? { attributes.string("name") }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        attributes.string("name").map { S3Permissions.bucket("GetBucketTagging", $0, region: context.region) } ?? []
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let name = attributes.string("name") else { return nil }
        // GetBucketTagging answers both questions in one call: NoSuchBucket, or the tags.
        let tags: [String: String]
        do {
            tags = try await context.s3.getBucketTagging(name)
        } catch let error as AWSError where error.code == "NoSuchBucket" || error.kind == .notFound {
            return nil
        }
        var out: Attributes = ["name": .string(name), "arn": .string("arn:aws:s3:::\(name)"), "region": .string(context.region)]
        out["tags"] = .object(tags.mapValues(JSONValue.string))
        if let prefix = attributes["name_prefix"] { out["name_prefix"] = prefix }
        return out
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name") else { throw ProviderError("s3_bucket", "bucket has no name", category: .internal) }
        try await context.s3.createBucket(name)
        let tags = desired.stringMap("tags")
        if !tags.isEmpty {
            // A new bucket may not be visible to the tagging API at once on AWS.
            try await retryWhileMissing(context) { try await context.s3.putBucketTagging(name, tags: tags) }
        }
        let (live, matched) = try await context.consistency.poll({ try await read(desired, context: context) }, until: { $0 != nil })
        guard matched, let live else { throw ProviderError("s3_bucket \(name)", "bucket was created but cannot be read back", category: .infrastructure) }
        return plannedAttributes(desired, context: context).merging(live) { _, new in new }
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name") else { return live }
        try await context.s3.putBucketTagging(name, tags: desired.stringMap("tags"))
        return plannedAttributes(desired, context: context)
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let name = attributes.string("name") else { return }
        if options.emptyBucket {
            try await BucketEmptier(s3: context.s3, bucket: name).emptyAll()
        } else {
            guard try await checkEmpty(attributes, context: context) else { return }
        }
        do {
            try await context.s3.deleteBucket(name)
        } catch let error as AWSError where error.code == "NoSuchBucket" {
            return
        }
    }

    /// Throws when the bucket still holds object versions or delete markers; false when the bucket is gone.
    func checkEmpty(_ attributes: Attributes, context: ProviderContext) async throws -> Bool {
        guard let name = attributes.string("name") else { return false }
        let page: VersionListPage
        do {
            page = try await context.s3.listObjectVersions(bucket: name, prefix: nil, keyMarker: nil, versionIdMarker: nil, maxKeys: 1)
        } catch let error as AWSError where error.code == "NoSuchBucket" {
            return false
        }
        if !page.versions.isEmpty {
            throw ProviderError("s3_bucket.\(name)", "bucket \(name) is not empty; rerun with --empty-bucket to delete its objects, versions and uploads", category: .usage)
        }
        return true
    }

    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        if desired.string("name") != live.string("name") {
            changes.append(AttributeChange(name: "name", old: live["name"], new: desired["name"], forcesReplacement: true))
        }
        if desired.stringMap("tags") != live.stringMap("tags") {
            changes.append(AttributeChange(name: "tags", old: live["tags"], new: desired["tags"]))
        }
        return changes
    }

    func importAttributes(id: String, context: ProviderContext) -> Attributes { ["name": .string(id)] }

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
                    throw ProviderError("s3_bucket.\(bucket)", "could not delete \(result.errors.count) object(s), first \(first.key): \(first.code) \(first.message)")
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
