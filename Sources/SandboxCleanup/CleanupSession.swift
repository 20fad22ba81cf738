import Foundation
import SandboxCore
import SandboxReport
import SandboxState

/// One cleanup of one run from its inputs to its evidence: the report's inputs checked for secrets before anything is
/// deleted, the sweep (or dry run), the validation report written, the outcome recorded in state, and the verdict.
/// The CLI only gathers the inputs and renders what comes back.
public struct CleanupSession: Sendable {
    /// What the caller knows before cleanup starts.
    public struct Inputs: Sendable {
        public var scope: RunScope
        public var accountId: String
        public var region: String
        public var stackFile: String
        public var stackSHA256: String
        /// The workspace named by the caller; nil: the one state recorded for the run.
        public var workspace: String?
        /// The run as state recorded it before this cleanup, if it did.
        public var existing: RunRecord?
        /// The JUnit results to include, read once by the caller; nil: none given.
        public var tests: [JUnitSummary]?
        /// Credentials in use; a report holding one is refused.
        public var knownSecrets: Set<String>
        public var reportDirectory: String
        public var dryRun: Bool

        public init(scope: RunScope, accountId: String, region: String, stackFile: String, stackSHA256: String, workspace: String?,
                    existing: RunRecord?, tests: [JUnitSummary]?, knownSecrets: Set<String>, reportDirectory: String, dryRun: Bool) {
            self.scope = scope
            self.accountId = accountId
            self.region = region
            self.stackFile = stackFile
            self.stackSHA256 = stackSHA256
            self.workspace = workspace
            self.existing = existing
            self.tests = tests
            self.knownSecrets = knownSecrets
            self.reportDirectory = reportDirectory
            self.dryRun = dryRun
        }
    }

    /// What a cleanup leaves: its counts, the report as written, and how it ended.
    public struct Conclusion: Sendable {
        public let result: CleanupResult
        public let report: ValidationReport
        public let written: ReportWriter.Written
        public let verdict: CleanupVerdict

        /// Why the run is not proven clean, in one line (nil when it is, or when a dry run listed it).
        public var problem: String? {
            let runId = report.runId
            if let error = result.error {
                return "cleanup of run \(runId) stopped early: \(Diagnostic.escapingControlCharacters(error))"
            }
            if !result.proven && !result.dryRun {
                return "cleanup of run \(runId) is not proven: \(report.cleanup.sentence)"
            }
            return nil
        }
    }

    /// Applies a change to the newest state; a remote state re-reads and retries it until it lands.
    public typealias StateUpdate = @Sendable (_ change: @escaping @Sendable (StateStore) throws -> Void) async throws -> Void

    public let inputs: Inputs
    public let engine: CleanupEngine
    public let clock: WallClock

    public init(_ inputs: Inputs, engine: CleanupEngine, clock: WallClock) {
        self.inputs = inputs
        self.engine = engine
        self.clock = clock
    }

    /// Cleans (or, with `dryRun`, lists) the run, writes its report and records the outcome through `updateState`
    /// (not on a dry run). Throws before anything is deleted when the report's inputs hold a secret.
    public func run(updateState: StateUpdate) async throws -> Conclusion {
        let scope = inputs.scope
        let builder = ReportBuilder(scope: scope, accountId: inputs.accountId, region: inputs.region, sandboxVersion: SandboxVersion.current,
                                    stackFile: inputs.stackFile, stackSHA256: inputs.stackSHA256)
        let workspace = inputs.workspace ?? inputs.existing?.workspace
        let startedAt = inputs.existing?.startedAt ?? RunIdentifier.timestamp(in: scope.runId.rawValue)
        // The report's inputs (workspace, JUnit results) are checked before anything is deleted: a report refused
        // afterwards would leave a cleaned run without its evidence.
        let preview = builder.report(result: CleanupResult(), workspace: workspace, startedAt: startedAt, finishedAt: clock.now(), tests: inputs.tests)
        try ReportWriter.checkSecrets(preview, knownSecrets: inputs.knownSecrets, beforeCleanup: true)

        let startedCleanup = clock.now()
        let result = inputs.dryRun ? await engine.dryRun() : await engine.run()
        engine.progress?.sweepEnded()
        let finished = clock.now()
        let report = builder.report(result: result, workspace: workspace, startedAt: startedAt, finishedAt: finished, tests: inputs.tests)
        // Absolute, so the path recorded in state still finds the report from another directory (sandbox report).
        let directory = URL(fileURLWithPath: inputs.reportDirectory).standardizedFileURL.path
        let written = try ReportWriter.write(report, directory: directory, knownSecrets: inputs.knownSecrets, stamp: finished)
        if !inputs.dryRun {
            let recorder = CleanupRecorder(scope: scope, result: result, report: report, reportPath: written.jsonPath,
                                           workspace: inputs.workspace, started: startedCleanup, finished: finished)
            try await updateState { store in try recorder.record(in: store) }
        }
        return Conclusion(result: result, report: report, written: written, verdict: CleanupVerdict(result))
    }
}
