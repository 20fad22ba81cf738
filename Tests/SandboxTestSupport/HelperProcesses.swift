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

    /// Runs a Python helper that prints its port on a ready line, drains its output, and returns the port; a helper
    /// that does not announce one within `timeout` seconds is stopped and named in the error with its stderr tail.
    static func launchAnnouncingPort(_ process: Process, name: String, timeout: TimeInterval) throws -> Int {
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let out = OutputReader(stdout.fileHandleForReading, lookForReady: true)
        let err = OutputReader(stderr.fileHandleForReading, lookForReady: false)
        try process.run()
        out.startDraining()
        err.startDraining()
        guard let port = out.waitForReady(timeout: timeout) else {
            terminate(process)
            throw MotoServerError("\(name) did not start:\n\(err.tail())")
        }
        return port
    }

    /// SIGTERM to the process we started (by its PID, never by name), up to 3 s to exit, then SIGKILL.
    static func terminate(_ process: Process) {
        guard process.isRunning else { return }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        if !waitForExit(process, seconds: 3) {
            kill(pid, SIGKILL)
            _ = waitForExit(process, seconds: 2)
        }
    }

    // Polls rather than waitUntilExit(): this also runs from atexit, where a run loop can't be relied on.
    static func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }
}
