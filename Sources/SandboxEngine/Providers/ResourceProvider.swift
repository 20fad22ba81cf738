import Foundation
import SandboxCore
import SandboxPolicy
import SandboxStack

/// Attributes of a resource: its properties after evaluation plus what AWS computed (arn, ids).
public typealias Attributes = [String: JSONValue]

/// Reads, creates, updates and deletes one kind of resource. One implementation per kind, one file each.
public protocol ResourceProvider: Sendable {
    var kind: ResourceKind { get }

    /// Attributes known before the resource exists (names, ARNs built from account and region).
    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes

    /// The physical id that identifies the resource in AWS.
    func physicalId(_ attributes: Attributes) -> String?

    /// Reads the live resource named by `attributes`; nil when it does not exist.
    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes?

    /// Creates the resource and returns its attributes.
    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes

    /// Changes the live resource in place to match `desired`.
    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes

    /// Deletes the resource; a resource already gone is not an error.
    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws

    /// Which attributes differ between what the stack wants and what exists.
    func differences(desired: Attributes, live: Attributes) -> [AttributeChange]

    /// Attributes for `sandbox import ADDRESS ID`: the identity an id names.
    func importAttributes(id: String, context: ProviderContext) -> Attributes

    /// True when a live resource with this identity exists outside state and `create` would collide with it.
    var isStandalone: Bool { get }

    /// False for resources that exist only in state (the Glue database prefix): nothing in AWS to find.
    var hasRemoteObject: Bool { get }

    /// The IAM authorizations `read` needs (what `sandbox check` sends for this resource).
    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall]
}

/// Options that change how destroy behaves.
public struct DeleteOptions: Sendable {
    public var emptyBucket: Bool
    public init(emptyBucket: Bool = false) { self.emptyBucket = emptyBucket }
}

/// One attribute that differs.
public struct AttributeChange: Sendable, Codable, Equatable {
    public let name: String
    public let old: JSONValue?
    public let new: JSONValue?
    /// Changing it requires replacing the resource.
    public let forcesReplacement: Bool

    public init(name: String, old: JSONValue?, new: JSONValue?, forcesReplacement: Bool = false) {
        self.name = name
        self.old = old
        self.new = new
        self.forcesReplacement = forcesReplacement
    }
}

extension ResourceProvider {
    public var isStandalone: Bool { false }
    public var hasRemoteObject: Bool { true }
    public func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] { [] }

    /// Compares the properties the stack sets (not computed attributes) with the live values.
    public func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for spec in kind.properties {
            guard let want = desired[spec.name], want != .null else { continue }
            let have = live[spec.name]
            if !Self.same(want, have, type: spec.type) {
                changes.append(AttributeChange(name: spec.name, old: have, new: want, forcesReplacement: spec.forceNew))
            }
        }
        return changes
    }

    /// Reads back after a write until the live resource matches `desired` (AWS is eventually consistent);
    /// bounded by the context's policy, and no wait at all when the first read already matches.
    func awaitMatch(_ desired: Attributes, identity: Attributes, context: ProviderContext) async throws {
        _ = try await context.consistency.poll({ try await read(identity, context: context) }, until: { live in
            guard let live else { return false }
            return differences(desired: desired, live: live).isEmpty
        })
    }

    static func same(_ a: JSONValue, _ b: JSONValue?, type: PropertyType) -> Bool {
        guard let b else { return false }
        switch type {
        case .document: return PolicyDocument.equivalent(a, b)
        case .number, .integer: return a.numberValue.flatMap { x in b.numberValue.map { abs(x - $0) < 0.000_001 } } ?? (a == b)
        case .stringList:
            return Set((a.arrayValue ?? []).map(\.description)) == Set((b.arrayValue ?? []).map(\.description))
        default: return a == b
        }
    }

    /// Bucket settings are named by their bucket; everything else by its name.
    public func importAttributes(id: String, context: ProviderContext) -> Attributes {
        kind.property("bucket") != nil ? ["bucket": .string(id)] : ["name": .string(id)]
    }
}

/// A provider failure with the resource named.
public struct ProviderError: SandboxError {
    public let address: String
    public let message: String
    public let category: FailureCategory

    public init(_ address: String, _ message: String, category: FailureCategory = .aws) {
        self.address = address
        self.message = message
        self.category = category
    }

    public var userMessage: String { "\(address): \(message)" }
}

extension Attributes {
    func string(_ key: String) -> String? { self[key]?.stringValue }
    func bool(_ key: String) -> Bool? { self[key]?.boolValue }
    func int(_ key: String) -> Int? { self[key]?.intValue }
    func number(_ key: String) -> Double? { self[key]?.numberValue }
    func stringMap(_ key: String) -> [String: String] {
        (self[key]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
    func stringList(_ key: String) -> [String] { (self[key]?.arrayValue ?? []).compactMap(\.stringValue) }
}

/// Providers by kind name.
public enum ProviderRegistry {
    public static let all: [String: ResourceProvider] = {
        let providers: [ResourceProvider] = [
            S3BucketProvider(), PublicAccessBlockProvider(), BucketEncryptionProvider(), BucketVersioningProvider(),
            BucketLifecycleProvider(), IAMPolicyProvider(), IAMUserProvider(), OpenIDConnectProviderProvider(), IAMRoleProvider(),
            RolePolicyAttachmentProvider(), BudgetProvider(), GlueDatabasePrefixProvider(),
        ]
        return Dictionary(uniqueKeysWithValues: providers.map { ($0.kind.name, $0) })
    }()

    public static func provider(for kind: String) -> ResourceProvider? { all[kind] }
}
