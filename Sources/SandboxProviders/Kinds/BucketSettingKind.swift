import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// One setting of an S3 bucket (public access block, encryption, versioning, lifecycle): only what differs between
/// them. `BucketSettingKind` is the one create/update/delete skeleton they share.
public protocol BucketSetting: Sendable {
    /// What the stack sets, with `bucket` (CodingKey "bucket") naming the bucket.
    associatedtype Properties: Codable & Sendable & BucketScoped
    /// What names the setting on its bucket (the bucket, plus a rule id for a lifecycle rule).
    associatedtype Identity: Codable & Sendable & BucketScoped

    /// The kind's schema; its first property is `bucketProperty`.
    static var schema: ResourceKind { get }
    /// The S3 operation `get` sends: declared for `sandbox check` and the CI role.
    static var readOperation: String { get }
    /// The Terraform/OpenTofu type of the same setting, for `sandbox import --from-tfstate`.
    static var terraformType: String { get }

    init()

    /// The setting as configured on the bucket; nil when it is not configured. A missing bucket may throw.
    func get(_ identity: Identity, context: ProviderContext) async throws -> Properties?

    /// Writes `desired` (`live` is what `get` read, nil on create unless `readsBeforeCreate`); returns false
    /// when nothing needed writing.
    func put(_ desired: Properties, live: Properties?, context: ProviderContext) async throws -> Bool

    /// Removes the setting from the bucket.
    func remove(_ recorded: Properties, context: ProviderContext) async throws

    // MARK: Optional (defaults below)

    /// Whether create reads the setting first (a bucket's versioning always has a state). Default: false.
    static var readsBeforeCreate: Bool { get }
    func physicalId(_ identity: Identity) -> String?
    func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange]
    func normalize(_ desired: inout Identity, unknown: Set<String>, facts: StackFacts) -> [String]
    /// See `TerraformImport.mismatch`. Default: none.
    static var terraformMismatch: (@Sendable (_ terraform: [String: JSONValue], _ target: Attributes) -> String?)? { get }
}

/// A value that names its bucket.
public protocol BucketScoped {
    var bucket: String { get }
}

extension BucketSetting {
    public static var readsBeforeCreate: Bool { false }
    public func physicalId(_ identity: Identity) -> String? { identity.bucket }
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] { generic }
    public func normalize(_ desired: inout Identity, unknown: Set<String>, facts: StackFacts) -> [String] { [] }
    public static var terraformMismatch: (@Sendable (_ terraform: [String: JSONValue], _ target: Attributes) -> String?)? { nil }

    /// The property every setting starts with: the bucket it configures.
    public static var bucketProperty: PropertySpec {
        PropertySpec("bucket", .string, required: true, forceNew: true, rule: .s3Bucket, "name of the bucket, usually ${bucket.name}")
    }
}

/// The kind of a bucket setting: read, create, update and delete written once for all four.
public struct BucketSettingKind<Setting: BucketSetting>: KindDefinition {
    public typealias Properties = Setting.Properties
    public typealias Identity = Setting.Identity

    public static var schema: ResourceKind { Setting.schema }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport(Setting.terraformType, stackKey: "bucket", terraformKey: "bucket", mismatch: Setting.terraformMismatch)]
    }

    public let setting: Setting

    public init() { setting = Setting() }

    public func physicalId(_ identity: Identity) -> String? { setting.physicalId(identity) }

    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        S3Permissions.bucket(Setting.readOperation, identity.bucket, region: context.region)
    }

    public func normalize(_ desired: inout Identity, unknown: Set<String>, facts: StackFacts) -> [String] {
        setting.normalize(&desired, unknown: unknown, facts: facts)
    }

    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        setting.differences(desired: desired, live: live, generic: generic)
    }

    /// Nil when the setting is not configured or the bucket itself is gone.
    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        do { return try await setting.get(identity, context: context) } catch where Self.isMissingBucket(error) { return nil }
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        let live = Setting.readsBeforeCreate ? try await read(identity(desired), context: context) : nil
        return try await write(desired, live: live, context: context)
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        try await write(desired, live: live, context: context)
    }

    /// Puts the setting, then reads back until S3 shows it (eventual consistency).
    func write(_ desired: Properties, live: Properties?, context: ProviderContext) async throws -> Properties {
        if try await setting.put(desired, live: live, context: context) {
            try await awaitMatch(desired, identity: identity(desired), context: context)
        }
        return desired
    }

    /// Already gone (the bucket, or the setting) is not an error.
    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        do { try await setting.remove(recorded, context: context) } catch where Self.isMissingBucket(error) || (error as? AWSError)?.kind == .notFound {}
    }

    func identity(_ properties: Properties) throws -> Identity {
        try AttributeCoding.decode(Identity.self, from: AttributeCoding.encode(properties))
    }

    /// True for the errors that mean "the bucket itself is gone".
    static func isMissingBucket(_ error: Error) -> Bool {
        (error as? AWSError)?.code == "NoSuchBucket"
    }
}

/// The identity of a setting that is one per bucket.
public struct BucketName: Codable, Sendable, BucketScoped {
    public var bucket: String
    public init(bucket: String) { self.bucket = bucket }
}
