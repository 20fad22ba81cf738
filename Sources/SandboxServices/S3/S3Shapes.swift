import Foundation

/// A bucket's Block Public Access settings (`PublicAccessBlockConfiguration`).
public struct PublicAccessBlock: Sendable, Equatable, Hashable {
    public var blockPublicAcls: Bool
    public var ignorePublicAcls: Bool
    public var blockPublicPolicy: Bool
    public var restrictPublicBuckets: Bool

    public init(blockPublicAcls: Bool = true, ignorePublicAcls: Bool = true, blockPublicPolicy: Bool = true, restrictPublicBuckets: Bool = true) {
        self.blockPublicAcls = blockPublicAcls
        self.ignorePublicAcls = ignorePublicAcls
        self.blockPublicPolicy = blockPublicPolicy
        self.restrictPublicBuckets = restrictPublicBuckets
    }

    /// Everything blocked: AWS's default for new buckets.
    public static let all = PublicAccessBlock()
}

/// A bucket's default encryption (the first rule of `ServerSideEncryptionConfiguration`).
public struct BucketEncryption: Sendable, Equatable, Hashable {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    public var algorithm: String
    public var kmsKeyId: String?
    public var bucketKeyEnabled: Bool?

    public init(algorithm: String, kmsKeyId: String? = nil, bucketKeyEnabled: Bool? = nil) {
        self.algorithm = algorithm
        self.kmsKeyId = kmsKeyId
        self.bucketKeyEnabled = bucketKeyEnabled
    }

    public static let aes256 = BucketEncryption(algorithm: "AES256")
}

/// A bucket's versioning state. A bucket that was ever versioned can only be suspended, never unversioned again.
public enum VersioningStatus: String, Sendable, Equatable, Hashable, CaseIterable {
    case unversioned = ""
    case enabled = "Enabled"
    case suspended = "Suspended"
}

/// One lifecycle rule, limited to the actions sandbox uses; the filter is a key prefix.
public struct LifecycleRule: Sendable, Equatable, Hashable {
    public var id: String
    /// The key prefix the rule applies to (`Filter/Prefix`); empty for the whole bucket.
    public var prefix: String
    public var enabled: Bool
    public var expirationDays: Int?
    public var abortIncompleteMultipartUploadDays: Int?
    public var noncurrentVersionExpirationDays: Int?

    public init(id: String, prefix: String = "", enabled: Bool = true, expirationDays: Int? = nil,
                abortIncompleteMultipartUploadDays: Int? = nil, noncurrentVersionExpirationDays: Int? = nil) {
        self.id = id
        self.prefix = prefix
        self.enabled = enabled
        self.expirationDays = expirationDays
        self.abortIncompleteMultipartUploadDays = abortIncompleteMultipartUploadDays
        self.noncurrentVersionExpirationDays = noncurrentVersionExpirationDays
    }
}

/// One object in a `ListObjectsV2` page.
public struct S3Object: Sendable, Equatable, Hashable {
    public var key: String
    public var size: Int
    /// As S3 sends it, quotes included (`"d41d8cd9…"`).
    public var eTag: String?
    public var lastModified: Date?

    public init(key: String, size: Int, eTag: String? = nil, lastModified: Date? = nil) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
    }
}

/// One page of `ListObjectsV2`.
public struct ObjectListPage: Sendable, Equatable {
    public var objects: [S3Object]
    public var commonPrefixes: [String]
    public var nextContinuationToken: String?
    public var isTruncated: Bool
    public var keyCount: Int

    public init(objects: [S3Object] = [], commonPrefixes: [String] = [], nextContinuationToken: String? = nil, isTruncated: Bool = false, keyCount: Int = 0) {
        self.objects = objects
        self.commonPrefixes = commonPrefixes
        self.nextContinuationToken = nextContinuationToken
        self.isTruncated = isTruncated
        self.keyCount = keyCount
    }
}

/// An object version or a delete marker from `ListObjectVersions`.
public struct ObjectVersion: Sendable, Equatable, Hashable {
    public var key: String
    /// `null` for objects written while the bucket was unversioned.
    public var versionId: String
    public var isLatest: Bool
    /// 0 for delete markers.
    public var size: Int
    public var isDeleteMarker: Bool
    public var eTag: String?
    public var lastModified: Date?

    public init(key: String, versionId: String, isLatest: Bool = false, size: Int = 0, isDeleteMarker: Bool = false, eTag: String? = nil, lastModified: Date? = nil) {
        self.key = key
        self.versionId = versionId
        self.isLatest = isLatest
        self.size = size
        self.isDeleteMarker = isDeleteMarker
        self.eTag = eTag
        self.lastModified = lastModified
    }

