import Foundation

/// A helper process a test started (a moto server, a fault proxy), stopped by its PID.
public protocol HelperProcess: AnyObject, Sendable {
    func stop()
}

/// Every live helper process, stopped when the test process exits (each helper's own parent-PID watchdog is the
/// backstop for a test process that is killed).
final class HelperProcesses: @unchecked Sendable {
    static let shared = HelperProcesses()
    private let lock = NSLock()
    private var live: [any HelperProcess] = []
    private var atexitInstalled = false

    func track(_ helper: any HelperProcess) {
        lock.withLock {
            live.append(helper)
            if !atexitInstalled {
                atexitInstalled = true
                // A C atexit callback captures nothing; it reaches the registry through the static.
                atexit { HelperProcesses.shared.stopAll() }
            }
        }
    }

    func stopAll() {
        for helper in lock.withLock({ live }) { helper.stop() }
    }
}
