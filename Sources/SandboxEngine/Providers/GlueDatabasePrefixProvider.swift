import Foundation
import SandboxCore
import SandboxStack

/// `glue_database_prefix`: no AWS object of its own. It records the prefix per-run databases use,
/// so cleanup and the readiness check can find run databases and leftovers.
struct GlueDatabasePrefixProvider: ResourceProvider {
    let kind = ResourceKind.glueDatabasePrefix
    var hasRemoteObject: Bool { false }

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }
    func physicalId(_ attributes: Attributes) -> String? { attributes.string("prefix") }

    /// Nothing to read in AWS: the prefix exists as soon as it is recorded.
    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        attributes.string("prefix").map { ["prefix": .string($0)] }
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes { desired }
    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes { desired }
    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {}
    func importAttributes(id: String, context: ProviderContext) -> Attributes { ["prefix": .string(id)] }
}
