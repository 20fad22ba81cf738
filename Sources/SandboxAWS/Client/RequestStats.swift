import Foundation

/// Counts HTTP requests sent, per operation, so commands can report exactly how many calls they made.
public final class RequestStats: @unchecked Sendable {
    private let lock = NSLock()
    private var perOperation: [String: Int] = [:]
    private var failed = 0

    public init() {}

    func record(service: ServiceDescriptor, operation: String, succeeded: Bool) {
        lock.lock(); defer { lock.unlock() }
        perOperation["\(service.displayName):\(operation)", default: 0] += 1
        if !succeeded { failed += 1 }
    }

    public var total: Int {
        lock.lock(); defer { lock.unlock() }
        return perOperation.values.reduce(0, +)
    }

    public var failures: Int {
        lock.lock(); defer { lock.unlock() }
        return failed
    }

    public var byOperation: [String: Int] {
        lock.lock(); defer { lock.unlock() }
        return perOperation
    }
}
