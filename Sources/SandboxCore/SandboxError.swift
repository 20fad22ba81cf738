/// The broad class of a failure; the CLI maps it to an exit code and reports use it to classify outcomes.
public enum FailureCategory: String, Sendable, Codable, CaseIterable {
    /// Bad flags, a malformed stack, a variable that fails validation.
    case usage
    /// Credentials missing, expired or rejected; configuration files malformed.
    case credentials
    /// AWS said no for a reason the user can fix: access denied, validation, conflict.
    case aws
    /// The endpoint is unreachable, answers garbage, or keeps failing after retries.
    case infrastructure
    /// The state file is locked, newer than this tool, stale or corrupt.
    case state
    /// Something that should not happen; a bug in sandbox.
    case `internal`
}

/// Every error sandbox raises conforms to this: it knows its category and how to say itself in one line.
public protocol SandboxError: Error, CustomStringConvertible, Sendable {
    var category: FailureCategory { get }
    /// One line for the user: what failed, where, and how to fix it.
    var userMessage: String { get }
}

extension SandboxError {
    public var description: String { userMessage }
}

/// A plain error for conditions that need no structure beyond a category and a message.
public struct SimpleError: SandboxError, Equatable {
    public let category: FailureCategory
    public let userMessage: String

    public init(_ category: FailureCategory, _ message: String) {
        self.category = category
        self.userMessage = message
    }
}

extension Error {
    /// The one line shown to the user, whatever the error's type.
    public var oneLine: String {
        let text: String
        if let err = self as? SandboxError {
            text = err.userMessage
        } else {
            text = String(describing: self)
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var failureCategory: FailureCategory {
        (self as? SandboxError)?.category ?? .internal
    }
}
