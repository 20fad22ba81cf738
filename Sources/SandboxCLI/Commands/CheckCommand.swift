import ArgumentParser
import Foundation
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
            let environment = try invocation.aws(options)
            let checker = ReadinessChecker(stack: stack, variables: variables, aws: environment,
                                           options: ReadinessOptions(expectAccount: expectAccount, failOnLeftovers: failOnLeftovers, probe: probe,
                                                                     statePath: Paths.state(stackOptions.state, stack: stack, environment: invocation.environment)))
            let report = await checker.run()
            if let junit {
                try Data(JUnitWriter.render(report).utf8).write(to: URL(fileURLWithPath: junit), options: .atomic)
            }
            if let summary = invocation.environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty, let handle = FileHandle(forWritingAtPath: summary) {
                handle.seekToEndOfFile()
                handle.write(Data(CheckView.markdown(report).utf8))
                try? handle.close()
            }
            if output.json {
                console.out(try JSONOutput.encode(report))
            } else {
                for line in CheckView.lines(report) { console.out(line) }
                if env {
                    for key in report.environment.keys.sorted() { console.out(ShellQuote.export(key, report.environment[key] ?? "")) }
                }
            }
            if report.ready { return 0 }
            return report.credentialFailure ? SandboxExit.credentials : SandboxExit.failure
        }
    }
}

/// The human table and the Markdown summary of a readiness check.
enum CheckView {
    static func lines(_ report: ReadinessReport) -> [String] {
        var lines: [String] = []
        if let failure = report.firstFailure {
            lines.append("NOT READY: \(failure.name): \(failure.detail)\(failure.fix.map { " (fix: \($0))" } ?? "")")
        } else {
            lines.append("READY: account \(report.accountId ?? "?"), \(report.region ?? "?") (\(report.results.count) checks in \(String(format: "%.2f", report.seconds))s)")
        }
        let width = min(44, report.results.map(\.name.count).max() ?? 10)
        for result in report.results {
            let name = result.name.padding(toLength: max(width, result.name.count), withPad: " ", startingAt: 0)
            var line = "  \(result.status.mark) \(name)  \(result.detail)"
            if result.status != .pass, let fix = result.fix { line += " — fix: \(fix)" }
            lines.append(line)
        }
        return lines
    }

    static func markdown(_ report: ReadinessReport) -> String {
        var lines = ["## sandbox check: \(report.ready ? "ready" : "NOT ready")", "", "| | Check | Detail |", "| --- | --- | --- |"]
        for result in report.results {
            let detail = (result.detail + (result.fix.map { " (fix: \($0))" } ?? "")).replacingOccurrences(of: "|", with: "\\|")
            lines.append("| \(result.status.mark) | \(result.name) | \(detail) |")
        }
        return lines.joined(separator: "\n") + "\n\n"
    }
}