    /// The identifier to delete exactly this version.
    public var identifier: ObjectIdentifier { ObjectIdentifier(key: key, versionId: versionId) }
}

/// One page of `ListObjectVersions`: versions and delete markers in S3's order (by key, newest first).
public struct VersionListPage: Sendable, Equatable {
    public var versions: [ObjectVersion]
    public var commonPrefixes: [String]
    public var nextKeyMarker: String?
    public var nextVersionIdMarker: String?
    public var isTruncated: Bool

    public init(versions: [ObjectVersion] = [], commonPrefixes: [String] = [], nextKeyMarker: String? = nil, nextVersionIdMarker: String? = nil, isTruncated: Bool = false) {
        self.versions = versions
        self.commonPrefixes = commonPrefixes
        self.nextKeyMarker = nextKeyMarker
        self.nextVersionIdMarker = nextVersionIdMarker
        self.isTruncated = isTruncated
    }
}

/// An object (or one version of it) to delete with `DeleteObjects`.
///
/// Note: this shadows `Swift.ObjectIdentifier` in files that import SandboxServices; spell the standard one `Swift.ObjectIdentifier`.
public struct ObjectIdentifier: Sendable, Equatable, Hashable {
    public var key: String
    public var versionId: String?

    public init(key: String, versionId: String? = nil) {
        self.key = key
        self.versionId = versionId
    }

    public init(_ key: String, versionId: String? = nil) {
        self.init(key: key, versionId: versionId)
    }
}

/// An object `DeleteObjects` removed (or a delete marker it created).
public struct DeletedObject: Sendable, Equatable, Hashable {
    public var key: String
    public var versionId: String?
    /// True when the delete created (or removed) a delete marker rather than data.
    public var deleteMarker: Bool
    public var deleteMarkerVersionId: String?

    public init(key: String, versionId: String? = nil, deleteMarker: Bool = false, deleteMarkerVersionId: String? = nil) {
        self.key = key
        self.versionId = versionId
        self.deleteMarker = deleteMarker
        self.deleteMarkerVersionId = deleteMarkerVersionId
    }
}

/// An object `DeleteObjects` failed to remove, with S3's per-key error code (`AccessDenied`, `InternalError`, …).
public struct DeleteObjectError: Sendable, Equatable, Hashable {
    public var key: String
    public var versionId: String?
    public var code: String
    public var message: String

    public init(key: String, versionId: String? = nil, code: String, message: String = "") {
        self.key = key
        self.versionId = versionId
        self.code = code
        self.message = message
    }
}

/// What `DeleteObjects` did. With `quiet`, S3 lists only the errors.
public struct DeleteObjectsResult: Sendable, Equatable {
    public var deleted: [DeletedObject]
    public var errors: [DeleteObjectError]

    public init(deleted: [DeletedObject] = [], errors: [DeleteObjectError] = []) {
        self.deleted = deleted
        self.errors = errors
    }
}

/// What `HeadObject` tells about an object.
public struct ObjectHead: Sendable, Equatable {
    public var size: Int
    public var eTag: String?
    public var contentType: String?
    public var lastModified: Date?
    public var versionId: String?

    public init(size: Int, eTag: String? = nil, contentType: String? = nil, lastModified: Date? = nil, versionId: String? = nil) {
        self.size = size
        self.eTag = eTag
        self.contentType = contentType
        self.lastModified = lastModified
        self.versionId = versionId
    }
}

/// An in-progress multipart upload.
public struct MultipartUpload: Sendable, Equatable, Hashable {
    public var key: String
    public var uploadId: String
    public var initiated: Date?

    public init(key: String, uploadId: String, initiated: Date? = nil) {
        self.key = key
        self.uploadId = uploadId
        self.initiated = initiated
    }
}

/// One page of `ListMultipartUploads`.
public struct UploadListPage: Sendable, Equatable {
    public var uploads: [MultipartUpload]
    public var commonPrefixes: [String]
    public var nextKeyMarker: String?
    public var nextUploadIdMarker: String?
    public var isTruncated: Bool

    public init(uploads: [MultipartUpload] = [], commonPrefixes: [String] = [], nextKeyMarker: String? = nil, nextUploadIdMarker: String? = nil, isTruncated: Bool = false) {
        self.uploads = uploads
        self.commonPrefixes = commonPrefixes
        self.nextKeyMarker = nextKeyMarker
        self.nextUploadIdMarker = nextUploadIdMarker
        self.isTruncated = isTruncated
    }
}
