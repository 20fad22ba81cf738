import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxState

/// Journals every mutating AWS call in state: a row before the call, a row when it ends.
/// A crash between the two leaves an unfinished entry that tells the next run what may have happened.
public struct JournalObserver: AWSCallObserver {
    public let store: StateStore
    public let log: Log

    public init(store: StateStore, log: Log = .silent) {
        self.store = store
        self.log = log
    }

    public func willSend(service: String, operation: String, target: String) -> Int64? {
        do {
            return try store.journalStart(operation: "\(service):\(operation)", target: target)
        } catch {
            log.warn("could not journal \(service):\(operation): \(error.oneLine)")
            return nil
        }
    }

    public func didFinish(token: Int64?, succeeded: Bool, requestId: String?, detail: String?) {
        guard let token else { return }
        do {
            _ = try store.journalFinish(id: token, outcome: succeeded ? .ok : .failed, requestId: requestId, detail: detail)
        } catch {
            log.warn("could not journal the end of call \(token): \(error.oneLine)")
        }
    }
}

extension ProviderContext {
    /// The same context with every mutating call journaled in `store`.
    public func journaled(in store: StateStore, log: Log = .silent) -> ProviderContext {
        ProviderContext(client: client.with(observer: JournalObserver(store: store, log: log)), accountId: accountId, region: region,
                        commonTags: commonTags, consistency: consistency)
    }
}
