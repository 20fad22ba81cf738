import Foundation
import SandboxCore
import XCTest
@testable import SandboxState

final class StateLockTests: StateTestCase {
    private var host: String { ProcessIdentity.current.host }

    func testSecondAcquirerFailsAtOnceNamingHolder() async throws {
        let path = statePath()
        let apply = try openStore(path)
        let cleanup = try openStore(path)
        let handle = try apply.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 600)
        XCTAssertNil(handle.brokenLock)
        XCTAssertEqual(try cleanup.currentLock(), handle.info)

        XCTAssertThrowsError(try cleanup.lock().tryAcquire(holder: "ci", operation: "cleanup", staleAfter: 600)) { error in
            guard let locked = error as? LockedError else { return XCTFail("\(error)") }
            XCTAssertEqual(locked.lock, handle.info)
            XCTAssertEqual(locked.category, .state)
            XCTAssertEqual(
                locked.userMessage,
                "state file \(path) is locked by alice (pid \(getpid()) on \(self.host), operation \"apply\", "
                    + "since \(Timestamp.string(self.clock.now()))); wait, or run `sandbox state unlock` if that process is gone")
        }

        let sleeper = FakeSleeper(clock: clock)
        do {
            _ = try await StateLock(store: cleanup, sleeper: sleeper).acquire(holder: "ci", operation: "cleanup", timeout: 0, staleAfter: 600)
            XCTFail("acquired a held lock")
        } catch let error as LockedError {
            XCTAssertEqual(error.waited, 0)
        }
        XCTAssertEqual(sleeper.sleeps, 0, "timeout 0 never waits")

