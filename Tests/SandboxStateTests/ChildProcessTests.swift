import Foundation
import SandboxCore
import XCTest
@testable import SandboxState

/// Runs a second copy of this test binary as another process sharing the state file.
final class ChildProcessTests: StateTestCase {
    private static let modeVariable = "SANDBOX_STATE_TEST_CHILD_MODE"
    private static let pathVariable = "SANDBOX_STATE_TEST_CHILD_PATH"
    private static let helperTest = "SandboxStateTests.ChildProcessTests/testChildHelper"
    private static let writes = 30

    /// Does nothing in a normal run; in a child process it plays the part the parent asked for.
    func testChildHelper() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let mode = environment[Self.modeVariable], let path = environment[Self.pathVariable] else { return }
        let store = try StateStore.open(path: path, writerVersion: "child")
        switch mode {
        case "hold":
            let handle = try store.lock().tryAcquire(holder: "child", operation: "cleanup", staleAfter: 600)
            FileManager.default.createFile(atPath: path + ".ready", contents: nil)
            let deadline = Date().addingTimeInterval(20)
            while !FileManager.default.fileExists(atPath: path + ".release"), Date() < deadline {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            try handle.release()
        case "write":
            try Self.write(store, writer: "child")
        default:
            XCTFail("unknown mode \(mode)")
        }
    }

    func testLockExcludesAnotherProcess() async throws {
        let path = statePath()
        let store = try StateStore.open(path: path, writerVersion: "parent")
        let child = try spawnChild(mode: "hold", path: path)
        defer { if child.isRunning { child.terminate() } }
        try await waitFor(path + ".ready", child: child)

        XCTAssertThrowsError(try store.lock().tryAcquire(holder: "parent", operation: "apply", staleAfter: 600)) { error in
            guard let locked = error as? LockedError else { return XCTFail("\(error)") }
            XCTAssertEqual(locked.lock.pid, child.processIdentifier)
            XCTAssertEqual(locked.lock.holder, "child")
            XCTAssertEqual(locked.lock.operation, "cleanup")
        }

        FileManager.default.createFile(atPath: path + ".release", contents: nil)
        let handle = try await store.lock(pollInterval: 0.02).acquire(holder: "parent", operation: "apply", timeout: 10, staleAfter: 600)
        XCTAssertNil(handle.brokenLock, "the child released its lock cleanly")
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0)
    }

    func testWritersInTwoProcessesLoseNoUpdate() throws {
        let path = statePath()
        let store = try StateStore.open(path: path, writerVersion: "parent")
        try store.recordRun(RunRecord(runId: try RunID("shared"), workspace: "w", startedAt: Date(), testResult: ["count": 0]))
        let child = try spawnChild(mode: "write", path: path)
        try Self.write(store, writer: "parent")
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0)

        XCTAssertEqual(try store.resources().count, 2 * Self.writes)
        XCTAssertEqual(try store.run(id: try RunID("shared"))?.testResult?["count"]?.intValue, 2 * Self.writes)
        XCTAssertEqual(try store.serial, 1 + 4 * Self.writes)
    }

    private static func write(_ store: StateStore, writer: String) throws {
        for i in 0..<writes {
            try store.upsert(ResourceRecord(address: ResourceAddress(type: "s3_bucket", name: "\(writer)_\(i)"), physicalId: "p", status: .created))
            try store.updateRun(id: try RunID("shared")) { run in
                run.testResult = ["count": .number(Double((run.testResult?["count"]?.intValue ?? 0) + 1))]
            }
        }
    }

    private func spawnChild(mode: String, path: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = [Self.helperTest]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.modeVariable] = mode
        environment[Self.pathVariable] = path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func waitFor(_ file: String, child: Process) async throws {
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: file) {
            guard child.isRunning, Date() < deadline else {
                return XCTFail("child never signalled \(file) (running: \(child.isRunning))")
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}
