import Foundation
import SandboxCore
import SandboxPolicy
import SandboxStack

/// A resource kind, defined in one file: its schema, its typed properties and its read/create/update/delete.
///
/// To add a kind, write one `XxxKind.swift` in `Sources/SandboxProviders/Kinds/` conforming to this protocol and
/// add one line `KindAdapter<XxxKind>()` to `KindCatalogue.standard` (`Sources/SandboxProviders/Catalogue.swift`).
/// Nothing else names the kind: the stack parser, `sandbox schema`, the planner, the applier, import, the
/// Terraform state import and `sandbox check` all find it through the catalogue.
///
/// Conversion between JSON `Attributes` (state, plans) and the typed structs happens once, in `KindAdapter`:
/// - `Properties` is decoded from desired or recorded attributes after the schema's defaults were filled in for
///   missing keys, so a property with a default can be a non-optional field and the default is written only in
///   the schema (`PropertySpec(..., default: ...)`).
/// - `Identity` is decoded the same way from whatever is known (it may lack properties that are not known yet);
///   when it cannot be decoded the resource cannot be identified and `read` is not called (it counts as absent).
/// - Field names map to schema property names through explicit `CodingKeys` (snake_case), because the encoder's
///   key strategies would also rewrite the keys of tag maps.
/// - A `nil` optional is "not set": it is left out of the attributes, never written as JSON null.
public protocol KindDefinition: Sendable {
    /// Everything the stack sets plus what AWS computes (ARNs, ids): what state records for the resource.
    associatedtype Properties: Codable & Sendable
    /// What names the live object (a bucket name, a policy ARN), plus whatever `planned` derives before it exists.
    associatedtype Identity: Codable & Sendable

    /// The kind's type name, properties (types, defaults, validation rules, documentation) and referenceable
    /// attributes: what `sandbox validate`, `sandbox schema` and the README's resource table show.
    static var schema: ResourceKind { get }

    init()

    /// Reads the live object `identity` names; nil when it does not exist (not found is not an error).
    func read(_ identity: Identity, context: ProviderContext) async throws -> Properties?

    /// Creates the object and returns what it is now (computed attributes filled in).
    func create(_ desired: Properties, context: ProviderContext) async throws -> Properties

    /// Changes the live object in place to match `desired`.
    func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties

    /// Deletes the object; an object already gone is not an error.
    func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws

    /// The physical id that identifies the object in AWS (shown in state and `sandbox import`).
    func physicalId(_ identity: Identity) -> String?

    // MARK: Optional requirements (defaults in the extension below)

    /// Fills in what is known before the object exists (an ARN built from account and region). Default: unchanged.
    func planned(_ identity: Identity, context: ProviderContext) -> Identity

    /// Offline completion and cross-property checks of the desired identity, before any AWS call (a derived
    /// default name, "aws:kms needs kms_key_id"). `unknown` names properties whose value is not known yet.
    /// Returns one problem per line, each saying what to change. Default: none.
    func normalize(_ desired: inout Identity, unknown: Set<String>, facts: StackFacts) -> [String]

    /// How the desired and live properties differ. `generic` is the schema-driven comparison (each property the
    /// stack sets, compared by type: documents by meaning, numbers numerically, string lists as sets); a kind
    /// adds, drops or replaces entries. Default: `generic`.
    func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange]

    /// The identity `sandbox import ADDRESS ID` reads. Default (nil): `{"bucket": id}` for kinds with a
    /// `bucket` property, else `{"name": id}`.
    func importIdentity(id: String, context: ProviderContext) -> Identity?

    /// The IAM authorizations `read` needs: what `sandbox check` sends and the CI role must allow. Default: none.
    func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall]

    /// Throws (one line, saying how to proceed) when deleting `recorded` must be refused before anything in the
    /// plan is deleted; false when the object is already gone. Default: true.
    func checkDeletable(_ recorded: Properties, context: ProviderContext) async throws -> Bool

    /// Live properties in canonical form for plan fingerprints (policy documents by meaning). Default: unchanged.
    func canonical(_ live: Properties) -> Properties

    /// True when a live object with this identity can exist outside state, so that `create` would collide with
    /// it (the plan then says "importable"). Default: false (settings that belong to another resource).
    static var isStandalone: Bool { get }

    /// False for kinds that exist only in state (the Glue database prefix): nothing in AWS to read. Default: true.
    static var hasRemoteObject: Bool { get }

    /// The Terraform/OpenTofu types `sandbox import --from-tfstate` maps onto this kind. Default: none.
    static var terraformImports: [TerraformImport] { get }
}

extension KindDefinition {
    public func planned(_ identity: Identity, context: ProviderContext) -> Identity { identity }
    public func normalize(_ desired: inout Identity, unknown: Set<String>, facts: StackFacts) -> [String] { [] }
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] { generic }
    public func importIdentity(id: String, context: ProviderContext) -> Identity? { nil }
    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] { [] }
    public func checkDeletable(_ recorded: Properties, context: ProviderContext) async throws -> Bool { true }
    public func canonical(_ live: Properties) -> Properties { live }
    public static var isStandalone: Bool { false }
    public static var hasRemoteObject: Bool { true }
    public static var terraformImports: [TerraformImport] { [] }

    /// The kind's type name, as stacks write it after `type:`.
    public static var name: String { schema.name }

    /// `value`, or the schema's default for `property` when it is nil: for the fields a live read may leave
    /// unset (so they are optional) but a write needs. Throws when the schema has no default either.
    public static func resolved<T: Decodable>(_ value: T?, _ property: String) throws -> T {
        if let value { return value }
        guard let fallback = schema.property(property)?.defaultValue, let decoded = try? AttributeCoding.decode(T.self, from: fallback) else {
            throw ProviderError(name, "\(property) has no value and the schema no default", category: .internal)
        }
        return decoded
    }

    /// How `desired` and `live` differ, as the engine sees it (the generic comparison plus the kind's rules).
    public func changes(desired: Properties, live: Properties) throws -> [AttributeChange] {
        try KindAdapter<Self>(self).differences(desired: AttributeCoding.encode(desired), live: AttributeCoding.encode(live))
    }

    /// Reads back after a write until the live object matches `desired` (AWS is eventually consistent);
    /// bounded by the context's policy, and no wait at all when the first read already matches.
    public func awaitMatch(_ desired: Properties, identity: Identity, context: ProviderContext) async throws {
        let adapter = KindAdapter<Self>(self)
        let want = try AttributeCoding.encode(desired)
        _ = try await context.consistency.poll({ try await read(identity, context: context) }, until: { live in
            guard let live, let have = try? AttributeCoding.encode(live) else { return false }
            return adapter.differences(desired: want, live: have).isEmpty
        })
    }

    /// Polls until the object reads back at all (create on an eventually consistent API); returns what was read.
    @discardableResult
    public func awaitExists(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        try await context.consistency.poll({ try await read(identity, context: context) }, until: { $0 != nil }).value
    }

    /// A change entry for `property`, from typed values.
    public static func change<T: Encodable>(_ property: String, old: T?, new: T?) -> AttributeChange {
        AttributeChange(name: property, old: old.flatMap { try? AttributeCoding.value($0) }, new: new.flatMap { try? AttributeCoding.value($0) },
                        forcesReplacement: schema.property(property)?.forceNew ?? false)
    }
}
