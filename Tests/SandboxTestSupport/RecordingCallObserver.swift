import Foundation
import SandboxAWS

/// Records what `AWSClient` reports to its observer, for tests of what gets journalled.
public final class RecordingCallObserver: AWSCallObserver, @unchecked Sendable {
    public struct Started: Sendable, Equatable {
        public let service: String
        public let operation: String
        public let target: String

        public init(service: String, operation: String, target: String) {
            self.service = service
            self.operation = operation
            self.target = target
        }
    }

    public struct Finished: Sendable, Equatable {
        public let token: Int64?
        public let succeeded: Bool
        public let requestId: String?

        public init(token: Int64?, succeeded: Bool, requestId: String?) {
            self.token = token
            self.succeeded = succeeded
            self.requestId = requestId
        }
    }

    private let lock = NSLock()
    private var startedCalls: [Started] = []
    private var finishedCalls: [Finished] = []

    public init() {}

    public func willSend(service: String, operation: String, target: String) -> Int64? {
        lock.withLock {
            startedCalls.append(Started(service: service, operation: operation, target: target))
            return Int64(startedCalls.count)
        }
    }

    public func didFinish(token: Int64?, succeeded: Bool, requestId: String?, detail: String?) {
        lock.withLock { finishedCalls.append(Finished(token: token, succeeded: succeeded, requestId: requestId)) }
    }

    public var started: [Started] { lock.withLock { startedCalls } }
    public var finished: [Finished] { lock.withLock { finishedCalls } }

    /// `operation target` of every call started, in order: the journal's view of a run.
    public var journal: [String] { started.map { "\($0.service):\($0.operation) \($0.target)" } }
}
