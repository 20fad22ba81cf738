import ArgumentParser
import SandboxCore

/// `--json` and the log level, shared by most commands.
public struct OutputOptionGroup: ParsableArguments, Sendable {
    @Flag(help: "Print machine-readable JSON instead of text.")
    public var json = false

    @Option(name: .customLong("log-level"), help: "Log to stderr at this level: debug, info, warn, error, off (default: SANDBOX_LOG or warn).")
    public var logLevel: String?

    public init() {}

    public func validate() throws {
        if let logLevel, LogLevel(name: logLevel) == nil {
            throw ValidationError("--log-level must be one of debug, info, warn, error, off")
        }
    }
}
