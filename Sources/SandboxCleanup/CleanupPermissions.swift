import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices

/// What `sandbox cleanup` sends, as IAM authorizations: declared here, beside the engine, and checked against the
/// requests cleanup really sends by the policy-enforcing test lane.
extension CleanupEngine {
    /// Cleanup of runs under `root` (any run when `runPrefix` is nil) in `bucket` and Glue databases named
    /// `database` (a pattern such as `floe_provider_*`).
    public static func declaredCalls(bucket: String, listPrefix: String, objectKeys: String, database: String,
                                     region: String, account: String) -> [DeclaredCall] {
        let glue = GluePermissions.Place(region: region, account: account)
        var calls = S3Permissions.bucket("GetBucketVersioning", bucket, region: region)
        calls += S3Permissions.list(bucket, prefix: listPrefix, region: region)
        calls += S3Permissions.list(bucket, prefix: listPrefix, versions: true, region: region)
        calls += S3Permissions.deleteObjects(bucket, key: objectKeys, versions: true, region: region)
        calls += S3Permissions.bucket("ListMultipartUploads", bucket, region: region)
        calls += S3Permissions.object("AbortMultipartUpload", bucket, key: objectKeys, region: region)
        for operation in ["GetTables", "BatchDeleteTable", "DeleteDatabase", "GetDatabase"] {
            calls += GluePermissions.calls(operation, database: database, in: glue)
        }
        return calls.map { $0.by("cleanup") }
    }

    /// Every run of a stack: what `cleanup --run ID` and `cleanup --stale` may send.
    public static func declaredCalls(settings: RunSettings, region: String, account: String) -> [DeclaredCall] {
        declaredCalls(bucket: settings.bucket, listPrefix: settings.root + "*", objectKeys: settings.root + "*",
                      database: settings.gluePrefix + "*", region: region, account: account)
            + LeftoverScanner.declaredCalls(settings: settings, region: region, account: account).map { $0.by("cleanup") }
    }

    /// This engine's run: the same calls with the run's own prefix and database.
    func declaredCalls(account: String) -> [DeclaredCall] {
        Self.declaredCalls(bucket: scope.bucket, listPrefix: scope.prefix, objectKeys: scope.prefix + "*", database: scope.database,
                           region: s3.client.region.name, account: account)
    }

    /// An AccessDenied as one line naming the action and resource cleanup needed; nil for any other error.
    func explainDenied(_ error: Error) -> String? {
        guard let denied = error as? AWSError, denied.kind == .accessDenied else { return nil }
        let calls = declaredCalls(account: accountId ?? "ACCOUNT").filter { $0.operation == denied.operation }
        guard let call = calls.first else { return nil }
        let actions = Set(calls.map(\.action)).sorted().joined(separator: " or ")
        return "access denied: cleanup needs \(actions) on \(call.resource) (\(denied.service) \(denied.operation) answered \(denied.code), HTTP \(denied.status)); "
            + "grant it to the CI identity (see sandbox policy --for ci) or run cleanup as one that has it"
    }
}

extension LeftoverScanner {
    /// The run-root listing (with a delimiter) and the Glue database listing.
    public static func declaredCalls(settings: RunSettings, region: String, account: String) -> [DeclaredCall] {
        S3Permissions.list(settings.bucket, prefix: settings.root, region: region)
            + GluePermissions.calls("GetDatabases", database: "*", in: GluePermissions.Place(region: region, account: account))
    }
}
