import Foundation
import SandboxCore
import SandboxProviders
import SandboxState
import SandboxStack

/// One managed resource instance of a Terraform/OpenTofu state (`aws_s3_bucket.provider_tests`, `aws_iam_user.x[0]`).
public struct TerraformInstance: Sendable {
    public let type: String
    /// The address as Terraform prints it, module and index included.
    public let address: String
    public let attributes: [String: JSONValue]

    func string(_ key: String) -> String? {
        guard let text = attributes[key]?.stringValue, !text.isEmpty else { return nil }
        return text
    }
}

/// A Terraform/OpenTofu state file (format version 4), reduced to what adoption needs.
public struct TerraformState: Sendable {
    public static let formatVersion = 4
    public let source: String
    public let terraformVersion: String?
    public let instances: [TerraformInstance]

    /// Parses the state's JSON; refuses anything that is not a version 4 state with one line naming the file.
    public static func parse(_ data: Data, source: String) throws -> TerraformState {
        guard let root = JSONValue.parse(String(decoding: data, as: UTF8.self))?.objectValue else {
            throw SimpleError(.usage, "\(source) is not a Terraform state: not a JSON object; pass the terraform.tfstate file (or `tofu state pull > FILE`)")
        }
        guard let version = root["version"]?.intValue else {
            throw SimpleError(.usage, "\(source) is not a Terraform state: it has no format version; pass the terraform.tfstate file (or `tofu state pull > FILE`)")
        }
        guard version == formatVersion else {
            let hint = version > formatVersion ? "it is newer than this sandbox reads" : "upgrade it with `terraform apply -refresh-only` on Terraform 0.12 or later"
            throw SimpleError(.usage, "\(source) has state format version \(version); sandbox reads version \(formatVersion) only (\(hint))")
        }
        guard let resources = root["resources"]?.arrayValue else {
            throw SimpleError(.usage, "\(source) is not a Terraform state: it has no resources list")
        }
        var instances: [TerraformInstance] = []
        for (position, item) in resources.enumerated() {
            guard let resource = item.objectValue, let type = resource["type"]?.stringValue, let name = resource["name"]?.stringValue,
                  let list = resource["instances"]?.arrayValue else {
                throw SimpleError(.usage, "\(source): resources[\(position)] lacks type, name or instances; the file is damaged")
            }
            // Data sources are reads, not objects anyone owns.
            guard resource["mode"]?.stringValue ?? "managed" == "managed" else { continue }
            let module = resource["module"]?.stringValue.map { "\($0)." } ?? ""
            for instance in list {
                guard let attributes = instance.objectValue?["attributes"]?.objectValue else {
                    throw SimpleError(.usage, "\(source): \(module)\(type).\(name) has an instance without attributes; the file is damaged")
                }
                let index: String
                switch instance.objectValue?["index_key"] {
                case .number(let n)?: index = "[\(Int(n))]"
                case .string(let key)?: index = "[\"\(key)\"]"
                default: index = ""
                }
                instances.append(TerraformInstance(type: type, address: "\(module)\(type).\(name)\(index)", attributes: attributes))
            }
        }
        return TerraformState(source: source, terraformVersion: root["terraform_version"]?.stringValue, instances: instances)
    }

    /// The account the state's resources live in, read from their ARNs and account ids (nil when none says).
    public func accounts() -> [String: String] {
        var found: [String: String] = [:]
        for instance in instances {
            for key in ["arn", "account_id", "policy_arn"] {
                guard let text = instance.string(key) else { continue }
                let account = key == "account_id" ? text : text.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init) ?? ""
                if account.count == 12, account.allSatisfy(\.isNumber), found[account] == nil { found[account] = instance.address }
            }
        }
        return found
    }
}

/// One line of the mapping: a Terraform instance and the stack address it becomes.
public struct TerraformMappingEntry: Sendable {
    public let terraformAddress: String
    public let address: ResourceAddress
    /// The id `sandbox import ADDRESS ID` would take (bucket name, policy ARN, user or budget name).
    public let id: String
    /// True for instances folded into another one's resource (policy attachments).
    public let partOf: Bool
}

/// The whole mapping of a state onto a stack, decided before anything is read or written.
public struct TerraformMapping: Sendable {
    public let entries: [TerraformMappingEntry]
    /// Stack resources with no AWS object (the Glue prefix), recorded from the stack as they are.
    public let stateOnly: [ResourceAddress]
    /// Stack resources the state does not hold; `plan` will create them.
    public let missing: [ResourceAddress]

