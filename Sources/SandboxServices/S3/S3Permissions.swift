import SandboxPolicy

/// The IAM authorization each S3 operation sandbox sends needs (AWS service authorization reference, Amazon S3):
/// action and resource ARN, and for ListBucket/ListBucketVersions the `s3:prefix` the request carries.
/// HeadBucket needs s3:ListBucket; HeadObject needs s3:GetObject; DeleteObjects is authorized per key.
public enum S3Permissions {
    /// Bucket-level operations and their action.
    static let bucketActions: [String: String] = [
        "HeadBucket": "s3:ListBucket", "GetBucketTagging": "s3:GetBucketTagging",
        "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock", "GetBucketEncryption": "s3:GetEncryptionConfiguration",
        "GetBucketVersioning": "s3:GetBucketVersioning", "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
        "GetBucketLocation": "s3:GetBucketLocation", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    ]
    /// Object-level operations and their action.
    static let objectActions: [String: String] = [
        "GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "PutObject": "s3:PutObject", "DeleteObject": "s3:DeleteObject",
        "AbortMultipartUpload": "s3:AbortMultipartUpload", "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject",
        "CompleteMultipartUpload": "s3:PutObject", "ListParts": "s3:ListMultipartUploadParts",
    ]

    /// A bucket-level read (`GetBucketVersioning`, `ListMultipartUploads`, ...) on `bucket`.
    public static func bucket(_ operation: String, _ bucket: String, region: String = "us-east-1") -> [DeclaredCall] {
        guard let action = bucketActions[operation] else { return [] }
        return [DeclaredCall(operation: operation, action: action, resource: ResourceARN.s3Bucket(bucket, region: region))]
    }

    /// ListObjectsV2 (s3:ListBucket) or, with `versions`, ListObjectVersions (s3:ListBucketVersions) under `prefix`.
    public static func list(_ bucket: String, prefix: String, versions: Bool = false, region: String = "us-east-1") -> [DeclaredCall] {
        [DeclaredCall(operation: versions ? "ListObjectVersions" : "ListObjectsV2", action: versions ? "s3:ListBucketVersions" : "s3:ListBucket",
                      resource: ResourceARN.s3Bucket(bucket, region: region), prefix: prefix)]
    }

    /// An object operation on keys matching `key` (a `*` pattern for many keys).
    public static func object(_ operation: String, _ bucket: String, key: String, region: String = "us-east-1") -> [DeclaredCall] {
        guard let action = objectActions[operation] else { return [] }
        return [DeclaredCall(operation: operation, action: action, resource: ResourceARN.s3Object(bucket, key, region: region))]
    }

    /// DeleteObject with a version id (a version or a delete marker): s3:DeleteObjectVersion on the key.
    public static func deleteVersion(_ bucket: String, key: String, region: String = "us-east-1") -> [DeclaredCall] {
        [DeclaredCall(operation: "DeleteObject", action: "s3:DeleteObjectVersion", resource: ResourceARN.s3Object(bucket, key, region: region))]
    }

    /// DeleteObjects: s3:DeleteObject per key, and s3:DeleteObjectVersion per key given with a version id.
    public static func deleteObjects(_ bucket: String, key: String, versions: Bool, region: String = "us-east-1") -> [DeclaredCall] {
        let resource = ResourceARN.s3Object(bucket, key, region: region)
        var calls = [DeclaredCall(operation: "DeleteObjects", action: "s3:DeleteObject", resource: resource)]
        if versions { calls.append(DeclaredCall(operation: "DeleteObjects", action: "s3:DeleteObjectVersion", resource: resource)) }
        return calls
    }
}
