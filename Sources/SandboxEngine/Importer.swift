import Foundation
import SandboxCore
import SandboxProviders
import SandboxState

/// Adopts a resource that already exists in AWS into state (`sandbox import`).
public struct Importer: Sendable {
    public let context: ProviderContext
    public let store: StateStore
    public let catalogue: KindCatalogue

    public init(context: ProviderContext, store: StateStore, catalogue: KindCatalogue = .standard) {
        self.context = context
        self.catalogue = catalogue
        self.store = store
    }

    public func adopt(_ resource: DesiredResource, id: String) async throws -> ResourceRecord {
        let record = try await read(resource, id: id)
        _ = try store.upsert(record)
        return record
    }

    /// Reads the resource `id` names live and returns the record adoption would write; writes nothing.
    public func read(_ resource: DesiredResource, id: String) async throws -> ResourceRecord {
        let provider = try catalogue.require(resource.address.type)
        try refuseManaged(resource.address)
        let identity = resource.attributes.merging(provider.importAttributes(id: id, context: context)) { _, imported in imported }
        guard let live = try await provider.read(identity, context: context) else {
            throw SimpleError(.aws, "\(resource.address): no \(resource.address.type) with id \(id) exists in account \(context.accountId) (\(context.region))")
        }
        let attributes = provider.plannedAttributes(identity, context: context).merging(live) { _, read in read }
        return ResourceRecord(address: resource.address, physicalId: provider.physicalId(attributes), attributes: attributes,
                              dependencies: resource.dependencies, status: .created)
    }

    func refuseManaged(_ address: ResourceAddress) throws {
        if let existing = try store.resource(address), existing.status == .created {
            throw SimpleError(.usage, "\(address) is already managed (\(existing.physicalId ?? "?")); run sandbox state show \(address)")
        }
    }
}
