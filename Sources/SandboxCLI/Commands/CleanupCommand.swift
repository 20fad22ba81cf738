import ArgumentParser
import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxCore
import SandboxProviders
import SandboxReport
import SandboxServices
import SandboxStack
import SandboxState

/// `sandbox cleanup`: delete exactly one run's data (or stale runs), prove it, and write the validation report.
struct CleanupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cleanup", abstract: "Delete a run's S3 prefix and Glue database, verify, and write the report.")

    @Option(name: .customLong("run"), help: "The run id to clean (must match the stack's run id pattern); default: the stack's id_variable (FLOE_PROVIDER_SPIKE_RUN) from the environment.")
    var runId: String?

    @Flag(help: "Clean every run older than --older-than instead of one run.")
    var stale = false

    @Option(name: .customLong("older-than"), help: "With --stale: age such as 36h or 3d (default: the lifecycle retention).")
    var olderThan: String?

    @Option(help: "Workspace recorded in the report.")
    var workspace: String?

    @Option(name: .customLong("junit"), help: "JUnit XML test results to include (repeatable).")
    var junit: [String] = []

    @Option(name: .customLong("report-dir"), help: "Where reports go (default State/reports).")
    var reportDir: String = "State/reports"

    @Flag(name: .customLong("dry-run"), help: "Show what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(name: .customLong("stall-timeout"), help: "Seconds S3 may throttle every delete (SlowDown) without one key deleted before cleanup stops with exit 4 (default 300). Throttling never stops a cleanup that still makes progress.")
    var stallTimeout: Double = 300

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    func validate() throws {
        if stale && runId != nil { throw ValidationError("pass one of --run RUN_ID and --stale, not both") }
        if olderThan != nil, !stale { throw ValidationError("--older-than goes with --stale") }
        if let olderThan, Age.parse(olderThan) == nil { throw ValidationError("--older-than must look like 90m, 36h or 3d") }
        if !(1...86_400).contains(stallTimeout) { throw ValidationError("--stall-timeout must be between 1 and 86400 seconds") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            try ReportWriter.checkWritable(directory: reportDir)
            let runId = try stale ? nil : self.runId ?? ScriptInterface.runId(stackOptions: stackOptions, environment: invocation.environment)
            let runs = try await RunSession.open(invocation, stackOptions: stackOptions, awsOptions: aws, runIds: runId.map { [$0] } ?? [])
            try ScriptInterface.checkEnvironment(runs.settings, stack: runs.session.stack, environment: invocation.environment)
            if let runId {
                let scope = try runs.settings.scope(runId: runId)
                try await refuseSharedDatabase(scope, state: runs.session.state)
                let outcome = try await clean(scope, runs: runs, invocation: invocation, console: console)
                if outcome.code == 0, !dryRun, !output.json { console.out(ScriptInterface.successLine) }
                return outcome.code
            }
            return try await cleanStale(runs: runs, invocation: invocation, console: console)
        }
    }

    struct Outcome {
        let code: Int32
        let report: ValidationReport
    }

    /// - Parameter printJSON: false when the caller prints one JSON document for several runs (`--stale --json`).
    func clean(_ scope: RunScope, runs: RunSession, invocation: Invocation, console: Console, printJSON: Bool = true) async throws -> Outcome {
        let session = runs.session
        let progress: CleanupProgress? = quiet || output.json ? nil : CleanupProgressView(console: console, terminal: console.stderrIsTerminal)
        var engine = CleanupEngine(scope: scope, client: session.aws.client, progress: progress,
                                   rate: AdaptiveDeleteRate.Settings(stallTimeout: stallTimeout))
        engine.accountId = session.identity.account
        let existing = try await session.state.read { store in try store?.run(id: scope.runId) }
        let builder = ReportBuilder(scope: scope, accountId: session.identity.account, region: session.region, sandboxVersion: SandboxVersion.current,
                                    stackFile: session.stack.file, stackSHA256: session.stack.sha256)
        let startedAt = existing?.startedAt ?? RunIdentifier.timestamp(in: scope.runId)
        var secrets = invocation.redactor.knownSecrets
        if let credentials = try? await session.aws.credentials.resolve()?.credentials {
            secrets.insert(credentials.secretAccessKey)
            if let token = credentials.sessionToken { secrets.insert(token) }
        }
        // The report's inputs (workspace, JUnit results) are checked before anything is deleted: a report refused
        // afterwards would leave a cleaned run without its evidence.
        let tests = junit.isEmpty ? nil : junit.map { JUnitSummary.read(path: $0) }  // read once, for the check and the report
        let preview = builder.report(result: CleanupResult(), workspace: workspace ?? existing?.workspace, startedAt: startedAt,
                                     finishedAt: invocation.clock.now(), tests: tests)
        try ReportWriter.checkSecrets(preview, knownSecrets: secrets, beforeCleanup: true)

        let startedCleanup = invocation.clock.now()
        let result = dryRun ? await engine.dryRun() : await engine.run()
        (progress as? CleanupProgressView)?.finish()
        let finished = invocation.clock.now()
        let report = builder.report(result: result, workspace: workspace ?? existing?.workspace, startedAt: startedAt,
                                    finishedAt: finished, tests: tests)
        // Absolute, so the path recorded in state still finds the report from another directory (sandbox report).
        let directory = URL(fileURLWithPath: reportDir).standardizedFileURL.path
        let written = try ReportWriter.write(report, directory: directory, knownSecrets: secrets, stamp: finished)
        if !dryRun {
            try await record(scope: scope, result: result, report: report, reportPath: written.jsonPath, state: session.state,
                       started: startedCleanup, finished: finished)
        }
        StepSummary.append(written.markdown, environment: invocation.environment)
        if output.json {
            if printJSON { console.out(try report.json()) }
        } else {
            CleanupView.show(report, result: result, written: written, console: console)
        }
        // One line on stderr says why the run is not proven clean, also when stdout carries only the JSON report.
        if let error = result.error {
            console.err("error: cleanup of run \(scope.runId) stopped early: \(Diagnostic.escapingControlCharacters(error))")
        } else if !result.proven && !dryRun {
            console.err("error: cleanup of run \(scope.runId) is not proven: \(report.cleanup.sentence)")
        }
        let code: Int32
        if dryRun { code = result.error == nil ? 0 : SandboxExit.code(for: result.errorCategory ?? .infrastructure) }
        else if result.proven { code = 0 }
        else if let category = result.errorCategory { code = SandboxExit.code(for: category) }
        else { code = SandboxExit.failure }
        return Outcome(code: code, report: report)
    }

    /// Run ids that differ only by case or by `-` versus `_` (possible under a custom id pattern) name one Glue
    /// database; cleaning one must not drop the database another recorded run still uses.
    func refuseSharedDatabase(_ scope: RunScope, state: StateTarget) async throws {
        let others = try await state.read { store in
            try store?.runs().filter { $0.runId != scope.runId && $0.glueDatabase == scope.database && $0.status != .cleaned } ?? []
        }
        if let other = others.first {
            throw SimpleError(.usage, "run \(scope.runId) and run \(other.runId) (recorded in state, \(other.status.rawValue)) share Glue database \(scope.database): nothing was deleted; clean \(other.runId) first, or use run ids that differ in more than case and '-' versus '_'")
        }
    }

    /// Records the run's outcome and the cleanup; with a remote state, re-read and retried until it lands.
    func record(scope: RunScope, result: CleanupResult, report: ValidationReport, reportPath: String, state: StateTarget,
                started: Date, finished: Date) async throws {
        let status: RunStatus = result.proven ? .cleaned : .cleanupFailed
        let testResult: JSONValue? = report.tests.flatMap { tests in
            (try? JSONEncoder().encode(tests)).flatMap { JSONValue.parse(String(decoding: $0, as: UTF8.self)) }
        }
        let counts: [String: Int] = [
            "objects": result.objectsDeleted, "versions": result.versionsDeleted, "delete_markers": result.deleteMarkersDeleted,
            "uploads": result.uploadsAborted, "tables": result.tablesDeleted, "database": result.databaseDeleted ? 1 : 0,
            "bytes": Int(result.bytesDeleted), "requests": result.requests, "remaining_objects": report.cleanup.objectsRemaining,
            "remaining_uploads": report.cleanup.uploadsRemaining, "database_present": report.cleanup.databasePresent ? 1 : 0,
        ]
        let workspace = self.workspace
        let outcome: CleanupOutcome = result.proven ? (result.alreadyClean ? .alreadyClean : .cleaned) : .failed
        try await state.update { store in
            // Decided against the newest state: another runner may have recorded this run meanwhile.
            if try store.run(id: scope.runId) == nil {
                try store.recordRun(RunRecord(runId: scope.runId, workspace: workspace ?? "unknown", s3Prefix: scope.prefix, glueDatabase: scope.database,
                                              startedAt: RunIdentifier.timestamp(in: scope.runId) ?? started, status: status, finishedAt: finished,
                                              reportPath: reportPath, testResult: testResult))
            } else {
                _ = try store.updateRun(id: scope.runId) { run in
                    run.status = status
                    run.finishedAt = finished
                    run.reportPath = reportPath
                    if let testResult { run.testResult = testResult }
                }
            }
            _ = try store.recordCleanup(CleanupRecord(id: nil, runId: scope.runId, startedAt: started, finishedAt: finished,
                                                      outcome: outcome, counts: counts, reportPath: reportPath))
        }
    }

    /// Finds run prefixes and databases older than the limit and cleans them one by one; anything that is not a run id is left alone.
    func cleanStale(runs: RunSession, invocation: Invocation, console: Console) async throws -> Int32 {
        let session = runs.session
        let limit = try olderThan.flatMap(Age.parse) ?? retention(session) * 86400
        let cutoff = invocation.clock.now().addingTimeInterval(-limit)
        let runRecords = try await session.state.read { store in try store?.runs() ?? [] }
        let recorded = Dictionary(runRecords.map { ($0.runId, $0.startedAt) }, uniquingKeysWith: { a, _ in a })
        let (leftovers, ignored) = try await LeftoverScanner(settings: runs.settings, client: session.aws.client).scan(recorded: recorded)
        let targets = leftovers.filter { leftover in
            let started = [leftover.startedAt, recorded[leftover.runId]].compactMap { $0 }.min()
            return started.map { $0 < cutoff } ?? false
        }
        if !output.json {
            console.out("Stale runs older than \(Age.text(limit)) (started before \(cutoff.formatted(.iso8601))): \(targets.count) of \(leftovers.count)")
            for item in ignored { console.out("  left alone: \(item)") }
        }
        var worst: Int32 = 0
        var reports: [ValidationReport] = []
        var proven = 0
        for leftover in targets {
            let scope = try runs.settings.scope(runId: leftover.runId)
            do {
                try await refuseSharedDatabase(scope, state: session.state)
            } catch let error as SandboxError {
                console.err("error: skipped: \(error.userMessage)")
                worst = max(worst, SandboxExit.code(for: error.category))
                continue
            }
            let outcome = try await clean(scope, runs: runs, invocation: invocation, console: console, printJSON: false)
            reports.append(outcome.report)
            if outcome.code == 0 { proven += 1 }
            worst = max(worst, outcome.code)
        }
        if output.json {
            // One document, so `--stale --json | jq` works however many runs were cleaned.
            console.out(try JSONOutput.encode(StaleCleanup(olderThanSeconds: limit, cutoff: cutoff, leftovers: leftovers.count,
                                                           proven: proven, runs: reports,
                                                           leftAlone: ignored.map { "\($0)" })))
        }
        return worst
    }

    /// What `cleanup --stale --json` prints: the cutoff, every run's report, and what was not a run and left alone.
    struct StaleCleanup: Encodable {
        let olderThanSeconds: Double
        let cutoff: Date
        let leftovers: Int
        /// Runs proven gone.
        let proven: Int
        let runs: [ValidationReport]
        let leftAlone: [String]
    }

    /// The stack's lifecycle retention in days, or 3.
    func retention(_ session: StackSession) throws -> Double {
        guard let desired = try? session.desired() else { return 3 }
        let resources = desired.resources.values.sorted { $0.address < $1.address }.map { (type: $0.address.type, attributes: $0.attributes) }
        return BucketLifecycleSetting.expirationDays(among: resources) ?? 3
    }
}

