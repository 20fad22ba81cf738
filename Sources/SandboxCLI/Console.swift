import ArgumentParser
import Foundation
import SandboxCore

/// Writes command output and errors; every line passes the redactor as a last fence against leaks.
struct Console: Sendable {
    let redactor: Redactor

    func out(_ text: String) {
        FileHandle.standardOutput.write(Data((redactor.redact(text) + "\n").utf8))
    }

    func err(_ text: String) {
        FileHandle.standardError.write(Data((redactor.redact(text) + "\n").utf8))
    }

    var isTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Prints an error the way users should see it: diagnostics one per line, anything else on one line.
    func report(_ error: Error) {
        if let diagnostics = error as? DiagnosticsError {
            for diagnostic in diagnostics.diagnostics { err(diagnostic.description) }
            let count = diagnostics.diagnostics.filter { $0.severity == .error }.count
            err("error: \(count) problem\(count == 1 ? "" : "s") found")
        } else {
            err("error: \(error.oneLine)")
        }
    }
}

/// Runs a command body, turning thrown errors into one printed line and the documented exit code.
func execute(_ console: Console, _ body: () async throws -> Int32) async throws {
    let code: Int32
    do {
        code = try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        console.report(error)
        throw ExitCode(SandboxExit.code(for: error.failureCategory))
    }
    if code != 0 { throw ExitCode(code) }
}

/// JSON encoding shared by every `--json` output.
enum JSONOutput {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Asks for confirmation on a terminal; refuses without one.
enum Approval {
    static func confirm(_ console: Console, action: String) throws -> Bool {
        guard isatty(STDIN_FILENO) == 1 else {
            throw SimpleError(.usage, "\(action) needs confirmation but standard input is not a terminal; pass --auto-approve")
        }
        console.out("Do you want to \(action)? Only 'yes' will be accepted.")
        FileHandle.standardOutput.write(Data("  Enter a value: ".utf8))
        return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
    }
}
