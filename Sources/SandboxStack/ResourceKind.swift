import SandboxCore

/// The type of a resource property, checked offline by `sandbox validate`.
public enum PropertyType: Sendable, Equatable {
    case string
    case integer
    case number
    case bool
    case stringList
    case stringMap
    /// Free-form structured data (an IAM policy document).
    case document
    case oneOf([String])

    var schemaName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .stringList: return "a list of strings"
        case .stringMap: return "a mapping of strings"
        case .document: return "a mapping"
        case .oneOf(let values): return "one of \(values.joined(separator: ", "))"
        }
    }
}

/// One property a resource kind accepts.
public struct PropertySpec: Sendable {
    public let name: String
    public let type: PropertyType
    public let required: Bool
    public let defaultValue: JSONValue?
    /// Changing it means deleting and re-creating the resource (AWS cannot rename it in place).
    public let forceNew: Bool
    public let range: ClosedRange<Double>?
    public let rule: NameRule?
    public let summary: String

    public init(_ name: String, _ type: PropertyType, required: Bool = false, default defaultValue: JSONValue? = nil,
                forceNew: Bool = false, range: ClosedRange<Double>? = nil, rule: NameRule? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.forceNew = forceNew
        self.range = range
        self.rule = rule
        self.summary = summary
    }
}

/// A kind of resource a stack may declare, with its properties and the attributes others may reference.
/// The schema half of a kind; each kind's file in SandboxProviders defines its own, and this module lists none.
public struct ResourceKind: Sendable {
    public let name: String
    public let summary: String
    public let properties: [PropertySpec]
    /// Attributes known after create that `${name.attr}` may reference (properties are referenceable too).
    public let attributes: [String]
    public let taggable: Bool

    public func property(_ name: String) -> PropertySpec? { properties.first { $0.name == name } }

    public var referenceableNames: [String] { (properties.map(\.name) + attributes).sorted() }

    public init(name: String, summary: String, properties: [PropertySpec], attributes: [String], taggable: Bool) {
        self.name = name
        self.summary = summary
        self.properties = properties
        self.attributes = attributes
        self.taggable = taggable
    }
}

extension ResourceKind {
    /// Kinds a sandbox must never hold, with the reason given to the user.
    public static func forbiddenReason(_ name: String) -> String? {
        let bare = name.hasPrefix("aws_") ? String(name.dropFirst(4)) : name
        let standing = "it has a standing cost that a test sandbox must not carry"
        switch bare {
        case "eks_cluster", "eks_node_group", "eks_fargate_profile": return "EKS is forbidden: \(standing)"
        case "ec2_instance", "instance", "launch_template", "autoscaling_group": return "EC2 instances are forbidden: \(standing)"
        case "nat_gateway", "ec2_nat_gateway": return "NAT gateways are forbidden: \(standing)"
        case "glue_job", "glue_crawler", "glue_trigger", "glue_workflow": return "Glue jobs and crawlers are forbidden: \(standing)"
        case "iam_access_key": return "IAM access keys are forbidden: they would put secrets in state"
        default:
            if bare.hasPrefix("lakeformation") { return "Lake Formation resources are forbidden: they change catalog permissions beyond the sandbox" }
            if bare.hasPrefix("s3tables") || bare.hasPrefix("s3_tables") { return "S3 Tables resources are forbidden: \(standing)" }
            return nil
        }
    }
}
