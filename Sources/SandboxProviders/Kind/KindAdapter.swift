import Foundation
import SandboxCore
import SandboxPolicy
import SandboxStack

/// Typed values <-> JSON `Attributes`, the one conversion between a kind's structs and state.
public enum AttributeCoding {
    /// Attributes as `T`: JSON nulls count as unset.
    public static func decode<T: Decodable>(_ type: T.Type, from attributes: Attributes) throws -> T {
        try decode(type, from: .object(attributes.filter { $0.value != .null }))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    /// `value` as attributes; nil optionals are left out.
    public static func encode<T: Encodable>(_ value: T) throws -> Attributes {
        guard case .object(let attributes) = try self.value(value) else {
            throw ProviderError(String(describing: T.self), "typed properties must encode as a JSON object", category: .internal)
        }
        return attributes
    }

    public static func value<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}

/// Makes a `KindDefinition` a `ResourceProvider`: decodes attributes into the kind's typed structs (schema
/// defaults filled in first), calls the kind, and encodes the result back.
public struct KindAdapter<Kind: KindDefinition>: ResourceProvider {
    public let definition: Kind

    public init() { definition = Kind() }
    public init(_ definition: Kind) { self.definition = definition }

    public var kind: ResourceKind { Kind.schema }
    public var isStandalone: Bool { Kind.isStandalone }
    public var hasRemoteObject: Bool { Kind.hasRemoteObject }
    public var terraformImports: [TerraformImport] { Kind.terraformImports }

    /// `attributes` with the schema's default for every property they lack.
    func withDefaults(_ attributes: Attributes) -> Attributes {
        var out = attributes.filter { $0.value != .null }
        for spec in Kind.schema.properties where out[spec.name] == nil {
            if let value = spec.defaultValue { out[spec.name] = value }
        }
        return out
    }

    func properties(_ attributes: Attributes, _ purpose: String) throws -> Kind.Properties {
        do {
            return try AttributeCoding.decode(Kind.Properties.self, from: withDefaults(attributes))
        } catch {
            throw ProviderError(Kind.name, "the \(purpose) attributes do not fit the kind's properties (\(Self.describe(error))); check the state with sandbox state show", category: .internal)
        }
    }

    /// The identity, or nil when what is known does not identify an object yet.
    func identity(_ attributes: Attributes) -> Kind.Identity? {
        try? AttributeCoding.decode(Kind.Identity.self, from: withDefaults(attributes))
    }

    func encode(_ properties: Kind.Properties) throws -> Attributes { try AttributeCoding.encode(properties) }

    /// `attributes` updated with the keys `transform` changed in the decoded identity; untouched when the
    /// identity cannot be decoded.
    func rewritingIdentity(_ attributes: Attributes, _ transform: (inout Kind.Identity) -> Void) -> Attributes {
        guard var identity = identity(attributes), let before = try? AttributeCoding.encode(identity) else { return attributes }
        transform(&identity)
        guard let after = try? AttributeCoding.encode(identity) else { return attributes }
        var out = attributes
        for (key, value) in after where before[key] != value { out[key] = value }
        return out
    }

    public func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes {
        rewritingIdentity(desired) { $0 = definition.planned($0, context: context) }
    }

    public func normalize(_ desired: inout Attributes, unknown: Set<String>, facts: StackFacts) -> [String] {
        var problems: [String] = []
        desired = rewritingIdentity(desired) { problems = definition.normalize(&$0, unknown: unknown, facts: facts) }
        return problems
    }

    public func physicalId(_ attributes: Attributes) -> String? { identity(attributes).flatMap(definition.physicalId) }

    public func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let identity = identity(attributes) else { return nil }
        return try await definition.read(identity, context: context).map(encode)
    }

    public func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        try encode(try await definition.create(properties(desired, "desired"), context: context))
    }

    public func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        try encode(try await definition.update(properties(desired, "desired"), live: properties(live, "live"), context: context))
    }

    public func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        try await definition.delete(properties(attributes, "recorded"), context: context, options: options)
    }

    public func checkDeletable(_ attributes: Attributes, context: ProviderContext) async throws -> Bool {
        try await definition.checkDeletable(properties(attributes, "recorded"), context: context)
    }

    public func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        let generic = genericDifferences(desired: desired, live: live)
        guard let want = try? properties(desired, "desired"), let have = try? properties(live, "live") else { return generic }
        return definition.differences(desired: want, live: have, generic: generic)
    }

    /// Each property the stack sets (not computed attributes), compared with the live value by its type.
    func genericDifferences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for spec in Kind.schema.properties {
            guard let want = desired[spec.name], want != .null else { continue }
            let have = live[spec.name]
            if !Self.same(want, have, type: spec.type) {
                changes.append(AttributeChange(name: spec.name, old: have, new: want, forcesReplacement: spec.forceNew))
            }
        }
        return changes
    }

    /// Equal by the property's type: documents by meaning, numbers numerically, string lists as sets.
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

    /// A kind's own import identity, else the bucket for settings of a bucket and the name for everything else.
    public func importAttributes(id: String, context: ProviderContext) -> Attributes {
        if let identity = definition.importIdentity(id: id, context: context), let attributes = try? AttributeCoding.encode(identity) {
            return attributes
        }
        return Kind.schema.property("bucket") != nil ? ["bucket": .string(id)] : ["name": .string(id)]
    }

    public func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        identity(attributes).map { definition.readCalls($0, context: context) } ?? []
    }

    /// Only the keys the kind's `canonical` changed are replaced, so kinds without one fingerprint as read.
    public func canonical(_ live: Attributes) -> Attributes {
        guard let typed = try? properties(live, "live"), let before = try? encode(typed), let after = try? encode(definition.canonical(typed)) else { return live }
        var out = live
        for (key, value) in after where before[key] != value { out[key] = value }
        return out
    }

    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "\(key.stringValue) is missing"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: return error.localizedDescription
        }
    }
}
