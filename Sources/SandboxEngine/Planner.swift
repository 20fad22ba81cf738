import Foundation
import SandboxCore
import SandboxProviders
import SandboxState
import SandboxStack

/// Compares what the stack wants, what state recorded and what is live, and decides an action per resource.
/// Reads once, in parallel, never polling: a plan is a snapshot.
public struct Planner: Sendable {
    public let desired: DesiredState
    public let records: [ResourceRecord]
    public let context: ProviderContext
    public let parallelism: Int
    public let refresh: Bool
    public let catalogue: KindCatalogue

    public init(desired: DesiredState, records: [ResourceRecord], context: ProviderContext, parallelism: Int = 8, refresh: Bool = true,
                catalogue: KindCatalogue = .standard) {
        self.desired = desired
        self.catalogue = catalogue
        self.records = records
        self.context = context
        self.parallelism = parallelism
        self.refresh = refresh
    }

    /// What was read live for each address (nil: absent), plus the changes decided.
    public func changes() async throws -> [PlannedChange] {
        let recorded = Dictionary(records.map { ($0.address, $0) }, uniquingKeysWith: { a, _ in a })
        var live: [ResourceAddress: Attributes?] = [:]

        // Wave 1: resources that stand alone (buckets, policies, budgets). Wave 2: settings on them,
        // skipped when their parent is about to be created (they cannot exist yet).
        let desiredList = desired.order.compactMap { name in desired.stack.resource(named: name).flatMap { desired.resources[$0.address] } }
        let first = desiredList.filter { $0.dependencies.isEmpty || catalogue.provider(for: $0.address.type)?.isStandalone == true }
        let second = desiredList.filter { item in !first.contains { $0.address == item.address } }
        for (address, value) in try await read(first, recorded: recorded) { live[address] = value }
        let missing = Set(live.filter { $0.value == nil }.map(\.key))
        let readable = second.filter { Set($0.dependencies).isDisjoint(with: missing) }
        for item in second where !readable.contains(where: { $0.address == item.address }) { live[item.address] = .some(nil) }
        for (address, value) in try await read(readable, recorded: recorded) { live[address] = value }

        var changes: [PlannedChange] = []
        for item in desiredList {
            let provider = try self.provider(item.address)
            let record = recorded[item.address]
            let current = live[item.address] ?? nil
            changes.append(decide(item, provider: provider, record: record, live: current))
        }

        // Resources in state but gone from the stack: delete them, reverse dependencies first.
        let orphans = records.filter { desired.resources[$0.address] == nil }.sorted { $0.address < $1.address }
        let orphanLive = try await concurrentMap(orphans, limit: parallelism) { record -> Attributes? in
            guard self.refresh, let provider = self.catalogue.provider(for: record.address.type) else { return record.attributes }
            return try await provider.read(record.attributes, context: self.context)
        }
        for (record, current) in zip(orphans, orphanLive) {
            changes.append(PlannedChange(address: record.address, action: .delete,
                                         reason: current == nil ? "gone from the stack (already absent in AWS)" : "gone from the stack",
                                         changes: [], drift: [], after: nil, unknownAfter: [],
                                         fingerprint: Fingerprint.of(current, provider: catalogue.provider(for: record.address.type)),
                                         dependencies: record.dependencies, importId: nil))
        }
        return changes
    }

    private func provider(_ address: ResourceAddress) throws -> any ResourceProvider {
        try catalogue.require(address.type)
    }

    private func read(_ items: [DesiredResource], recorded: [ResourceAddress: ResourceRecord]) async throws -> [(ResourceAddress, Attributes?)] {
        try await concurrentMap(items, limit: parallelism) { item -> (ResourceAddress, Attributes?) in
            let provider = try self.provider(item.address)
            let record = recorded[item.address]
            guard self.refresh else { return (item.address, record?.attributes) }
            // Read what state knows when the desired identity depends on unknown values.
            let identity = item.unknown.isEmpty || record == nil ? item.attributes : record?.attributes ?? item.attributes
            return (item.address, try await provider.read(identity, context: self.context))
        }
    }

