/// Hears about every mutating AWS call before it is sent and after it ends, so the engine can journal them.
/// What is mutating, and its target, is what the request declares (`AWSRequest.journal`); bodies are never read.
public protocol AWSCallObserver: Sendable {
    /// Returns a token handed back to `didFinish`.
    func willSend(service: String, operation: String, target: String) -> Int64?
    func didFinish(token: Int64?, succeeded: Bool, requestId: String?, detail: String?)
}
