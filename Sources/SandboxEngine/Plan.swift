import Foundation
import SandboxCore
import SandboxProviders
import SandboxSigV4

/// The closed set of things a plan can do to a resource.
public enum PlanAction: String, Sendable, Codable {
    case create
    case update
    case replace
    case delete
    case noop
    /// It exists in AWS but state does not know it: `sandbox import` adopts it.
    case importable

    /// The Terraform-style symbol shown in plan output.
    public var symbol: String {
        switch self {
        case .create: return "+"
        case .update: return "~"
        case .replace: return "-/+"
        case .delete: return "-"
        case .noop: return " "
        case .importable: return "!"
        }
    }
}

/// What a plan intends for one resource, with the evidence it read.
public struct PlannedChange: Sendable, Codable {
    public let address: ResourceAddress
    public let action: PlanAction
    public let reason: String?
    /// Attribute differences between live (or recorded) and desired.
    public let changes: [AttributeChange]
    /// Differences between what state recorded and what is live: changes made behind sandbox's back.
    public let drift: [AttributeChange]
    /// Desired attributes known at plan time.
    public let after: Attributes?
    /// Desired attributes that are only known once dependencies exist.
    public let unknownAfter: [String]
    /// A hash of what was read live; apply refuses the plan if it no longer matches.
    public let fingerprint: String
    public let dependencies: [ResourceAddress]
    /// For `importable`: the id to pass to `sandbox import`.
    public let importId: String?
}

/// A saved plan: bound to the state lineage and serial it was made against. Holds no secrets.
public struct Plan: Sendable, Codable {
    public static let formatVersion = 1

    public let formatVersion: Int
    public let sandboxVersion: String
    public let stackFile: String
    public let stackSHA256: String
    public let stackName: String
    public let lineage: String?
    public let serial: Int
    public let accountId: String
    public let region: String
    public let createdAt: Date
    public let variables: [String: JSONValue]
    public let changes: [PlannedChange]
    /// True when live state was read; false with `--refresh=false`.
    public let refreshed: Bool

    public var hasChanges: Bool { changes.contains { $0.action != .noop } }

    public func count(_ action: PlanAction) -> Int { changes.filter { $0.action == action }.count }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data, file: String) throws -> Plan {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let probe = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SimpleError(.usage, "\(file) is not a sandbox plan file (not JSON); create one with sandbox plan --out FILE")
        }
        if let version = probe["formatVersion"] as? Int, version > formatVersion {
            throw SimpleError(.usage, "\(file) has plan format \(version); this sandbox reads up to \(formatVersion); upgrade sandbox")
        }
        do {
            return try decoder.decode(Plan.self, from: data)
        } catch {
            throw SimpleError(.usage, "\(file) is not a valid sandbox plan file; create one with sandbox plan --out FILE")
        }
    }
}

/// Fingerprints of live attributes, so a saved plan can tell whether the world moved.
public enum Fingerprint {
    public static func of(_ attributes: Attributes?) -> String {
        guard let attributes else { return "absent" }
        return SigV4Signer.hexSHA256(Data(JSONValue.object(attributes).compactJSON.utf8))
    }

    /// The fingerprint of what `provider` read, in the kind's canonical form (documents by meaning).
    public static func of(_ attributes: Attributes?, provider: (any ResourceProvider)?) -> String {
        of(attributes.map { provider?.canonical($0) ?? $0 })
    }
}