        XCTAssertTrue(try handle.release())
        XCTAssertNil(try cleanup.currentLock())
        let second = try cleanup.lock().tryAcquire(holder: "ci", operation: "cleanup", staleAfter: 600)
        XCTAssertEqual(try apply.currentLock()?.holder, "ci")
        XCTAssertNil(second.brokenLock)
    }

    func testWaitingAcquirerGetsTheLockAfterRelease() async throws {
        let path = statePath()
        let apply = try openStore(path)
        let cleanup = try openStore(path)
        let start = clock.now()
        let handle = try apply.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 600)
        let sleeper = FakeSleeper(clock: clock) { n in
            if n == 3 { _ = try? handle.release() }
        }
        let lock = StateLock(store: cleanup, sleeper: sleeper, pollInterval: 0.5)
        let acquired = try await lock.acquire(holder: "ci", operation: "cleanup", timeout: 10, staleAfter: 600)
        XCTAssertEqual(sleeper.sleeps, 3)
        XCTAssertEqual(clock.now(), start.addingTimeInterval(1.5))
        XCTAssertNil(acquired.brokenLock)
        XCTAssertEqual(try apply.currentLock()?.operation, "cleanup")
    }

    func testWaitingAcquirerGivesUpAtTimeout() async throws {
        let path = statePath()
        let apply = try openStore(path)
        let cleanup = try openStore(path)
        _ = try apply.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 600)
        let sleeper = FakeSleeper(clock: clock)
        do {
            _ = try await StateLock(store: cleanup, sleeper: sleeper, pollInterval: 0.5)
                .acquire(holder: "ci", operation: "cleanup", timeout: 2, staleAfter: 600)
            XCTFail("acquired a held lock")
        } catch let error as LockedError {
            XCTAssertEqual(error.waited, 2)
            XCTAssertTrue(error.userMessage.contains("after waiting 2s; wait, or run `sandbox state unlock`"), error.userMessage)
        }
        XCTAssertEqual(sleeper.sleeps, 4)
    }

    func testRealShortTimeoutAcquiresAfterReleaseFromAnotherTask() async throws {
        let path = statePath()
        let apply = try StateStore.open(path: path, writerVersion: "0.1.0")
        let cleanup = try StateStore.open(path: path, writerVersion: "0.1.0")
        let handle = try apply.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 600)
        let releaser = Task {
            try await Task.sleep(nanoseconds: 200_000_000)
            return try handle.release()
        }
        let started = Date()
        let acquired = try await cleanup.lock(pollInterval: 0.05).acquire(holder: "ci", operation: "cleanup", timeout: 1, staleAfter: 600)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThanOrEqual(elapsed, 0.15)
        XCTAssertLessThan(elapsed, 1)
        let released = try await releaser.value
        XCTAssertTrue(released)
        XCTAssertTrue(try acquired.isHeld())
    }

    func testLockOfDeadProcessOnThisHostIsBroken() throws {
        let store = try openStore()
        let dead = try deadPid()
        let ghost = StateLock(store: store, identity: ProcessIdentity(pid: dead, host: host))
        let stale = try ghost.tryAcquire(holder: "ghost", operation: "apply", staleAfter: 3600)

        let handle = try store.lock().tryAcquire(holder: "alice", operation: "cleanup", staleAfter: 3600)
        let broken = try XCTUnwrap(handle.brokenLock)
        XCTAssertEqual(broken.lock, stale.info)
        XCTAssertEqual(broken.reason, "process \(dead) on \(host) is gone")
        XCTAssertEqual(broken.description, "\(stale.info): process \(dead) on \(host) is gone")
        XCTAssertEqual(broken.message, "broke stale lock held by \(broken.description)")
        XCTAssertEqual(try store.currentLock()?.holder, "alice")
        XCTAssertFalse(try stale.release(), "a broken lock's handle cannot release its successor")
        XCTAssertEqual(try store.currentLock()?.holder, "alice")
    }

    func testLockOfDeadPidOnAnotherHostIsNotBroken() throws {
        let store = try openStore()
        let remote = StateLock(store: store, identity: ProcessIdentity(pid: try deadPid(), host: "build-runner-7"))
        _ = try remote.tryAcquire(holder: "ci", operation: "apply", staleAfter: 3600)
        XCTAssertThrowsError(try store.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 3600)) { error in
            XCTAssertTrue(error.oneLine.contains("on build-runner-7"), error.oneLine)
        }
    }

    func testLockOfLiveChildProcessHoldsUntilItDies() throws {
        let store = try openStore()
        let child = try startShell("exec sleep 5")
        defer { if child.isRunning { child.terminate() } }
        let childLock = StateLock(store: store, identity: ProcessIdentity(pid: child.processIdentifier, host: host))
        _ = try childLock.tryAcquire(holder: "child", operation: "apply", staleAfter: 3600)

        XCTAssertThrowsError(try store.lock().tryAcquire(holder: "alice", operation: "cleanup", staleAfter: 3600)) { error in
            XCTAssertEqual((error as? LockedError)?.lock.pid, child.processIdentifier)
            XCTAssertTrue(error.oneLine.contains("pid \(child.processIdentifier) on \(self.host)"), error.oneLine)
        }

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let handle = try store.lock().tryAcquire(holder: "alice", operation: "cleanup", staleAfter: 3600)
        XCTAssertEqual(handle.brokenLock?.lock.pid, child.processIdentifier)
    }

    func testStaleHeartbeatIsBrokenAndFreshHeartbeatIsNot() throws {
        let path = statePath()
        let apply = try openStore(path)
        let cleanup = try openStore(path)
        let start = clock.now()
        let first = try apply.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 60)

        clock.advance(by: 100)
        try first.heartbeat()
        XCTAssertEqual(try cleanup.currentLock()?.heartbeat, start.addingTimeInterval(100))
        XCTAssertEqual(try cleanup.currentLock()?.since, start)
        clock.advance(by: 50)
        XCTAssertThrowsError(try cleanup.lock().tryAcquire(holder: "ci", operation: "cleanup", staleAfter: 60))

        clock.advance(by: 70)
        let second = try cleanup.lock().tryAcquire(holder: "ci", operation: "cleanup", staleAfter: 60)
        let broken = try XCTUnwrap(second.brokenLock)
        XCTAssertEqual(broken.reason, "no heartbeat for 120s (stale after 60s)")
        XCTAssertTrue(broken.message.hasPrefix("broke stale lock held by alice (pid"), broken.message)

        assertStateError(try first.heartbeat(), .lockLost)
        XCTAssertFalse(try first.isHeld())
        XCTAssertFalse(try first.release())
        XCTAssertTrue(try second.isHeld())
    }

    func testForceUnlock() throws {
        let store = try openStore()
        XCTAssertNil(try store.forceUnlock())
        let handle = try store.lock().tryAcquire(holder: "alice", operation: "apply", staleAfter: 600)
        XCTAssertEqual(try store.lock().currentLock(), handle.info)
        XCTAssertEqual(try store.lock().forceUnlock(), handle.info)
        XCTAssertNil(try store.currentLock())
        assertStateError(try handle.heartbeat(), .lockLost)
        XCTAssertFalse(try handle.release())
        _ = try store.lock().tryAcquire(holder: "ci", operation: "cleanup", staleAfter: 600)
        XCTAssertEqual(try store.serial, 0, "locking is not a state change")
    }
}
