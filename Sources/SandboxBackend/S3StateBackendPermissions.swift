import SandboxPolicy
import SandboxServices

/// What the S3 state backend sends for the CI-side commands: they read the state object (and `check` its lock)
/// and `run new` and `cleanup` write it back; the lock is taken only by apply, destroy, import and state push.
extension S3StateBackend {
    /// Reading the state (GetObject; with s3:ListBucket a missing object reads as absent, not denied).
    public static func readCalls(bucket: String, key: String, region: String) -> [DeclaredCall] {
        S3Permissions.object("GetObject", bucket, key: key, region: region)
            + [DeclaredCall(operation: "GetObject", action: "s3:ListBucket", resource: ResourceARN.s3Bucket(bucket, region: region))]
    }

    /// Writing it back with If-Match (PutObject).
    public static func writeCalls(bucket: String, key: String, region: String) -> [DeclaredCall] {
        S3Permissions.object("PutObject", bucket, key: key, region: region)
    }

    /// Reading who holds the lock object.
    public static func lockReadCalls(bucket: String, key: String, region: String) -> [DeclaredCall] {
        S3Permissions.object("GetObject", bucket, key: key + ".lock", region: region)
    }

    /// Per CI-side command, what it needs of a state kept at `s3://bucket/key`.
    public static func declaredCalls(bucket: String, key: String, region: String) -> [DeclaredCall] {
        let read = readCalls(bucket: bucket, key: key, region: region)
        let write = writeCalls(bucket: bucket, key: key, region: region)
        return (read + write).map { $0.by("run new") } + read.map { $0.by("run list") } + read.map { $0.by("report") }
            + (read + write).map { $0.by("cleanup") } + (read + lockReadCalls(bucket: bucket, key: key, region: region)).map { $0.by("check") }
    }
}
