import Foundation
import SandboxCore
import SandboxStack

/// `glue_database_prefix`: no AWS object of its own. It records the prefix per-run databases use,
/// so cleanup and the readiness check can find run databases and leftovers.
public struct GlueDatabasePrefixKind: KindDefinition {
    public static let schema = ResourceKind(name: "glue_database_prefix", summary: "the name prefix of per-run Glue databases", properties: [
        PropertySpec("prefix", .string, required: true, rule: .gluePrefix, "lowercase snake_case ending in _"),
    ], attributes: [], taggable: false)

    public struct Properties: Codable, Sendable, Equatable {
        public var prefix: String
    }
    public typealias Identity = Properties

    public static var hasRemoteObject: Bool { false }

    public init() {}

    public func physicalId(_ identity: Properties) -> String? { identity.prefix }

    /// Nothing to read in AWS: the prefix exists as soon as it is recorded.
    public func read(_ identity: Properties, context: ProviderContext) async throws -> Properties? { identity }
    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties { desired }
    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties { desired }
    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {}
    public func importIdentity(id: String, context: ProviderContext) -> Properties? { Properties(prefix: id) }
}
