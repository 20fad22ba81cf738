/// One IAM authorization an AWS operation needs, declared next to the code that sends it: the action, the
/// resource ARN (a `*` stands for any run, key or table the command may meet) and the `s3:prefix` the request
/// carries, from the AWS service authorization reference.
public struct DeclaredCall: Sendable, Hashable, Codable {
    /// The CI-side command that makes it (`cleanup`, `check`, `run new`, `run list`, `report`, `state backend`).
    public var command: String
    /// The API operation (`ListObjectVersions`).
    public let operation: String
    public let action: String
    public let resource: String
    /// The `s3:prefix` condition key's value (a pattern when it varies per run), for ListBucket and ListBucketVersions.
    public let prefix: String?
    /// False for reads a command does without when denied (check skips them, naming the permission).
    public var required: Bool

    public init(_ command: String = "", operation: String, action: String, resource: String, prefix: String? = nil, required: Bool = true) {
        self.command = command
        self.operation = operation
        self.action = action
        self.resource = resource
        self.prefix = prefix
        self.required = required
    }

    /// The same call made by `command`.
    public func by(_ command: String, required: Bool? = nil) -> DeclaredCall {
        var copy = self
        copy.command = command
        if let required { copy.required = required }
        return copy
    }

    /// A concrete request to evaluate: each `*` in the resource and prefix becomes one sample segment, so the
    /// proof covers a representative run (a policy that allows some runs but not others is not caught).
    public var sampleRequest: AccessRequest {
        let sample = "sandbox-sample-0"
        let resource = self.resource.replacingOccurrences(of: "*", with: sample)
        let context = prefix.map { ["s3:prefix": $0.replacingOccurrences(of: "*", with: sample)] } ?? [:]
        return AccessRequest(action: action, resource: resource, context: context)
    }

    /// True when this declaration covers a request really sent: same action, resource and prefix within the patterns.
    public func covers(action: String, resource: String, prefix: String?) -> Bool {
        guard WildcardPattern(self.action, caseSensitive: false).matches(action), WildcardPattern(self.resource).matches(resource) else {
            return false
        }
        switch (self.prefix, prefix) {
        case (nil, _): return true
        case (let declared?, let sent?): return WildcardPattern(declared).matches(sent)
        case (_?, nil): return false
        }
    }

    enum CodingKeys: String, CodingKey { case command, operation, action, resource, prefix, required }
}

/// ARNs as IAM's authorization names them (`arn:aws:s3:::bucket/key`, Glue's catalog, database and table).
public enum ResourceARN {
    public static func partition(region: String) -> String {
        if region.hasPrefix("cn-") { return "aws-cn" }
        if region.hasPrefix("us-gov-") { return "aws-us-gov" }
        return "aws"
    }

    public static func s3Bucket(_ bucket: String, region: String = "us-east-1") -> String {
        "arn:\(partition(region: region)):s3:::\(bucket)"
    }

    public static func s3Object(_ bucket: String, _ key: String, region: String = "us-east-1") -> String {
        "arn:\(partition(region: region)):s3:::\(bucket)/\(key)"
    }

    public static func glueCatalog(region: String, account: String) -> String {
        "arn:\(partition(region: region)):glue:\(region):\(account):catalog"
    }

    public static func glueDatabase(_ name: String, region: String, account: String) -> String {
        "arn:\(partition(region: region)):glue:\(region):\(account):database/\(name)"
    }

    public static func glueTable(_ database: String, _ table: String, region: String, account: String) -> String {
        "arn:\(partition(region: region)):glue:\(region):\(account):table/\(database)/\(table)"
    }

    public static func glueFunction(_ database: String, _ function: String, region: String, account: String) -> String {
        "arn:\(partition(region: region)):glue:\(region):\(account):userDefinedFunction/\(database)/\(function)"
    }

    public static func budget(_ name: String, account: String, region: String = "us-east-1") -> String {
        "arn:\(partition(region: region)):budgets::\(account):budget/\(name)"
    }
}
