import Foundation
import SandboxTestSupport
import XCTest

/// Trust and proxies end to end through the binary: moto behind a loopback TLS terminator whose certificate a
/// throwaway CA signed, so only `AWS_CA_BUNDLE` or the profile's `ca_bundle` makes it trusted; HTTPS proxies from
/// the environment tunnel with CONNECT and `NO_PROXY` bypasses them.
final class TLSTrustTests: XCTestCase {
    nonisolated(unsafe) static var fixture: TLSFixture?
    nonisolated(unsafe) static var otherCA: TLSFixture?
    nonisolated(unsafe) static var terminator: TLSFixture.Server?
    nonisolated(unsafe) static var proxy: TLSFixture.Server?
    nonisolated(unsafe) static var root: URL?

    var directory: URL!
    var runner: CommandRunner!

    override class func tearDown() {
        terminator?.stop()
        proxy?.stop()
        if let root { try? FileManager.default.removeItem(at: root) }
        super.tearDown()
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(MotoServer.isAvailable, "moto is not installed (pip install 'moto[server]')")
        if Self.fixture == nil {
            let root = try CommandRunner.temporaryDirectory()
            Self.root = root
            let fixture = try TLSFixture(directory: root.appendingPathComponent("ca"))
            Self.otherCA = try TLSFixture(directory: root.appendingPathComponent("other-ca"))
            Self.terminator = try fixture.terminator(upstream: try MotoServer.shared().endpoint)
            Self.proxy = try fixture.proxy()
            Self.fixture = fixture
        }
        directory = try CommandRunner.temporaryDirectory()
        let endpoint = try XCTUnwrap(URL(string: "https://localhost:\(try XCTUnwrap(Self.terminator).port)"))
        runner = CommandRunner(endpoint: endpoint, directory: directory)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private var fixture: TLSFixture { Self.fixture! }
    private var terminator: TLSFixture.Server { Self.terminator! }

    private func assertOneLine(_ result: CommandRunner.Result, status: Int32, mentions texts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(result.status, status, "stdout: \(result.stdout) stderr: \(result.stderr)", file: file, line: line)
        XCTAssertEqual(result.stderr.split(separator: "\n").filter { !$0.isEmpty }.count, 1, result.stderr, file: file, line: line)
        for text in texts { XCTAssertTrue(result.stderr.contains(text), "\(result.stderr) does not mention \(text)", file: file, line: line) }
        XCTAssertFalse(result.output.contains(CommandRunner.secretAccessKey), "secret leaked", file: file, line: line)
    }

    private func handshakes(_ outcome: String) -> Int { terminator.log.filter { $0.hasPrefix("handshake \(outcome)") }.count }

    func testUntrustedCertificateFailsAtOnceNamingTheStoreAndTheEndpoint() throws {
        let before = handshakes("failed")
        let result = try runner.run(["whoami"], environment: ["AWS_MAX_ATTEMPTS": "3"])
        assertOneLine(result, status: 4, mentions: ["TLS to \(runner.endpoint.absoluteString)", "system trust store", "AWS_CA_BUNDLE", "ca_bundle"])
        XCTAssertEqual(handshakes("failed") - before, 1, "a certificate failure must not be retried: \(terminator.log)")
    }

    func testAWSCABundleIsTrustedInPlaceOfTheSystemStore() throws {
        let result = try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": fixture.caPath])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("123456789012"), result.stdout)
    }

    func testProfileCABundleIsTrusted() throws {
        try "[profile tls]\nca_bundle = \(fixture.caPath)\n".write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        // Selected by AWS_PROFILE, the profile gives its settings while the exported keys sign.
        let withKeys = try runner.run(["whoami"], environment: ["AWS_PROFILE": "tls"])
        XCTAssertEqual(withKeys.status, 0, withKeys.stderr)
    }

    func testEnvironmentBundleOutranksTheProfile() throws {
        try "[default]\nca_bundle = \(fixture.caPath)\n".write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        let other = try XCTUnwrap(Self.otherCA).caPath
        let result = try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": other])
        assertOneLine(result, status: 4, mentions: ["CA bundle \(other) (from AWS_CA_BUNDLE)"])
    }

    func testBundleWithSeveralCertificatesTrustsEach() throws {
        let bundle = directory.appendingPathComponent("bundle.pem")
        let pems = try [XCTUnwrap(Self.otherCA).caPath, fixture.caPath].map { try String(contentsOfFile: $0, encoding: .utf8) }
        try pems.joined().write(to: bundle, atomically: true, encoding: .utf8)
        let result = try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": bundle.path])
        XCTAssertEqual(result.status, 0, result.stderr)
    }

    func testMissingOrNonPEMBundleIsASetupError() throws {
        let missing = directory.appendingPathComponent("nope.pem").path
        assertOneLine(try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": missing]), status: 3, mentions: ["AWS_CA_BUNDLE", missing])
        assertOneLine(try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": fixture.keyPath]), status: 3, mentions: [fixture.keyPath, "PEM"])
        try "[default]\nca_bundle = \(missing)\n".write(to: directory.appendingPathComponent("aws-config"), atomically: true, encoding: .utf8)
        assertOneLine(try runner.run(["whoami"]), status: 3, mentions: ["aws-config", missing])
    }

    func testHTTPSProxyTunnelsAndNoProxyBypasses() throws {
        let proxy = try XCTUnwrap(Self.proxy)
        let target = "CONNECT localhost:\(terminator.port)"
        let base = proxy.log.filter { $0 == target }.count
        for variable in ["HTTPS_PROXY", "https_proxy"] {
            let result = try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": fixture.caPath, variable: "http://127.0.0.1:\(proxy.port)"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        XCTAssertEqual(proxy.log.filter { $0 == target }.count - base, 2, "\(proxy.log)")
        let bypassed = try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": fixture.caPath, "HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)",
                                                                "NO_PROXY": "example.com,.localhost"])
        XCTAssertEqual(bypassed.status, 0, bypassed.stderr)
        XCTAssertEqual(proxy.log.filter { $0 == target }.count - base, 2, "NO_PROXY must bypass the proxy: \(proxy.log)")
        // A proxy that is not there fails as a connection error, not a TLS one.
        let dead = try runner.run(["whoami"], environment: ["AWS_CA_BUNDLE": fixture.caPath, "HTTPS_PROXY": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1"])
        XCTAssertEqual(dead.status, 4, dead.stderr)
        XCTAssertTrue(dead.stderr.contains("connection refused"), dead.stderr)
    }
}
