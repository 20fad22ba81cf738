import Foundation
import SandboxCore
import SandboxState

/// The state records every resource as created and is not held by a lock nobody will release.
struct StateCheck: ReadinessCheck {
    let path: String
    /// For a remote state: where it lives and what its lock object says (the local copy's lock says nothing).
    let remoteLock: (location: String, reading: RemoteLockReading)?

    var name: CheckName { .state }
    var requires: Set<CheckName> { [.account] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let (result, records) = verdict(now: context.clock.now())
        var findings = Findings()
        findings.records = records
        return CheckOutcome(result, findings: findings)
    }

    func verdict(now: Date) -> (CheckResult, [ResourceRecord]) {
        guard FileManager.default.fileExists(atPath: path) else {
            return (failure("no state at \(path)", fix: "run sandbox apply (or pass --state)"), [])
        }
        do {
            let store = try StateStore.openExisting(path: path)
            let records = try store.resources()
            if let lock = try lockProblem(store, records: records, now: now) { return (lock, records) }
            if records.isEmpty {
                return (failure("\(path) records no resources", fix: "run sandbox apply"), records)
            }
            let pending = records.filter { $0.status != .created }
            if !pending.isEmpty {
                return (failure("\(pending.count) resource(s) left \(pending[0].status.rawValue) by an interrupted apply", fix: "run sandbox apply"), records)
            }
            return (CheckResult(name: name.description, status: .pass, detail: "\(records.count) resources, serial \(try store.serial), schema current"), records)
        } catch {
            return (CheckResult(name: name.description, status: .fail, detail: error.oneLine, category: .state), [])
        }
    }

    /// A held or unreadable lock: a warning while someone may still release it, a failure when nobody will.
    func lockProblem(_ store: StateStore, records: [ResourceRecord], now: Date) throws -> CheckResult? {
        if let remote = remoteLock {
            switch remote.reading {
            case .free:
                return nil
            case .held(let lock, let expires) where expires < now:
                return warning("\(records.count) resources; \(remote.location) lock expired: \(lock); the next writer takes it over")
            case .held(let lock, _):
                return warning("\(records.count) resources; \(remote.location) locked by \(lock)")
            case .unreadable(let reason):
                return CheckResult(name: name.description, status: .fail, detail: "cannot read the lock of \(remote.location): \(reason)",
                                   fix: "check access to the state bucket", category: .infrastructure)
            }
        }
        guard let lock = try store.lock().currentLock() else { return nil }
        if lock.host == ProcessIdentity.current.host && !ProcessIdentity.isAlive(lock.pid) {
            return failure("locked by a process that is gone: \(lock)", fix: "run sandbox state unlock")
        }
        return warning("\(records.count) resources; locked by \(lock)")
    }

    func failure(_ detail: String, fix: String) -> CheckResult {
        CheckResult(name: name.description, status: .fail, detail: detail, fix: fix, category: .state)
    }

    func warning(_ detail: String) -> CheckResult {
        CheckResult(name: name.description, status: .warn, detail: detail)
    }
}
