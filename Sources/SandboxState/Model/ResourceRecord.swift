import Foundation
import SandboxCore

/// Where a recorded resource stands in its life.
public enum ResourceStatus: String, Sendable, Codable, CaseIterable {
    /// Created and believed to exist.
    case created
    /// A create was started but not confirmed; the resource may or may not exist.
    case pending
    /// Exists but is known to be bad; the next apply replaces it.
    case tainted
    /// A delete was started but not confirmed.
    case deleting
}

/// What the state remembers about one resource. Holds identifiers and non-secret attributes only.
public struct ResourceRecord: Sendable, Codable, Hashable {
    /// The resource's address in the stack, such as `s3_bucket.data`.
    public var address: ResourceAddress
    /// The cloud-side identifier (bucket name, role ARN); nil while pending.
    public var physicalId: String?
    /// Non-secret attributes read back from AWS or chosen at create time.
    public var attributes: [String: JSONValue]
    /// The addresses this resource depends on, so destroy can run in reverse order.
    public var dependencies: [ResourceAddress]
    /// Where the resource stands.
    public var status: ResourceStatus
    /// When the store last wrote this record; nil for a record not yet stored.
    public var updatedAt: Date?

    public init(
        address: ResourceAddress,
        physicalId: String?,
        attributes: [String: JSONValue] = [:],
        dependencies: [ResourceAddress] = [],
        status: ResourceStatus,
        updatedAt: Date? = nil
    ) {
        self.address = address
        self.physicalId = physicalId
        self.attributes = attributes
        self.dependencies = dependencies
        self.status = status
        self.updatedAt = updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case address, physicalId = "physical_id", attributes, dependencies, status, updatedAt = "updated_at"
    }

    /// Decodes the form `encode(to:)` writes: addresses as `TYPE.NAME` text.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func parse(_ text: String, _ key: CodingKeys) throws -> ResourceAddress {
            guard let address = ResourceAddress(parsing: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\"\(text)\" is not TYPE.NAME")
            }
            return address
        }
        address = try parse(try container.decode(String.self, forKey: .address), .address)
        physicalId = try container.decodeIfPresent(String.self, forKey: .physicalId)
        attributes = try container.decodeIfPresent([String: JSONValue].self, forKey: .attributes) ?? [:]
        dependencies = try (container.decodeIfPresent([String].self, forKey: .dependencies) ?? []).map { try parse($0, .dependencies) }
        status = try container.decode(ResourceStatus.self, forKey: .status)
        updatedAt = try container.decodeIfPresent(Date.self, forKey: .updatedAt)
    }

    /// Encodes addresses as `TYPE.NAME` text, so `sandbox state list --json` reads like the stack file.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(address.description, forKey: .address)
        try container.encode(physicalId, forKey: .physicalId)
        try container.encode(attributes, forKey: .attributes)
        try container.encode(dependencies.map(\.description), forKey: .dependencies)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(updatedAt, forKey: .updatedAt)
    }
}
