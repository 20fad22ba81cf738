import Foundation
import SandboxCore
import SandboxPolicy
import SandboxStack

/// Attributes of a resource: its properties after evaluation plus what AWS computed (arn, ids).
public typealias Attributes = [String: JSONValue]

/// The engine's view of one kind: read, create, update and delete on JSON `Attributes` (the state boundary).
/// Kinds do not implement this directly: they implement `KindDefinition` with typed properties, and
/// `KindAdapter` turns that into a `ResourceProvider` (one conversion, in one place).
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

    /// Completes and checks desired attributes offline, before any AWS call (derived names, cross-property rules);
    /// returns one problem per line, each naming what to change.
    func normalize(_ desired: inout Attributes, unknown: Set<String>, facts: StackFacts) -> [String]

    /// Throws, before anything is deleted, when deleting this resource must be refused (a bucket holding objects);
    /// false when the resource is already gone.
    func checkDeletable(_ attributes: Attributes, context: ProviderContext) async throws -> Bool

    /// Live attributes in the canonical form a plan fingerprints (policy documents by meaning, not by spelling).
    func canonical(_ live: Attributes) -> Attributes

    /// The Terraform/OpenTofu resource types `sandbox import --from-tfstate` maps onto this kind.
    var terraformImports: [TerraformImport] { get }
}

/// What a stack knows about where it runs, for the offline `normalize` step.
public struct StackFacts: Sendable {
    public let stackName: String
    public let accountId: String
    public let region: String

    public init(stackName: String, accountId: String, region: String) {
        self.stackName = stackName
        self.accountId = accountId
        self.region = region
    }
}

/// How one Terraform resource type becomes a resource of a kind: which Terraform attribute names the object the
/// way the kind's attribute `stackKey` does.
public struct TerraformImport: Sendable {
    public let terraformType: String
    public let stackKey: String
    public let terraformKey: String
    /// Folded into another instance's resource (a policy attachment is part of its `iam_user`).
    public let partOf: Bool
    /// A kind-specific refusal: given the Terraform instance's attributes and the stack resource's, one line
    /// saying why they do not match (nil when they do).
    public let mismatch: (@Sendable (_ terraform: [String: JSONValue], _ target: Attributes) -> String?)?

    public init(_ terraformType: String, stackKey: String, terraformKey: String, partOf: Bool = false,
                mismatch: (@Sendable (_ terraform: [String: JSONValue], _ target: Attributes) -> String?)? = nil) {
        self.terraformType = terraformType
        self.stackKey = stackKey
        self.terraformKey = terraformKey
        self.partOf = partOf
        self.mismatch = mismatch
    }
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

/// Untyped reads for the generic layers (state boundary, Terraform import); kinds use their typed properties.
extension Attributes {
    public func string(_ key: String) -> String? { self[key]?.stringValue }
    public func bool(_ key: String) -> Bool? { self[key]?.boolValue }
    public func int(_ key: String) -> Int? { self[key]?.intValue }
    public func number(_ key: String) -> Double? { self[key]?.numberValue }
    public func stringMap(_ key: String) -> [String: String] {
        (self[key]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
    public func stringList(_ key: String) -> [String] { (self[key]?.arrayValue ?? []).compactMap(\.stringValue) }
}

