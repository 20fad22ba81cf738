/// The wire protocols of the services sandbox uses.
public enum WireProtocol: String, Sendable {
    /// IAM and STS: form-encoded POST, XML answers.
    case query
    /// S3: REST with XML bodies.
    case restXML
    /// Glue and Budgets: JSON 1.1 POST with an `X-Amz-Target` header.
    case json
}

/// Static facts about one AWS service: how to reach it, sign for it and speak to it, and its quirks.
/// Identified by `name`: two descriptors with the same endpoint prefix are the same service.
public struct ServiceDescriptor: Sendable, Hashable {
    /// The endpoint prefix and signing name (`s3`, `iam`, …).
    public let name: String
    /// How the service is named to users (`S3`, `IAM`, …).
    public let displayName: String
    public let wireProtocol: WireProtocol
    public let apiVersion: String
    /// For JSON services: the prefix of `X-Amz-Target`.
    public let targetPrefix: String?
    /// Global services have one endpoint and sign with us-east-1.
    public let isGlobal: Bool
    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>`.
    public let environmentKey: String
    /// The service's own steps in the attempt loop (S3's bucket-region redirect), run in order after a failed attempt.
    public var steps: [any RequestStep] = []

    public static func == (lhs: ServiceDescriptor, rhs: ServiceDescriptor) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    public static let s3 = ServiceDescriptor(name: "s3", displayName: "S3", wireProtocol: .restXML, apiVersion: "2006-03-01", targetPrefix: nil, isGlobal: false, environmentKey: "S3",
                                             steps: [S3BucketRegionRedirect()])
    public static let iam = ServiceDescriptor(name: "iam", displayName: "IAM", wireProtocol: .query, apiVersion: "2010-05-08", targetPrefix: nil, isGlobal: true, environmentKey: "IAM")
    public static let sts = ServiceDescriptor(name: "sts", displayName: "STS", wireProtocol: .query, apiVersion: "2011-06-15", targetPrefix: nil, isGlobal: false, environmentKey: "STS")
    public static let glue = ServiceDescriptor(name: "glue", displayName: "Glue", wireProtocol: .json, apiVersion: "2017-03-31", targetPrefix: "AWSGlue", isGlobal: false, environmentKey: "GLUE")
    public static let budgets = ServiceDescriptor(name: "budgets", displayName: "Budgets", wireProtocol: .json, apiVersion: "2016-10-20", targetPrefix: "AWSBudgetServiceGateway", isGlobal: true, environmentKey: "BUDGETS")

    public static let all: [ServiceDescriptor] = [.s3, .iam, .sts, .glue, .budgets]
}
