import ArgumentParser
import Foundation
import SandboxCore
import SandboxReport
import SandboxState

/// `sandbox report --run ID`: re-render a run's validation report from what state recorded.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Re-render a run's validation report from state.")

    @Option(name: .customLong("run"), help: "The run id.") var runId: String
    @Option(help: "md or json.") var format: Format = .md
    @OptionGroup var stackOptions: StackOptionGroup
    @OptionGroup var aws: AWSOptionGroup

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }

    func run() async throws {
        let invocation = Invocation(output: nil)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            // The generic rule only: a recorded run passed its stack's pattern when it was recorded.
            let runId = try RunID(self.runId)
            let (target, _) = try StateTarget.forStack(stackOptions, awsOptions: aws, invocation: invocation)
            guard let run = try await target.read({ store in try store?.run(id: runId) }) else {
                throw SimpleError(.usage, "run \(runId) is not recorded in \(target.location); see sandbox run list")
            }
            guard let path = run.reportPath, let data = FileManager.default.contents(atPath: path) else {
                throw SimpleError(.usage, "run \(runId) has no report yet; run sandbox cleanup --run \(runId)")
            }
            let report = try ValidationReport.decode(String(decoding: data, as: UTF8.self))
            let text = format == .json ? try report.json() : MarkdownRenderer.render(report)
            console.out(text)
            if format == .md { StepSummary.append(text, environment: invocation.environment) }
            return 0
        }
    }
}
