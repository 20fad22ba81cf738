import Foundation
import SandboxCleanup
import SandboxReport

/// The cleanup summary on stdout.
enum CleanupView {
    static func show(_ report: ValidationReport, result: CleanupResult, written: ReportWriter.Written, console: Console) {
        let c = report.cleanup
        if result.dryRun, let before = result.before {
            console.out("Dry run for \(report.runId): nothing deleted.")
            console.out("  would delete: \(before.objects) object(s), \(before.versions) version(s), \(before.deleteMarkers) delete marker(s), \(before.uploads) upload(s), \(before.bytes) bytes")
            console.out("  Glue database \(report.glueDatabase): \(before.databasePresent ? "present, \(before.tables) table(s)" : "absent")")
            for key in before.sampleKeys { console.out("    \(key)") }
            for table in before.sampleTables { console.out("    table \(table)") }
        } else if result.alreadyClean {
            console.out("Run \(report.runId) is already clean.")
        } else if result.error != nil {
            // Not "Cleaned": the sentence and reasons below say what stopped it and what may remain.
            console.out("Cleanup of run \(report.runId) stopped early\(result.dryRun ? " (dry run: nothing deleted)" : ""): \(c.objectsDeleted) object(s), \(c.versionsDeleted) version(s), \(c.deleteMarkersDeleted) delete marker(s), \(c.uploadsAborted) upload(s), \(c.tablesDeleted) table(s) deleted, database \(c.databaseDeleted ? "deleted" : "not deleted"), with \(c.requests) requests.")
        } else {
            console.out("Cleaned run \(report.runId): \(c.objectsDeleted) object(s), \(c.versionsDeleted) version(s), \(c.deleteMarkersDeleted) delete marker(s), \(c.uploadsAborted) upload(s), \(c.tablesDeleted) table(s), database \(c.databaseDeleted ? "deleted" : "absent"); \(c.bytesDeleted) bytes in \(String(format: "%.2f", c.seconds))s with \(c.requests) requests.")
        }
        if let throttles = c.throttles, throttles > 0, let rate = c.deleteRate {
            console.out("S3 throttled \(throttles) request(s) (SlowDown/503); the delete rate adapted to \(Int(rate.rounded())) keys/s.")
        }
        console.out(c.sentence)
        console.out("Status: \(report.status.rawValue) (\(report.classifications.map(\.rawValue).joined(separator: ", ")))")
        for reason in report.reasons { console.out("  - \(reason)") }
        console.out("Report: \(written.markdownPath) and \(written.jsonPath)")
    }
}

/// Cleanup progress: one updating line on a terminal, a line every few seconds otherwise.
final class CleanupProgressView: CleanupProgress, @unchecked Sendable {
    let console: Console
    let terminal: Bool
    private let lock = NSLock()
    private var lastPrinted = Date.distantPast
    private var printedAny = false

    init(console: Console, terminal: Bool) {
        self.console = console
        self.terminal = terminal
    }

    func deleted(objects: Int, bytes: Int64, elapsed: Double) {}

    /// On a TTY: one line rewritten in place (stderr) with rate, ETA and throttles; otherwise a line every 5 s.
    func update(_ progress: SweepProgress) {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let interval = terminal ? 0.1 : 5
        guard now.timeIntervalSince(lastPrinted) >= interval else { return }
        lastPrinted = now
        var line = "deleted \(progress.deleted) of \(progress.listingDone ? "" : "≥")\(progress.listed) objects (\(Int(progress.rate))/s)"
        if let eta = progress.eta { line += ", ETA \(progress.listingDone ? "" : "≥")\(String(format: "%.0f", eta))s" }
        if progress.throttles > 0 { line += ", \(progress.throttles) SlowDown" }
        line += ", \(String(format: "%.1f", progress.elapsed))s"
        if terminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            printedAny = true
        } else {
            console.err(line)
        }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if terminal && printedAny { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