/// The provider-testing guide's cleanup script's interface: the run id and the sandbox's names from the
/// environment the tests already have, and its closing line.
enum ScriptInterface {
    /// What the script prints when the run is gone; CI greps for it.
    static let successLine = "Cleanup checks passed"

    /// The run id from the stack's `id_variable` (FLOE_PROVIDER_SPIKE_RUN) when `--run` is not given.
    static func runId(stackOptions: StackOptionGroup, environment: [String: String]) throws -> String {
        let stack = try StackParser.load(path: try Paths.stack(stackOptions.stack, environment: environment))
        let variable = stack.runs?.idVariable ?? "SANDBOX_RUN_ID"
        guard let value = environment[variable], !value.isEmpty else {
            throw SimpleError(.usage, "no run to clean: pass --run RUN_ID, set \(variable) (the stack's runs.id_variable), or pass --stale")
        }
        return value
    }

    /// The bucket, run root and Glue prefix the environment names (FLOE_AWS_TEST_BUCKET, FLOE_AWS_TEST_PREFIX,
    /// FLOE_AWS_GLUE_DATABASE_PREFIX: the outputs whose value is the runs: entry's) must be the stack's.
    static func checkEnvironment(_ settings: RunSettings, stack: Stack, environment: [String: String]) throws {
        guard let scheme = stack.runs else { return }
        let exported = stack.outputs.filter(\.isEnvironmentVariable)
        for (field, template, value) in [("bucket", scheme.bucket, settings.bucket), ("s3_root", scheme.s3Root, settings.root),
                                         ("glue_prefix", scheme.gluePrefix, settings.gluePrefix)] {
            for output in exported where output.value.stringValue != nil && output.value.stringValue == template.stringValue {
                guard let set = environment[output.name], !set.isEmpty, set != value else { continue }
                throw SimpleError(.usage, "\(output.name)=\(set) but the stack's runs.\(field) is \(value): nothing was deleted; unset \(output.name) or make the stack agree (--var, --state)")
            }
        }
    }
}

