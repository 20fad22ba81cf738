import Foundation
import SandboxCore
import SandboxServices
import SandboxStack

/// `s3_bucket_versioning`: Disabled means "never turned on"; a bucket once versioned can only be Suspended.
public typealias BucketVersioningKind = BucketSettingKind<BucketVersioningSetting>

public struct BucketVersioningSetting: BucketSetting {
    public static let schema = ResourceKind(name: "s3_bucket_versioning", summary: "the bucket's versioning", properties: [
        bucketProperty,
        PropertySpec("status", .oneOf(Status.allCases.map(\.rawValue)), default: .string(Status.disabled.rawValue), "Disabled, Enabled or Suspended"),
    ], attributes: [], taggable: false)
    public static let readOperation = "GetBucketVersioning"
    public static let terraformType = "aws_s3_bucket_versioning"
    /// A bucket always has a versioning state: create compares before writing.
    public static var readsBeforeCreate: Bool { true }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case disabled = "Disabled"
        case enabled = "Enabled"
        case suspended = "Suspended"
    }

    public struct Properties: Codable, Sendable, Equatable, BucketScoped {
        public var bucket: String
        public var status: Status
    }
    public typealias Identity = BucketName

    public init() {}

    public func get(_ identity: BucketName, context: ProviderContext) async throws -> Properties? {
        let status: Status
        switch try await context.s3.getBucketVersioning(identity.bucket) {
        case .unversioned: status = .disabled
        case .enabled: status = .enabled
        case .suspended: status = .suspended
        }
        return Properties(bucket: identity.bucket, status: status)
    }

    /// Suspended is as close to Disabled as a once-versioned bucket can get.
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        if desired.status == live.status || (desired.status == .disabled && live.status == .suspended) { return [] }
        return [BucketVersioningKind.change("status", old: live.status, new: desired.status)]
    }

    public func put(_ desired: Properties, live: Properties?, context: ProviderContext) async throws -> Bool {
        let have = live ?? Properties(bucket: desired.bucket, status: .disabled)
        if differences(desired: desired, live: have, generic: []).isEmpty { return false }
        if desired.status == .disabled && have.status == .disabled { return false }
        try await context.s3.putBucketVersioning(desired.bucket, desired.status == .enabled ? .enabled : .suspended)
        return true
    }

    /// Versioning cannot be removed, only suspended; a bucket never versioned is left as it is.
    public func remove(_ recorded: Properties, context: ProviderContext) async throws {
        guard recorded.status == .enabled else { return }
        try await context.s3.putBucketVersioning(recorded.bucket, .suspended)
    }
}