    /// Maps every managed instance by type, then by the name or ARN the stack gives it; refuses (one line, naming
    /// the instance) a type sandbox does not know, an instance the stack has no place for, or two for one address.
    public static func build(_ state: TerraformState, desired: DesiredState, accountId: String, allowedAccountIds: [String],
                             catalogue: KindCatalogue = .standard) throws -> TerraformMapping {
        for (account, address) in state.accounts().sorted(by: { $0.key < $1.key }) where account != accountId || (!allowedAccountIds.isEmpty && !allowedAccountIds.contains(account)) {
            let allowed = allowedAccountIds.isEmpty ? "" : "; the stack allows \(allowedAccountIds.joined(separator: ", "))"
            throw SimpleError(.credentials, "\(state.source) belongs to account \(account) (\(address)), not the current account \(accountId)\(allowed); nothing was imported, use credentials for account \(account) or the state of this account")
        }
        var entries: [TerraformMappingEntry] = []
        var owner: [ResourceAddress: String] = [:]
        let known = catalogue.terraformTypes.joined(separator: ", ")
        for instance in state.instances {
            guard let (provider, mapping) = catalogue.terraformImport(for: instance.type) else {
                throw SimpleError(.usage, "\(state.source): \(instance.address) has type \(instance.type), which sandbox does not import (it maps \(known)); nothing was imported, remove it from the state (`tofu state rm \(instance.address)`) or manage it elsewhere")
            }
            guard let id = instance.string(mapping.terraformKey) else {
                throw SimpleError(.usage, "\(state.source): \(instance.address) has no \(mapping.terraformKey); the file is damaged")
            }
            let kind = provider.kind.name
            let candidates = desired.resources.values.filter { $0.address.type == kind }.sorted { $0.address < $1.address }
            guard !candidates.isEmpty else {
                let disabled = desired.stack.resources.filter { $0.kind.name == kind && desired.resources[$0.address] == nil }.map(\.address.description)
                let why = disabled.isEmpty ? "the stack declares no \(kind)" : "\(disabled.joined(separator: ", ")) is disabled (enabled is false)"
                throw SimpleError(.usage, "\(state.source): \(instance.address) (\(id)) maps to no resource of \(desired.stack.file): \(why); nothing was imported")
            }
            let byName = candidates.filter { $0.attributes.string(mapping.stackKey) == id }
            guard let target = byName.first ?? (candidates.count == 1 ? candidates.first : nil) else {
                let names = candidates.map { "\($0.address) (\($0.attributes.string(mapping.stackKey) ?? "?"))" }.joined(separator: ", ")
                throw SimpleError(.usage, "\(state.source): \(instance.address) (\(id)) matches none of \(names) by \(mapping.stackKey); nothing was imported, set the stack's variables so one of them is named \(id)")
            }
            guard target.attributes.string(mapping.stackKey) == id else {
                throw SimpleError(.usage, "\(state.source): \(instance.address) is \(id) but the stack names \(target.address) \(target.attributes.string(mapping.stackKey) ?? "?"); nothing was imported, set the stack's variables (name_prefix, s3_bucket_name) so the names agree")
            }
            if !mapping.partOf {
                if let other = owner[target.address] {
                    throw SimpleError(.usage, "\(state.source): \(other) and \(instance.address) both map to \(target.address); the mapping is ambiguous and nothing was imported, remove one from the state first")
                }
                owner[target.address] = instance.address
            }
            if let mismatch = mapping.mismatch?(instance.attributes, target.attributes) {
                throw SimpleError(.usage, "\(state.source): \(instance.address) \(mismatch) (\(target.address)); nothing was imported")
            }
            entries.append(TerraformMappingEntry(terraformAddress: instance.address, address: target.address, id: id, partOf: mapping.partOf))
        }
        for entry in entries where entry.partOf && owner[entry.address] == nil {
            let ownerType = catalogue.provider(for: entry.address.type)?.terraformImports.first { !$0.partOf }?.terraformType ?? entry.address.type
            throw SimpleError(.usage, "\(state.source): \(entry.terraformAddress) is part of \(entry.id), but the state holds no \(ownerType) \(entry.id); nothing was imported")
        }
        var stateOnly: [ResourceAddress] = []
        var missing: [ResourceAddress] = []
        for resource in desired.resources.values.sorted(by: { $0.address < $1.address }) where owner[resource.address] == nil {
            if catalogue.provider(for: resource.address.type)?.hasRemoteObject == false { stateOnly.append(resource.address) } else { missing.append(resource.address) }
        }
        return TerraformMapping(entries: entries, stateOnly: stateOnly, missing: missing)
    }
}

extension Importer {
    /// Reads every mapped resource live, then records them all (and the stack's outputs) in one go: a resource that
    /// cannot be read, or an address state already manages, stops the import before anything is written.
    /// Nothing in AWS changes.
    public func adopt(_ mapping: TerraformMapping, desired: DesiredState) async throws -> [ResourceRecord] {
        var records: [ResourceRecord] = []
        for entry in mapping.entries where !entry.partOf {
            guard let resource = desired.resources[entry.address] else { continue }
            records.append(try await read(resource, id: entry.id))
        }
        for address in mapping.stateOnly {
            guard let resource = desired.resources[address] else { continue }
            try refuseManaged(address)
            guard let provider = catalogue.provider(for: address.type) else { continue }
            let attributes = provider.plannedAttributes(resource.attributes, context: context)
            records.append(ResourceRecord(address: address, physicalId: provider.physicalId(attributes), attributes: attributes,
                                          dependencies: resource.dependencies, status: .created))
        }
        for record in records { _ = try store.upsert(record) }
        var known = Dictionary(records.map { ($0.address.name, $0.attributes) }, uniquingKeysWith: { a, _ in a })
        for record in try store.resources() where known[record.address.name] == nil { known[record.address.name] = record.attributes }
        try store.setOutputs(desired.outputs(known: known))
        return records
    }
}
