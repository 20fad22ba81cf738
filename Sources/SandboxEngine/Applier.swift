import Foundation
import SandboxAWS
import SandboxCore
import SandboxGraph
import SandboxProviders
import SandboxState
import SandboxStack

/// Progress reports from apply and destroy; the engine never prints, the CLI renders these.
public protocol ApplyHooks: Sendable {
    func willApply(_ change: PlannedChange)
    func didApply(_ change: PlannedChange, outcome: WalkOutcome, seconds: Double)
}

/// The result of an apply: always returned, partial after failures.
public struct ApplyResult: Sendable {
    public var applied: [ResourceAddress] = []
    public var failed: [(ResourceAddress, String)] = []
    public var skipped: [(ResourceAddress, String)] = []
    public var unchanged: [ResourceAddress] = []
    public var outputs: [String: JSONValue] = [:]

    public var succeeded: Bool { failed.isEmpty && skipped.isEmpty }
}

/// A saved plan no longer matches the world.
public struct StalePlanError: SandboxError {
    public let reason: String
    public let category: FailureCategory = .state
    public init(reason: String) { self.reason = reason }
    public var userMessage: String { "the plan is stale: \(reason); run sandbox plan again" }
}

/// Resource attributes learned during an apply, shared by concurrently running steps.
actor KnownAttributes {
    private(set) var byName: [String: Attributes]
    init(_ initial: [String: Attributes]) { byName = initial }
    func set(_ name: String, _ attributes: Attributes) { byName[name] = attributes }
    func remove(_ name: String) { byName[name] = nil }
}

/// Executes a plan: walks the graph in dependency order (deletes in reverse), journals each step in state
/// before the AWS call and records the result right after, so an interrupted apply can be reconciled.
public struct Applier: Sendable {
    public let stack: Stack
    public let variables: [String: JSONValue]
    public let context: ProviderContext
    public let store: StateStore
    public let parallelism: Int
    public let deleteOptions: DeleteOptions
    public let hooks: ApplyHooks?
    public let catalogue: KindCatalogue

    public init(stack: Stack, variables: [String: JSONValue], context: ProviderContext, store: StateStore, parallelism: Int = 8,
                deleteOptions: DeleteOptions = DeleteOptions(), hooks: ApplyHooks? = nil, catalogue: KindCatalogue = .standard) {
        self.stack = stack
        self.catalogue = catalogue
        self.variables = variables
        self.context = context
        self.store = store
        self.parallelism = parallelism
        self.deleteOptions = deleteOptions
        self.hooks = hooks
    }

