import Foundation
import SandboxCore

/// How sandbox treats an AWS error code: what it means for retries, cleanup idempotence and the user's fix.
public enum AWSErrorKind: String, Sendable, Codable {
    case notFound = "NotFound"
    case accessDenied = "AccessDenied"
    case expiredCredentials = "ExpiredToken"
    case throttled = "Throttled"
    case conflict = "Conflict"
    case validation = "Validation"
    case transient = "Transient"
    case clockSkew = "ClockSkew"
    case redirect = "Redirect"
    case other = "Other"
}

/// An error answer from an AWS service, with everything needed to explain it.
public struct AWSError: SandboxError, Equatable {
    public let service: String
    public let operation: String
    public let status: Int
    public let code: String
    public let message: String
    public let requestId: String?
    public let kind: AWSErrorKind
    /// Response headers that matter to recovery (region of a bucket, server date).
    public let headers: [String: String]

    public init(service: String, operation: String, status: Int, code: String, message: String, requestId: String?, headers: [String: String] = [:]) {
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestId = requestId
        self.headers = headers
        self.kind = Self.classify(code: code, status: status)
    }

    public var category: FailureCategory {
        switch kind {
        case .expiredCredentials, .clockSkew: return .credentials
        case .throttled, .transient: return .infrastructure
        default: return .aws
        }
    }

    public var userMessage: String {
        var line = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { line += ": \(message)" }
        line += " (HTTP \(status)"
        if let requestId, !requestId.isEmpty { line += ", request id \(requestId)" }
        line += ")"
        if let fix = fix { line += "; \(fix)" }
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    var fix: String? {
        switch kind {
        case .accessDenied: return "grant the caller \(iamAction) or use other credentials"
        case .expiredCredentials: return "refresh your credentials (aws sso login, or export new keys)"
        case .throttled: return "AWS is throttling; retry later or raise --max-attempts"
        case .transient: return "the service kept failing after retries; retry later"
        case .clockSkew: return "fix the system clock"
        case .notFound, .conflict, .validation, .redirect, .other: return nil
        }
    }

    var iamAction: String {
        let prefix = ["s3": "s3", "iam": "iam", "sts": "sts", "glue": "glue", "budgets": "budgets"][service.lowercased()] ?? service.lowercased()
        return "\(prefix):\(operation)"
    }

    public static func classify(code: String, status: Int) -> AWSErrorKind {
        switch code {
        case "NoSuchBucket", "NoSuchKey", "NoSuchEntity", "EntityNotFoundException", "NotFoundException",
             "NoSuchTagSet", "NoSuchLifecycleConfiguration", "NoSuchPublicAccessBlockConfiguration",
             "ServerSideEncryptionConfigurationNotFoundError", "NoSuchUpload", "NotFound":
            return .notFound
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
             "SignatureDoesNotMatch", "InvalidAccessKeyId", "AuthFailure", "AllAccessDisabled":
            return .accessDenied
        case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "TokenRefreshRequired", "RequestExpired":
            return .expiredCredentials
        case "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
             "TooManyRequestsException", "SlowDown", "RequestThrottled", "RequestThrottledException",
             "ProvisionedThroughputExceededException", "BandwidthLimitExceeded":
            return .throttled
        case "RequestTimeTooSkewed", "RequestTimeTooSkewedException":
            return .clockSkew
        case "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
             "InternalServiceException", "InternalServiceError", "ServiceUnavailableException", "InternalErrorException":
            return .transient
        case "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "EntityAlreadyExists", "AlreadyExistsException",
             "DuplicateRecordException", "BucketNotEmpty", "DeleteConflict", "ConcurrentModificationException",
             "OperationAbortedException", "OperationAborted", "PreconditionFailed", "ConditionalRequestConflict",
             "CreationLimitExceededException", "LimitExceeded", "ResourceInUseException":
            return .conflict
        case "ValidationError", "ValidationException", "InvalidParameterException", "InvalidParameterValue",
             "InvalidInputException", "InvalidInput", "MalformedPolicyDocument", "InvalidRequest",
             "InvalidArgument", "InvalidBucketName", "MalformedXML", "IllegalLocationConstraintException",
             "InvalidLocationConstraint", "MissingParameter", "MalformedInput":
            return .validation
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "TemporaryRedirect":
            return .redirect
        default:
            break
        }
        switch status {
        case 429: return .throttled
        case 500, 502, 503, 504: return .transient
        case 404: return .notFound
        case 403: return .accessDenied
        case 301, 307: return .redirect
        case 409: return .conflict
        default: return .other
        }
    }
}

/// The endpoint answered something that is not an AWS response: an HTML page, a truncated or empty body.
public struct MalformedResponseError: SandboxError, Equatable {
    public let service: String
    public let operation: String
    public let status: Int
    public let detail: String
    public let endpoint: String
    public let category: FailureCategory = .infrastructure

    public init(service: String, operation: String, status: Int, detail: String, endpoint: String) {
        self.service = service
        self.operation = operation
        self.status = status
        self.detail = detail
        self.endpoint = endpoint
    }

    public var userMessage: String {
        "\(service) \(operation): \(endpoint) answered HTTP \(status) with a body that is not an AWS response (\(detail)); check that the endpoint URL points at an AWS-compatible service"
    }
}
