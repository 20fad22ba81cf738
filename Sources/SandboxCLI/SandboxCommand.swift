import Foundation
import ArgumentParser
import SandboxCore

/// The root command: `sandbox`.
public struct SandboxCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Provision, check and clean governed AWS test sandboxes.",
        discussion: "Exit codes: 0 success, 1 negative outcome, 2 usage or stack error, 3 credentials/setup, 4 AWS or endpoint error, 5 state error.",
        version: SandboxVersion.current,
        subcommands: [
            WhoamiCommand.self, ValidateCommand.self, SchemaCommand.self, PlanCommand.self, ApplyCommand.self,
            DestroyCommand.self, ImportCommand.self, OutputCommand.self, GraphCommand.self, StateCommand.self,
            RunCommand.self, CleanupCommand.self, ReportCommand.self, CheckCommand.self, PolicyCommand.self,
        ]
    )

    public init() {}
}

/// The process entry point, called from the `sandbox` executable's `main.swift`.
public enum SandboxEntry {
    public static func main() async {
        do {
            var command = try SandboxCommand.parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            // Bad flags are a usage error: exit 2 as documented, not ArgumentParser's 64.
            if SandboxCommand.exitCode(for: error).rawValue == ExitCode.validationFailure.rawValue {
                let message = SandboxCommand.message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
                FileHandle.standardError.write(Data("error: \(message) (see sandbox help)\n".utf8))
                SandboxCommand.exit(withError: ExitCode(SandboxExit.usage))
            }
            SandboxCommand.exit(withError: error)
        }
    }
}
