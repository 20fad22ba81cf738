/// What a call does to the account, declared by the service client that builds it: the engine journals mutating
/// calls under their target, so an interrupted run can tell what may have changed. Never read from request bodies.
public enum Journal: Sendable, Equatable {
    /// Changes nothing a later run would need to know about (reads, identity and credential exchanges).
    case read
    /// Changes `target`: the name or ARN of what it creates, updates or deletes (no bodies or secrets).
    case mutating(target: String)

    public var isMutating: Bool {
        if case .mutating = self { return true }
        return false
    }

    /// The target of a mutating call; nil for a read.
    public var target: String? {
        if case .mutating(let target) = self { return target }
        return nil
    }
}
