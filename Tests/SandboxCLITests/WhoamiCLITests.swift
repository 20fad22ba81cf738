import Foundation
import SandboxTestSupport
import XCTest

/// `sandbox whoami` end to end through the binary: identity against moto, and every kind of bad input
/// ending in one line and a non-zero exit.
final class WhoamiCLITests: XCTestCase {
    var directory: URL!
    var runner: CommandRunner!

    override func setUpWithError() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        let server = try MotoServer.shared()
        directory = try CommandRunner.temporaryDirectory()
        runner = CommandRunner(endpoint: server.endpoint, directory: directory)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func assertOneLineError(_ result: CommandRunner.Result, contains text: String, status: Int32, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, "stdout: \(result.stdout) stderr: \(result.stderr)", file: file, line: line)
        let lines = result.stderr.split(separator: "\n").filter { !$0.isEmpty }
        XCTAssertEqual(lines.count, 1, "expected one error line, got: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(text), "\(result.stderr) does not mention \(text)", file: file, line: line)
        XCTAssertFalse(result.output.contains("Fatal error"), file: file, line: line)
        assertNoSecrets(result, file: file, line: line)
    }

    func assertNoSecrets(_ result: CommandRunner.Result, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(result.output.contains(CommandRunner.secretAccessKey), "secret leaked", file: file, line: line)
        XCTAssertFalse(result.output.contains(CommandRunner.sessionToken), "session token leaked", file: file, line: line)
    }

    func testWhoamiNamesIdentityAndSource() throws {
        let result = try runner.run(["whoami"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("123456789012"))
        XCTAssertTrue(result.stdout.contains("Credentials: env"))
        XCTAssertTrue(result.stdout.contains(runner.endpoint.absoluteString))
        assertNoSecrets(result)
    }

    func testWhoamiJSONWithDebugLogsLeaksNoSecret() throws {
        let result = try runner.run(["whoami", "--json", "--log-level", "debug"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        XCTAssertEqual(object?["account"] as? String, "123456789012")
        XCTAssertEqual(object?["credentialKind"] as? String, "env")
        XCTAssertEqual(object?["region"] as? String, "us-east-1")
        XCTAssertTrue(result.stderr.contains("STS GetCallerIdentity"), "debug log expected: \(result.stderr)")
        assertNoSecrets(result)
    }

    func testProfileSourceIsNamed() throws {
        try "[profile team]\nregion = eu-west-1\n".write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        try "[team]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = \(CommandRunner.secretAccessKey)\n"
            .write(to: directory.appendingPathComponent("aws-credentials"), atomically: true, encoding: .utf8)
        let result = try runner.run(["whoami", "--json"], environment: [
            "AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_SESSION_TOKEN": nil, "AWS_REGION": nil, "AWS_PROFILE": "team",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("profile team"), result.stdout)
        XCTAssertTrue(result.stdout.contains("eu-west-1"), result.stdout)
        assertNoSecrets(result)
    }

    func testMalformedConfigFile() throws {
        try "[profile team\nregion = eu-west-1\n".write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        let result = try runner.run(["whoami"], environment: ["AWS_PROFILE": "team"])
        assertOneLineError(result, contains: "aws-config:1", status: 3)
    }

    func testUnknownProfile() throws {
        try "[profile team]\nregion = eu-west-1\n".write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        let result = try runner.run(["whoami", "--profile", "nope"])
        assertOneLineError(result, contains: "nope", status: 3)
    }

    func testFailingCredentialProcess() throws {
        try "[profile proc]\ncredential_process = /bin/sh -c 'echo boom >&2; exit 7'\n"
            .write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        let result = try runner.run(["whoami", "--profile", "proc"])
        assertOneLineError(result, contains: "7", status: 3)
    }

    func testCredentialProcessPrintingBadJSON() throws {
        try "[profile proc]\ncredential_process = /bin/echo not-json \(CommandRunner.secretAccessKey)\n"
            .write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        let result = try runner.run(["whoami", "--profile", "proc"])
        assertOneLineError(result, contains: "JSON", status: 3)
    }

    func testMalformedRegion() throws {
        let result = try runner.run(["whoami", "--region", "mars-1"])
        assertOneLineError(result, contains: "mars-1", status: 2)
    }

    func testUnreachableEndpointIsOneLineAndRetriedOnlyTheConfiguredAttempts() throws {
        // A port nothing listens on: connection refused, retried 2 times, then one line naming the endpoint.
        let started = Date()
        let result = try runner.run(["whoami", "--max-attempts", "2", "--log-level", "debug"], environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
        XCTAssertEqual(result.status, 4, result.stderr)
        let errorLines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errorLines.count, 1, result.stderr)
        XCTAssertTrue(errorLines.first?.contains("127.0.0.1:9") == true, result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "GetCallerIdentity failed").count - 1, 2, "expected exactly 2 attempts: \(result.stderr)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
    }

    func testEndpointAnsweringHTML() throws {
        // A tiny loopback server that answers every request with an HTML page.
        let server = try HTMLServer.start()
        defer { server.stop() }
        let result = try runner.run(["whoami", "--max-attempts", "1"], environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(server.port)"])
        assertOneLineError(result, contains: "HTML", status: 4)
    }

    func testNoCredentialsListsWhatWasTried() throws {
        let result = try runner.run(["whoami"], environment: ["AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil, "AWS_SESSION_TOKEN": nil])
        assertOneLineError(result, contains: "tried", status: 3)
    }

    func testVersionAndCompletion() throws {
        let version = try runner.run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertFalse(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        let completion = try runner.run(["--generate-completion-script", "bash"])
        XCTAssertEqual(completion.status, 0)
        XCTAssertTrue(completion.stdout.contains("sandbox"))
    }
}

/// A loopback HTTP server (python3's http.server) that answers everything with an HTML error page.
final class HTMLServer: @unchecked Sendable {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    static func start() throws -> HTMLServer {
        let script = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def _page(self):
                body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
                self.send_response(200); self.send_header("Content-Type", "text/html"); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _page
            def log_message(self, *a): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        print(s.server_address[1], flush=True)
        s.serve_forever()
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw MotoServerError("HTML test server did not start")
        }
        return HTMLServer(process: process, port: port)
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