    func decide(_ item: DesiredResource, provider: any ResourceProvider, record: ResourceRecord?, live: Attributes?) -> PlannedChange {
        let fingerprint = Fingerprint.of(live, provider: provider)
        let unknown = item.unknown.sorted()
        func change(_ action: PlanAction, _ reason: String?, _ changes: [AttributeChange] = [], drift: [AttributeChange] = [], importId: String? = nil) -> PlannedChange {
            PlannedChange(address: item.address, action: action, reason: reason, changes: changes, drift: drift, after: item.attributes,
                          unknownAfter: unknown, fingerprint: fingerprint, dependencies: item.dependencies, importId: importId)
        }
        guard let record else {
            guard let live, provider.hasRemoteObject else { return change(.create, nil) }
            if provider.isStandalone {
                return change(.importable, "exists in AWS but is not managed by this state", importId: provider.physicalId(live))
            }
            let diffs = provider.differences(desired: item.attributes, live: live)
            return diffs.isEmpty ? change(.create, "already configured in AWS; will be recorded") : change(.create, nil, diffs)
        }
        let wantId = provider.physicalId(item.attributes)
        let hadId = provider.physicalId(record.attributes)
        if let wantId, let hadId, wantId != hadId, item.unknown.isEmpty {
            let diffs = provider.differences(desired: item.attributes, live: record.attributes).filter(\.forcesReplacement)
            return change(.replace, "\(diffs.map(\.name).joined(separator: ", ")) cannot change in place (\(hadId) -> \(wantId))", diffs)
        }
        guard let live else {
            return change(.create, record.status == .pending ? "an interrupted apply never finished creating it" : "deleted outside sandbox",
                          drift: [AttributeChange(name: "exists", old: .bool(false), new: .bool(true))])  // drift: old is live, new is recorded
        }
        let drift = record.status == .pending ? [] : provider.differences(desired: record.attributes, live: live)
        let diffs = provider.differences(desired: item.attributes, live: live)
        if diffs.contains(where: \.forcesReplacement) {
            return change(.replace, "\(diffs.filter(\.forcesReplacement).map(\.name).joined(separator: ", ")) cannot change in place", diffs, drift: drift)
        }
        if !diffs.isEmpty { return change(.update, drift.isEmpty ? nil : "changed outside sandbox", diffs, drift: drift) }
        if record.status == .pending { return change(.update, "an interrupted apply created it; will be recorded") }
        return change(.noop, nil, drift: drift)
    }
}

extension Planner {
    /// Makes a complete plan bound to the state's lineage and serial.
    public func plan(stack: Stack, lineage: String?, serial: Int, variables: [String: JSONValue], sandboxVersion: String, now: Date) async throws -> Plan {
        Plan(formatVersion: Plan.formatVersion, sandboxVersion: sandboxVersion, stackFile: stack.file, stackSHA256: stack.sha256,
             stackName: stack.name, lineage: lineage, serial: serial, accountId: context.accountId, region: context.region, createdAt: now,
             variables: variables, changes: try await changes(), refreshed: refresh)
    }

    /// A plan that deletes everything state records, dependents first.
    public static func destroyPlan(stack: Stack, records: [ResourceRecord], context: ProviderContext, lineage: String?, serial: Int,
                                   variables: [String: JSONValue], sandboxVersion: String, now: Date, parallelism: Int = 8,
                                   catalogue: KindCatalogue = .standard) async throws -> Plan {
        let live = try await concurrentMap(records, limit: parallelism) { record -> Attributes? in
            guard let provider = catalogue.provider(for: record.address.type) else { return nil }
            return try await provider.read(record.attributes, context: context)
        }
        let changes = zip(records, live).map { record, current in
            PlannedChange(address: record.address, action: .delete, reason: current == nil ? "already absent in AWS" : nil, changes: [], drift: [],
                          after: nil, unknownAfter: [], fingerprint: Fingerprint.of(current, provider: catalogue.provider(for: record.address.type)),
                          dependencies: record.dependencies, importId: nil)
        }
        return Plan(formatVersion: Plan.formatVersion, sandboxVersion: sandboxVersion, stackFile: stack.file, stackSHA256: stack.sha256,
                    stackName: stack.name, lineage: lineage, serial: serial, accountId: context.accountId, region: context.region, createdAt: now,
                    variables: variables, changes: changes.sorted { $0.address < $1.address }, refreshed: true)
    }
}
