import ArgumentParser
import Foundation
import SandboxBackend
import SandboxCheck
import SandboxCore
import SandboxStack

/// `sandbox check`: the readiness check CI runs before provider tests.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Prove the sandbox is ready for provider tests.",
        discussion: "Exit codes: 0 ready, 1 not ready, 2 usage or stack error, 3 credentials/setup.")

    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    @Option(name: .customLong("junit"), help: "Also write the checks as JUnit XML to this file.")
    var junit: String?

    @Flag(help: "Also print the recommended environment as export lines.")
    var env = false

    @Option(name: .customLong("expect-account"), help: "Fail unless the credentials are for this 12-digit account.")
    var expectAccount: String?

    @Flag(name: .customLong("fail-on-leftovers"), help: "Fail (not just warn) when runs older than the retention remain.")
    var failOnLeftovers = false

    @Flag(help: "Put, read and delete an object and create and drop a Glue database with the current credentials.")
    var probe = false

    func validate() throws {
        if let expectAccount, !(expectAccount.count == 12 && expectAccount.allSatisfy(\.isNumber)) {
            throw ValidationError("--expect-account must be a 12-digit account id")
        }
        if output.json && env { throw ValidationError("choose one of --json and --env (the JSON has an environment object)") }
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let stackPath = try Paths.stack(stackOptions.stack, environment: invocation.environment)
            let stack = try StackParser.load(path: stackPath)
            let (variables, _) = try VariableValues.resolve(stack, inputs: VariableInputs(assignments: stackOptions.vars, files: stackOptions.varFiles,
                                                                                          environment: invocation.environment), requireAll: false)
            var options = aws.options
            if options.region == nil, let pinned = stack.region { options.region = pinned }
            let location = try StateTarget.location(stackOptions, stack: stack, environment: invocation.environment)
            let checkOptions = ReadinessOptions(expectAccount: expectAccount, failOnLeftovers: failOnLeftovers, probe: probe,
                                                statePath: location.description)
            let report: ReadinessReport
            do {
                let environment = try invocation.aws(options)
                // A remote state is checked on a private copy; an absent one is reported by the state check.
                let target = StateTarget(location: location, invocation: invocation, aws: environment)
                let remoteLock = await target.remoteLockReading()
                report = try await target.read { store in
                    var local = checkOptions
                    if let store { local.statePath = store.path }
                    if let remoteLock { local.remoteLock = (location.description, remoteLock) }
                    if case .s3(let bucket, let key) = location {
                        local.stateCalls = S3StateBackend.declaredCalls(bucket: bucket, key: key, region: environment.region.region.name)
                    }
                    return await ReadinessChecker(stack: stack, variables: variables, aws: environment, options: local).run()
                }
            } catch {
                // Config files that do not parse, no region: still one report, so CI shows what failed.
                report = ReadinessChecker.setupFailure(error, stack: stack, variables: variables, options: checkOptions)
            }
            if let junit {
                let xml = invocation.redactor.redact(JUnitWriter.render(report))
                do {
                    try Data(xml.utf8).write(to: URL(fileURLWithPath: junit), options: .atomic)
                } catch {
                    throw SimpleError(.usage, "cannot write --junit \(junit): \(error.localizedDescription)")
                }
            }
            StepSummary.append(invocation.redactor.redact(CheckView.markdown(report)), environment: invocation.environment)
            if output.json {
                console.out(try JSONOutput.encode(report))
            } else if env {
                // stdout carries only export lines, so `eval "$(sandbox check --env)"` works; the table goes to stderr.
                for line in CheckView.lines(report) { console.err(line) }
                if report.ready {
                    for key in report.environment.keys.sorted() { console.out(ShellQuote.export(key, report.environment[key] ?? "")) }
                }
            } else {
                for line in CheckView.lines(report) { console.out(line) }
            }
            return Self.exitCode(report)
        }
    }

    /// 0 ready; 3 credentials or account; 2 stack or flags; 1 anything else not ready.
    static func exitCode(_ report: ReadinessReport) -> Int32 {
        if report.ready { return SandboxExit.success }
        if report.credentialFailure { return SandboxExit.credentials }
        if report.usageFailure { return SandboxExit.usage }
        return SandboxExit.failure
    }
}

/// The human table and the Markdown summary of a readiness check.
enum CheckView {
    static func lines(_ report: ReadinessReport) -> [String] {
        var lines: [String] = []
        if let failure = report.firstFailure {
            lines.append("NOT READY: \(failure.name): \(failure.detail)\(failure.fix.map { " (fix: \($0))" } ?? "")")
        } else {
            let warnings = report.results.filter { $0.status == .warn }.count
            let noted = warnings == 0 ? "" : ", \(warnings) warning\(warnings == 1 ? "" : "s")"
            lines.append("READY: account \(report.accountId ?? "?"), \(report.region ?? "?") (\(report.results.count) checks\(noted) in \(String(format: "%.2f", report.seconds))s)")
        }
        let width = min(50, report.results.map(\.name.count).max() ?? 10)
        for result in report.results {
            let name = result.name.padding(toLength: max(width, result.name.count), withPad: " ", startingAt: 0)
            var line = "  \(result.status.mark) \(name)  \(result.detail)"
            if result.status != .pass, let fix = result.fix { line += " — fix: \(fix)" }
            lines.append(line)
        }
        return lines
    }

    static func markdown(_ report: ReadinessReport) -> String {
        let headline = report.firstFailure.map { "NOT ready: \($0.name) failed" } ?? "ready"
        var lines = ["## sandbox check: \(headline)", "",
                     "Account \(report.accountId ?? "unknown"), region \(report.region ?? "unknown"), \(report.results.count) checks in \(String(format: "%.2f", report.seconds)) s.", "",
                     "| | Check | Status | Detail | Time |", "| --- | --- | --- | --- | --- |"]
        for result in report.results {
            let text = result.detail + (result.status != .pass ? result.fix.map { " (fix: \($0))" } ?? "" : "")
            lines.append("| \(result.status.mark) | \(cell(result.name)) | \(result.status.rawValue) | \(cell(text)) | \(String(format: "%.2f", result.seconds)) s |")
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    /// A Markdown table cell: pipes escaped, one line.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
