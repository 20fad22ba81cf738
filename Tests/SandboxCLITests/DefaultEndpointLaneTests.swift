import Foundation
import SandboxTestSupport
import XCTest

/// The default-endpoint lane: the binary with no endpoint override, resolving the real AWS host names, inside a private
/// mount+network namespace where those names are loopback and a throwaway CA signs them (`Tests/default_endpoint_lane.py`
/// does the work there). whoami, apply, check, cleanup and destroy in two regions, trusted once through
/// `AWS_CA_BUNDLE` and once through the system store. Skips where `unshare -m -n` is not allowed (it needs root or
/// user namespaces).
final class DefaultEndpointLaneTests: XCTestCase {
    private static let tools = ["/usr/bin/unshare", "/usr/sbin/ip", "/usr/bin/mount", "/usr/bin/umount"]

    /// Runs `executable ARGS` with `environment`, returning status and both outputs, bounded by `timeout` seconds.
    private func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval) throws -> (Int32, String, String) {
        let result = try CommandRunner.runProcess(URL(fileURLWithPath: executable), arguments, environment: environment, timeout: timeout)
        return (result.status, result.stdout, result.stderr)
    }

    func testLifecycleAgainstTheRealHostNamesInTwoRegionsWithBothTrustModes() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        for tool in Self.tools {
            try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: tool), "default-endpoint lane skipped: \(tool) is missing (util-linux, iproute2)")
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        var environment = ["PATH": "\(path):/usr/sbin:/sbin"]
        let probe = try run("/usr/bin/unshare", ["-m", "-n", "/usr/sbin/ip", "link", "set", "lo", "up"], environment: environment, timeout: 20)
        try XCTSkipUnless(probe.0 == 0, "default-endpoint lane skipped: `unshare -m -n` is not permitted here (needs root): \(probe.2.trimmingCharacters(in: .whitespacesAndNewlines))")

        // Under coverage the binary's profiles land where CommandRunner puts them, so the lane counts too.
        if let parent = ProcessInfo.processInfo.environment["LLVM_PROFILE_FILE"], !parent.isEmpty {
            environment["LLVM_PROFILE_FILE"] = URL(fileURLWithPath: parent).deletingLastPathComponent().appendingPathComponent("sandbox-%p.profraw").path
        }
        let script = CommandRunner.repositoryRoot.appendingPathComponent("Tests/default_endpoint_lane.py").path
        let (status, stdout, stderr) = try run("/usr/bin/unshare", ["-m", "-n", "/usr/bin/env", "python3", script, "--sandbox", CommandRunner.binary.path],
                                               environment: environment, timeout: 240)
        let last = stdout.split(separator: "\n").last.map(String.init) ?? ""
        let summary = try XCTUnwrap(try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
                                    "the lane printed no JSON summary (exit \(status)): \(stdout) \(stderr.suffix(3000))")
        XCTAssertEqual(status, 0, "lane failed: \(summary["error"] ?? "?")")
        XCTAssertEqual(summary["ok"] as? Bool, true, "lane failed: \(summary["error"] ?? "?")")

        let regions = summary["regions"] as? [[String: Any]] ?? []
        XCTAssertEqual(regions.compactMap { $0["region"] as? String }, ["us-east-1", "eu-west-1"])
        XCTAssertEqual(regions.compactMap { $0["trust"] as? String }, ["AWS_CA_BUNDLE", "system store"])
        for region in regions {
            let name = region["region"] as? String ?? "?"
            let endpoints = Set(region["endpoints"] as? [String] ?? [])
            XCTAssertEqual(endpoints, ["sts.\(name).amazonaws.com", "s3.\(name).amazonaws.com", "glue.\(name).amazonaws.com",
                                       "iam.amazonaws.com", "budgets.amazonaws.com"], "whoami's endpoints in \(name)")
        }
        let serverNames = Set(summary["server_names"] as? [String] ?? [])
        for bucket in ["floe-provider-tests-123456789012-us-east-1.s3.us-east-1.amazonaws.com", "floe-provider-tests-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com"] {
            XCTAssertTrue(serverNames.contains(bucket), "no TLS connection named \(bucket): \(serverNames.sorted())")
        }
        let steps = summary["steps"] as? [[String: Any]] ?? []
        let ran = Set(steps.compactMap { ($0["step"] as? String)?.split(separator: " ").dropFirst().first.map(String.init) })
        XCTAssertTrue(["whoami", "apply", "check", "cleanup", "destroy"].allSatisfy(ran.contains), "steps run: \(ran.sorted())")
    }
}
