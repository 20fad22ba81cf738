import Foundation
import SandboxTestSupport
import XCTest

/// Seeded random environments, config and credentials files resolved by botocore (the AWS CLI's engine) and by
/// `sandbox whoami --json` against a capturing endpoint on loopback (`Tests/credentials_parity.py`): the access key
/// that signs, the region and every service's endpoint must agree. `SANDBOX_PARITY_CASES` (make soak) runs more.
final class CredentialsParityTests: XCTestCase {
    static let defaultCases = 150
    static let seed = 20_261_201

    func testSandboxResolvesCredentialsRegionAndEndpointsAsBotocore() throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["SANDBOX_PARITY_CASES"].flatMap(Int.init) ?? Self.defaultCases
        let seed = environment["SANDBOX_PARITY_SEED"].flatMap(Int.init) ?? Self.seed
        let script = CommandRunner.repositoryRoot.appendingPathComponent("Tests/credentials_parity.py")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outputURL = scratch.appendingPathComponent("out.txt")
        try Data().write(to: outputURL)

        // A file, not a pipe: the report of many mismatches cannot block the script.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--sandbox", CommandRunner.binary.path, "--cases", String(cases), "--seed", String(seed)]
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = process.standardOutput
        do {
            try process.run()
        } catch {
            throw XCTSkip("cannot run python3 for the credentials parity test: \(error)")
        }
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        switch process.terminationStatus {
        case 0:
            let summary = output.split(separator: "\n").filter { $0.hasPrefix("credentials parity:") || $0.hasPrefix("botocore refusals:") }
            print(summary.joined(separator: "\n"))
            XCTAssertTrue(output.contains("credentials parity: \(cases) cases"), output)
            XCTAssertTrue(output.contains("0 mismatch(es)"), output)
            // The generator must keep reaching every exchange, or the comparison quietly loses its reach.
            for exchange in ["AssumeRole", "AssumeRoleWithWebIdentity", "GetRoleCredentials"] {
                XCTAssertTrue(output.contains(exchange), "no case used \(exchange):\n\(output)")
            }
        case 3: throw XCTSkip("credentials parity skipped: \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
        case 127: throw XCTSkip("credentials parity skipped: python3 is not on PATH")
        default: XCTFail("credentials_parity.py exited \(process.terminationStatus):\n\(output)")
        }
    }
}
