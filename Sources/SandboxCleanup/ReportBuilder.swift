import Foundation
import SandboxCore
import SandboxReport

/// Assembles the validation report of a cleanup and writes it only after proving it holds no secret.
public struct ReportBuilder: Sendable {
    public let scope: RunScope
    public let accountId: String
    public let region: String
    public let sandboxVersion: String
    public let stackFile: String
    public let stackSHA256: String

    public init(scope: RunScope, accountId: String, region: String, sandboxVersion: String, stackFile: String, stackSHA256: String) {
        self.scope = scope
        self.accountId = accountId
        self.region = region
        self.sandboxVersion = sandboxVersion
        self.stackFile = stackFile
        self.stackSHA256 = stackSHA256
    }

    public func report(result: CleanupResult, workspace: String?, startedAt: Date?, finishedAt: Date, junitFiles: [String]) -> ValidationReport {
        report(result: result, workspace: workspace, startedAt: startedAt, finishedAt: finishedAt,
               tests: junitFiles.isEmpty ? nil : junitFiles.map { JUnitSummary.read(path: $0) })
    }

    /// - Parameter tests: the JUnit files, read once by the caller (nil: none given).
    public func report(result: CleanupResult, workspace: String?, startedAt: Date?, finishedAt: Date, tests: [JUnitSummary]?) -> ValidationReport {
        let remaining = result.dryRun ? (result.before ?? RunInventory()) : result.remaining
        var cleanup = ValidationReport.Cleanup(
            dryRun: result.dryRun, alreadyClean: result.alreadyClean, objectsDeleted: result.objectsDeleted, versionsDeleted: result.versionsDeleted,
            deleteMarkersDeleted: result.deleteMarkersDeleted, uploadsAborted: result.uploadsAborted, tablesDeleted: result.tablesDeleted,
            databaseDeleted: result.databaseDeleted, bytesDeleted: result.bytesDeleted, requests: result.requests, seconds: result.seconds,
            passes: result.passes, objectsRemaining: max(0, remaining.objects) + remaining.versions + remaining.deleteMarkers,
            uploadsRemaining: remaining.uploads, databasePresent: remaining.databasePresent, remainingSample: remaining.sampleKeys,
            keyFailures: result.keyFailures.count, error: result.error, errorCategory: result.errorCategory, sentence: result.sentence(scope: scope),
            remainingUnknown: !result.dryRun && result.remaining.objects < 0)
        if !result.dryRun {
            cleanup.throttles = result.throttles
            cleanup.deleteRate = (result.deleteRate * 10).rounded() / 10
        }
        return ValidationReport(runId: scope.runId, workspace: workspace, accountId: accountId, region: region, bucket: scope.bucket,
                                s3TestPrefix: scope.root, s3RunPrefix: scope.prefix, glueDatabasePrefix: scope.gluePrefix,
                                glueDatabase: scope.database, startedAt: startedAt, finishedAt: finishedAt, sandboxVersion: sandboxVersion,
                                stackFile: stackFile, stackSHA256: stackSHA256, tests: tests, cleanup: cleanup)
    }
}

/// Writes a report's Markdown and JSON, refusing when either contains a secret.
public enum ReportWriter {
    public struct Written: Sendable {
        public let markdownPath: String
        public let jsonPath: String
        public let markdown: String
    }

    /// Proves the report directory can be written (it, or the nearest ancestor that exists, is a writable directory)
    /// without creating anything. Called before the first AWS call, so a cleanup never deletes a run and then finds
    /// it cannot write the evidence.
    public static func checkWritable(directory: String) throws {
        var candidate = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw SimpleError(.usage, "cannot write reports to \(directory): \(candidate.path) is a file; pass --report-dir DIR")
                }
                guard access(candidate.path, W_OK | X_OK) == 0 else {
                    throw SimpleError(.usage, "cannot write reports to \(directory): \(candidate.path) is not writable; pass --report-dir DIR")
                }
                return
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return }
            candidate = parent
        }
    }

    /// Renders the report and refuses it when it holds a credential in use or an AWS-secret-shaped string.
    /// - Parameter beforeCleanup: the check runs on the report's inputs before anything is deleted.
    @discardableResult
    public static func checkSecrets(_ report: ValidationReport, knownSecrets: Set<String>, beforeCleanup: Bool = false) throws -> (markdown: String, json: String) {
        let markdown = MarkdownRenderer.render(report)
        let json = try report.json()
        let findings = SecretScanner.scan(markdown + "\n" + json, knownSecrets: knownSecrets)
        if let first = findings.first {
            let outcome = beforeCleanup ? "nothing was written and nothing deleted" : "nothing was written"
            // Before cleanup the inputs (workspace, JUnit files) are at fault: a usage error, exit 2.
            throw SimpleError(beforeCleanup ? .usage : .internal, "refusing to write the report: it contains \(first) (\(findings.count) finding(s)); \(outcome)")
        }
        return (markdown, json)
    }

    public static func write(_ report: ValidationReport, directory: String, knownSecrets: Set<String>, stamp: Date) throws -> Written {
        let (markdown, json) = try checkSecrets(report, knownSecrets: knownSecrets)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stem = "\(directory)/\(report.runId)-\(RunIdentifier.mint(template: "{timestamp}", at: stamp))"
        // Two cleanups of a run within one second must not overwrite each other's evidence.
        var base = stem
        var attempt = 1
        while FileManager.default.fileExists(atPath: base + ".md") || FileManager.default.fileExists(atPath: base + ".json") {
            attempt += 1
            base = "\(stem)-\(attempt)"
        }
        try Data(markdown.utf8).write(to: URL(fileURLWithPath: base + ".md"), options: .atomic)
        try Data(json.utf8).write(to: URL(fileURLWithPath: base + ".json"), options: .atomic)
        return Written(markdownPath: base + ".md", jsonPath: base + ".json", markdown: markdown)
    }
}
