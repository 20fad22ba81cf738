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
public struct ResourceKind: Sendable {
    public let name: String
    public let summary: String
    public let properties: [PropertySpec]
    /// Attributes known after create that `${name.attr}` may reference (properties are referenceable too).
    public let attributes: [String]
    public let taggable: Bool

    public func property(_ name: String) -> PropertySpec? { properties.first { $0.name == name } }

    public var referenceableNames: [String] { (properties.map(\.name) + attributes).sorted() }
}

extension ResourceKind {
    static let bucketRef = PropertySpec("bucket", .string, required: true, forceNew: true, rule: .s3Bucket, "name of the bucket, usually ${bucket.name}")

    public static let s3Bucket = ResourceKind(name: "s3_bucket", summary: "an S3 bucket", properties: [
        PropertySpec("name", .string, forceNew: true, rule: .s3Bucket, "bucket name; default NAME_PREFIX-ACCOUNT_ID-REGION"),
        PropertySpec("name_prefix", .string, forceNew: true, "prefix of the default name; default the stack name"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "region"], taggable: true)

    public static let s3PublicAccessBlock = ResourceKind(name: "s3_public_access_block", summary: "the bucket's public access block", properties: [
        bucketRef,
        PropertySpec("block_public_acls", .bool, default: .bool(true), "BlockPublicAcls"),
        PropertySpec("ignore_public_acls", .bool, default: .bool(true), "IgnorePublicAcls"),
        PropertySpec("block_public_policy", .bool, default: .bool(true), "BlockPublicPolicy"),
        PropertySpec("restrict_public_buckets", .bool, default: .bool(true), "RestrictPublicBuckets"),
    ], attributes: [], taggable: false)

    public static let s3BucketEncryption = ResourceKind(name: "s3_bucket_encryption", summary: "the bucket's default encryption", properties: [
        bucketRef,
        PropertySpec("algorithm", .oneOf(["AES256", "aws:kms"]), default: .string("AES256"), "AES256 or aws:kms"),
        PropertySpec("kms_key_id", .string, "KMS key id or ARN, with aws:kms"),
        PropertySpec("bucket_key_enabled", .bool, "S3 Bucket Key, with aws:kms"),
    ], attributes: [], taggable: false)

    public static let s3BucketVersioning = ResourceKind(name: "s3_bucket_versioning", summary: "the bucket's versioning", properties: [
        bucketRef,
        PropertySpec("status", .oneOf(["Disabled", "Enabled", "Suspended"]), default: .string("Disabled"), "Disabled, Enabled or Suspended"),
    ], attributes: [], taggable: false)

    public static let s3BucketLifecycle = ResourceKind(name: "s3_bucket_lifecycle", summary: "expiry of test data under the run prefix", properties: [
        bucketRef,
        PropertySpec("prefix", .string, default: .string("runs/"), rule: .runPrefix, "key prefix the rule applies to"),
        PropertySpec("expiration_days", .integer, default: .number(3), range: 1...30, "days before objects under the prefix expire"),
        PropertySpec("abort_incomplete_upload_days", .integer, default: .number(1), range: 1...30, "days before incomplete multipart uploads are aborted"),
        PropertySpec("rule_id", .string, default: .string("sandbox-expire-runs"), "the lifecycle rule's id"),
    ], attributes: [], taggable: false)

    public static let iamPolicy = ResourceKind(name: "iam_policy", summary: "a customer-managed IAM policy", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .iamName, "policy name"),
        PropertySpec("path", .string, default: .string("/"), forceNew: true, rule: .iamPath, "policy path"),
        PropertySpec("description", .string, forceNew: true, "description (IAM cannot change it in place)"),
        PropertySpec("document", .document, required: true, "the policy document"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "policy_id", "default_version_id"], taggable: true)

    public static let iamUser = ResourceKind(name: "iam_user", summary: "an IAM user with policies attached (never access keys)", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .iamUserName, "user name"),
        PropertySpec("path", .string, default: .string("/"), forceNew: true, rule: .iamPath, "user path"),
        PropertySpec("policy_arns", .stringList, default: .array([]), "managed policies to attach"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "user_id"], taggable: true)

    public static let iamOpenIDConnectProvider = ResourceKind(name: "iam_openid_connect_provider", summary: "an IAM OpenID Connect identity provider (GitHub Actions: token.actions.githubusercontent.com)", properties: [
        PropertySpec("url", .string, required: true, forceNew: true, rule: .httpsURL, "the issuer URL, https://HOST[/PATH] (IAM cannot change it in place)"),
        PropertySpec("client_id_list", .stringList, required: true, "audiences the provider's tokens may carry (sts.amazonaws.com for GitHub Actions)"),
        PropertySpec("thumbprint_list", .stringList, default: .array([]), rule: .thumbprint, "SHA-1 thumbprints (40 hex digits) of the issuer's certificate chain"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn"], taggable: true)

    public static let iamRole = ResourceKind(name: "iam_role", summary: "an IAM role with a trust policy (no inline policies)", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .iamUserName, "role name"),
        PropertySpec("path", .string, default: .string("/"), forceNew: true, rule: .iamPath, "role path"),
        PropertySpec("assume_role_policy", .document, required: true, "the trust policy: who may assume the role, compared by meaning"),
        PropertySpec("description", .string, "description"),
        PropertySpec("max_session_duration", .integer, default: .number(3600), range: 3600...43200, "longest session in seconds"),
        PropertySpec("permissions_boundary", .string, "ARN of the managed policy that bounds the role's permissions"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn", "unique_id"], taggable: true)

    public static let iamRolePolicyAttachment = ResourceKind(name: "iam_role_policy_attachment", summary: "a managed policy attached to a role", properties: [
        PropertySpec("role", .string, required: true, forceNew: true, rule: .iamUserName, "name of the role, usually ${ROLE.name}"),
        PropertySpec("policy_arn", .string, required: true, forceNew: true, "ARN of the managed policy, usually ${POLICY.arn}"),
    ], attributes: [], taggable: false)

    public static let budget = ResourceKind(name: "budget", summary: "a monthly COST budget with e-mail alerts", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .budgetName, "budget name"),
        PropertySpec("limit_usd", .number, default: .number(25), range: 0.01...100, "monthly limit in USD (0 < limit <= 100)"),
        PropertySpec("emails", .stringList, required: true, rule: .email, "addresses alerted at 80% actual and 100% forecasted spend"),
        PropertySpec("actual_threshold_percent", .number, default: .number(80), range: 1...1000, "ACTUAL alert threshold"),
        PropertySpec("forecasted_threshold_percent", .number, default: .number(100), range: 1...1000, "FORECASTED alert threshold"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: [], taggable: true)

    public static let glueDatabasePrefix = ResourceKind(name: "glue_database_prefix", summary: "the name prefix of per-run Glue databases", properties: [
        PropertySpec("prefix", .string, required: true, rule: .gluePrefix, "lowercase snake_case ending in _"),
    ], attributes: [], taggable: false)

    /// Every kind a stack may declare.
    public static let all: [ResourceKind] = [.s3Bucket, .s3PublicAccessBlock, .s3BucketEncryption, .s3BucketVersioning,
                                             .s3BucketLifecycle, .iamPolicy, .iamUser, .iamOpenIDConnectProvider, .iamRole,
                                             .iamRolePolicyAttachment, .budget, .glueDatabasePrefix]

    public static func named(_ name: String) -> ResourceKind? { all.first { $0.name == name } }

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
