import SandboxCore

/// A call the client refuses to send because AWS would reject it anyway (too many items in a batch,
/// a value the API cannot express). Raised before any request goes out; it points at a bug in the caller.
public struct ClientInputError: SandboxError, Equatable {
    public let service: String
    public let operation: String
    public let reason: String
    public let category: FailureCategory = .internal

    public init(service: String, operation: String, reason: String) {
        self.service = service
        self.operation = operation
        self.reason = reason
    }

    public var userMessage: String { "\(service) \(operation) not sent: \(reason)" }
}
