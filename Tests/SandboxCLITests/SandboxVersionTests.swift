import Foundation
import SandboxTestSupport
import XCTest

/// VERSION at the repository root is the one place the version is set: the generated
/// Sources/SandboxCore/SandboxVersion.swift (`make version`) and `sandbox --version` must both say it.
final class SandboxVersionTests: XCTestCase {
    func version() throws -> String {
        let text = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("VERSION"), encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testVersionFileIsASemanticVersion() throws {
        let version = try version()
        XCTAssertNotNil(version.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$"#, options: .regularExpression),
                        "VERSION holds '\(version)', expected MAJOR.MINOR.PATCH[-PRE]")
    }

    func testGeneratedSwiftFileMatchesVersionFile() throws {
        let version = try version()
        let source = try String(contentsOf: CommandRunner.repositoryRoot.appendingPathComponent("Sources/SandboxCore/SandboxVersion.swift"), encoding: .utf8)
        XCTAssertTrue(source.contains("public static let current = \"\(version)\""),
                      "Sources/SandboxCore/SandboxVersion.swift is not VERSION's \(version); run make version and commit both")
    }

    func testBinaryPrintsVersionFile() throws {
        let runner = CommandRunner(endpoint: URL(fileURLWithPath: "/"), directory: try CommandRunner.temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: runner.directory) }
        let result = try runner.run(["--version"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), try version())
    }
}