    /// Refuses a saved plan when state or a live resource changed since it was made.
    public func checkFresh(_ plan: Plan) async throws {
        let lineage = store.lineage
        let serial = try store.serial
        if let planned = plan.lineage, planned != lineage {
            throw StalePlanError(reason: "it was made for state lineage \(planned), this state is \(lineage)")
        }
        if plan.serial != serial {
            throw StalePlanError(reason: "state changed since the plan was made (serial \(plan.serial) -> \(serial))")
        }
        if plan.accountId != context.accountId {
            throw StalePlanError(reason: "it was made for account \(plan.accountId), the credentials are for \(context.accountId)")
        }
        guard plan.refreshed else { return }
        let records = Dictionary(try store.resources().map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        let changes = plan.changes
        let fingerprints = try await concurrentMap(changes, limit: parallelism) { change -> String in
            guard let provider = self.catalogue.provider(for: change.address.type) else { return "absent" }
            let identity = records[change.address]?.attributes ?? change.after ?? [:]
            let readIdentity = change.action == .delete ? identity : (change.after ?? identity)
            return Fingerprint.of(try await provider.read(readIdentity, context: self.context), provider: provider)
        }
        for (change, fingerprint) in zip(changes, fingerprints) where fingerprint != change.fingerprint {
            throw StalePlanError(reason: "\(change.address) changed in AWS since the plan was made")
        }
    }

    /// Refuses, before anything is deleted, a plan that deletes what its kind says must not go yet (a bucket still
    /// holding objects, unless `deleteOptions.emptyBucket`): otherwise its settings would go first and the bucket
    /// stay, unguarded.
    public func checkDeletable(_ plan: Plan) async throws {
        guard !deleteOptions.emptyBucket else { return }
        let deletes = plan.changes.filter { $0.action == .delete || $0.action == .replace }
        guard !deletes.isEmpty else { return }
        let records = Dictionary(try store.resources().map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        for change in deletes {
            guard let record = records[change.address], let provider = catalogue.provider(for: change.address.type) else { continue }
            _ = try await provider.checkDeletable(record.attributes, context: context)
        }
    }

    public func apply(_ plan: Plan) async -> ApplyResult {
        let records: [ResourceAddress: ResourceRecord]
        do {
            records = Dictionary(try store.resources().map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        } catch {
            var result = ApplyResult()
            result.failed = plan.changes.map { ($0.address, error.oneLine) }
            return result
        }
        var initial: [String: Attributes] = [:]
        for record in records.values where record.status != .pending { initial[record.address.name] = record.attributes }
        let known = KnownAttributes(initial)

        let changes = Dictionary(plan.changes.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var graph = DependencyGraph<ResourceAddress>()
        for change in plan.changes {
            graph.add(change.address)
            if change.action == .delete {
                // Delete dependents before what they depend on.
                for other in plan.changes where other.action == .delete && other.dependencies.contains(change.address) {
                    graph.addEdge(from: change.address, to: other.address)
                }
            } else {
                for dependency in change.dependencies where changes[dependency] != nil {
                    graph.addEdge(from: change.address, to: dependency)
                }
            }
        }

        let outcomes = await GraphWalk(graph: graph, parallelism: parallelism).run { address in
            guard let change = changes[address] else { return }
            let started = Date()
            self.hooks?.willApply(change)
            do {
                try await self.step(change, record: records[address], known: known)
                self.hooks?.didApply(change, outcome: .succeeded, seconds: Date().timeIntervalSince(started))
            } catch {
                self.hooks?.didApply(change, outcome: .failed(error.oneLine), seconds: Date().timeIntervalSince(started))
                throw StepFailure(message: error.oneLine)
            }
        }

        var result = ApplyResult()
        for change in plan.changes {
            switch outcomes[change.address] ?? .skipped(because: "not reached") {
            case .succeeded: change.action == .noop ? result.unchanged.append(change.address) : result.applied.append(change.address)
            case .failed(let message): result.failed.append((change.address, message))
            case .skipped(let because):
                hooks?.didApply(change, outcome: .skipped(because: because), seconds: 0)
                result.skipped.append((change.address, "\(because) failed"))
            }
        }
        if let desired = try? DesiredState.evaluate(stack, variables: variables, accountId: context.accountId, region: context.region,
                                                    providerContext: context, known: await known.byName, catalogue: catalogue) {
            result.outputs = desired.outputs(known: await known.byName)
        }
        return result
    }

    func step(_ change: PlannedChange, record: ResourceRecord?, known: KnownAttributes) async throws {
        let provider = try catalogue.require(change.address.type)
        let name = change.address.name
        switch change.action {
        case .noop:
            if let record { await known.set(name, record.attributes) }
        case .delete:
            guard let record else { return }
            try await provider.delete(record.attributes, context: context, options: deleteOptions)
            try store.remove(change.address)
            await known.remove(name)
        case .importable:
            throw SimpleError(.aws, "exists in AWS but is not managed by this state; adopt it with: sandbox import \(change.address) \(change.importId ?? "ID")")
        case .create, .update, .replace:
            let desired = try await desiredAttributes(change.address, known: known)
            if change.action == .replace, let record {
                try await provider.delete(record.attributes, context: context, options: deleteOptions)
                try store.remove(change.address)
            }
            var live: Attributes?
            if change.action == .update || change.action == .create {
                live = try await provider.read(desired, context: context)
            }
            try store.upsert(ResourceRecord(address: change.address, physicalId: provider.physicalId(desired), attributes: desired,
                                            dependencies: change.dependencies, status: record?.status == .created && change.action == .update ? .created : .pending))
            let result: Attributes
            if let live, change.action != .replace {
                result = try await provider.update(desired, live: live, context: context)
            } else {
                result = try await createOrAdopt(provider, desired)
            }
            let attributes = desired.merging(result) { _, computed in computed }
            try store.upsert(ResourceRecord(address: change.address, physicalId: provider.physicalId(attributes), attributes: attributes,
                                            dependencies: change.dependencies, status: .created))
            await known.set(name, attributes)
        }
    }

    /// Creates the resource. When the answer to a create is lost (a timeout or a reset after AWS acted), the client
    /// retries and the retry fails as "already exists": if what exists is exactly what was asked for, it is ours.
    func createOrAdopt(_ provider: any ResourceProvider, _ desired: Attributes) async throws -> Attributes {
        do {
            return try await provider.create(desired, context: context)
        } catch let error as AWSError where error.kind == .conflict {
            guard provider.hasRemoteObject, let live = try? await provider.read(desired, context: context),
                  provider.differences(desired: desired, live: live).isEmpty else { throw error }
            return desired.merging(live) { wanted, _ in wanted }
        }
    }

    func desiredAttributes(_ address: ResourceAddress, known: KnownAttributes) async throws -> Attributes {
        let desired = try DesiredState.evaluate(stack, variables: variables, accountId: context.accountId, region: context.region,
                                                providerContext: context, known: await known.byName, catalogue: catalogue)
        guard let resource = desired.resources[address] else {
            throw SimpleError(.internal, "\(address) is not in the stack")
        }
        if !resource.unknown.isEmpty {
            throw SimpleError(.usage, "\(address): cannot resolve \(resource.unknown.sorted().joined(separator: ", ")) (a dependency has no value)")
        }
        return resource.attributes
    }
}

struct StepFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
