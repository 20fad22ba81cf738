// The engine's users (CLI, check) see the kinds, their catalogue and `ProviderContext` through the engine.
@_exported import SandboxProviders
import SandboxStack

/// Kinds by type name, as before the catalogue; kept so code written against it still compiles.
@available(*, deprecated, message: "use KindCatalogue.standard.provider(for:)")
public enum ProviderRegistry {
    public static func provider(for kind: String) -> (any ResourceProvider)? { KindCatalogue.standard.provider(for: kind) }
}

/// The schemas by the names they had as statics of `ResourceKind`, for code written before the catalogue
/// (the readiness checks); new code asks the kind (`BudgetKind.name`) or the catalogue.
extension ResourceKind {
    @available(*, deprecated, message: "use S3BucketKind.schema")
    public static var s3Bucket: ResourceKind { S3BucketKind.schema }
    @available(*, deprecated, message: "use PublicAccessBlockKind.schema")
    public static var s3PublicAccessBlock: ResourceKind { PublicAccessBlockKind.schema }
    @available(*, deprecated, message: "use BucketLifecycleKind.schema")
    public static var s3BucketLifecycle: ResourceKind { BucketLifecycleKind.schema }
    @available(*, deprecated, message: "use BudgetKind.schema")
    public static var budget: ResourceKind { BudgetKind.schema }
    @available(*, deprecated, message: "use KindCatalogue.standard.schemas")
    public static var all: [ResourceKind] { KindCatalogue.standard.schemas }
}
