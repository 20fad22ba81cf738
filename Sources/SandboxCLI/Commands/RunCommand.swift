import ArgumentParser
import Foundation
import SandboxCleanup
import SandboxCore
import SandboxReport
import SandboxState

/// `sandbox run`: mint and list test runs.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Start or list test runs.", subcommands: [New.self, List.self])

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "new", abstract: "Mint a run id, record it, and print export lines for the tests.")
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @OptionGroup var output: OutputOptionGroup
        @Option(help: "Workspace name recorded with the run (default: SANDBOX_WORKSPACE, GITHUB_JOB or the host name).")
        var workspace: String?

        func run() async throws {
            let invocation = Invocation(output: output)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let runs = try await RunSession.open(invocation, stackOptions: stackOptions, awsOptions: aws)
                let workspace = self.workspace ?? invocation.environment["SANDBOX_WORKSPACE"] ?? invocation.environment["GITHUB_JOB"]
                    ?? ProcessInfo.processInfo.hostName
                // The workspace is stored in state and every report: never let a credential in.
                var secrets = invocation.redactor.knownSecrets
                if let credentials = try? await runs.session.aws.credentials.resolve()?.credentials {
                    secrets.insert(credentials.secretAccessKey)
                    if let token = credentials.sessionToken { secrets.insert(token) }
                }
                if let finding = SecretScanner.scan(workspace, knownSecrets: secrets).first {
                    throw SimpleError(.usage, "refusing to record the run: its workspace name contains \(finding); nothing was recorded")
                }
                let (runId, scope) = try await RunCommand.mintUnique(runs: runs, workspace: workspace, now: invocation.clock.now())
                let scheme = runs.settings.scheme
                if output.json {
                    console.out(try JSONOutput.encode([
                        "run_id": runId.rawValue, "workspace": workspace, "bucket": scope.bucket, "s3_prefix": scope.prefix,
                        "s3_uri": scope.s3URI, "glue_database": scope.database,
                    ]))
                } else {
                    console.out(ShellQuote.export(scheme.idVariable, runId.rawValue))
                    console.out(ShellQuote.export(scheme.prefixVariable, scope.prefix))
                    console.out(ShellQuote.export(scheme.databaseVariable, scope.database))
                }
                return 0
            }
        }
    }

    /// Mints an id no recorded run has: runners that start in the same second get the next free second,
    /// decided against the newest state (remote writers retry on conflicts), so two jobs never share a prefix.
    static func mintUnique(runs: RunSession, workspace: String, now: Date, attempts: Int = 60) async throws -> (RunID, RunScope) {
        for offset in 0..<attempts {
            let started = now.addingTimeInterval(Double(offset))
            // Minted ids enter like typed ones: the stack's template must produce ids its own pattern accepts.
            let runId = try runs.settings.scheme.runID(RunIdentifier.mint(template: runs.settings.scheme.idTemplate, at: started))
            let scope = try runs.settings.scope(runId: runId)
            let recorded = try await runs.session.state.update { store -> Bool in
                guard try store.run(id: runId) == nil else { return false }
                try store.recordRun(RunRecord(runId: runId, workspace: workspace, s3Prefix: scope.prefix, glueDatabase: scope.database,
                                              startedAt: started, status: .open, finishedAt: nil, reportPath: nil, testResult: nil))
                return true
            }
            if recorded { return (runId, scope) }
        }
        throw SimpleError(.state, "could not mint a free run id in \(attempts) tries; too many runs started at once")
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List recorded runs with status and age.")
        @OptionGroup var stackOptions: StackOptionGroup
        @OptionGroup var aws: AWSOptionGroup
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let invocation = Invocation(output: nil)
            let console = Console(redactor: invocation.redactor)
            try await execute(console) {
                let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
                let runs = try await target.read { store in try store?.runs() ?? [] }.sorted { $0.startedAt < $1.startedAt }
                if json {
                    console.out(try JSONOutput.encode(runs))
                    return 0
                }
                if runs.isEmpty { console.out("No runs recorded."); return 0 }
                let now = invocation.clock.now()
                for run in runs {
                    console.out("\(run.runId)  \(run.status.rawValue)  \(Age.text(now.timeIntervalSince(run.startedAt)))  \(run.workspace)")
                }
                return 0
            }
        }
    }
}

/// Human ages: 42s, 5m, 3h, 2d.
enum Age {
    static func text(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    /// Parses `90s`, `30m`, `12h`, `3d`.
    static func parse(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let value = Double(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: return nil
        }
    }
}
