import Foundation
import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// 2026-01-01T00:00:00Z: the fixed "now" of credential tests.
let testNow = Date(timeIntervalSince1970: 1_767_225_600)

/// Words every fake secret contains; no error message may ever include them.
let sentinelWords = ["SENTINEL", "EXAMPLE"]

/// A throwaway home directory with `~/.aws` files, removed when the test ends.
final class TempHome {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "sandbox-creds-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes a file below the home directory and returns its absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    func config(_ text: String) throws { try write(".aws/config", text) }
    func credentials(_ text: String) throws { try write(".aws/credentials", text) }

    /// An environment holding only `HOME` (and PATH for credential_process) plus the extras.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ["HOME": path, "PATH": "/usr/bin:/bin"]
        env.merge(extra) { _, new in new }
        return env
    }
}

/// A credential context whose network is the stub and whose clock is fixed.
func makeContext(environment: [String: String], transport: StubTransport, clock: FixedClock, redactor: Redactor? = nil,
                 processTimeout: TimeInterval = 10) -> CredentialContext {
    // Endpoint overrides in the environment apply to credential exchanges too, as in AWSEnvironment.
    let endpoints = (try? EndpointResolver.fromEnvironment(environment, profileEndpoint: nil)) ?? EndpointResolver()
    let client = AWSClient(region: .usEast1, endpoints: endpoints, credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "UNUSED", secretAccessKey: "UNUSED")),
                           transport: transport, retryPolicy: RetryPolicy(maxAttempts: 1), clock: clock, sleeper: RecordingSleeper(clock: clock))
    return CredentialContext(environment: environment, client: client, redactor: redactor, processTimeout: processTimeout)
}

/// The decoded `name=value` pairs of a form-encoded Query request body.
func formFields(_ request: HTTPRequest) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
        fields[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    return fields
}

/// A canned STS answer with temporary credentials.
func stsCredentialsXML(action: String, keyId: String, secret: String, token: String, expiration: String) -> String {
    """
    <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <\(action)Result>
        <Credentials>
          <AccessKeyId>\(keyId)</AccessKeyId>
          <SecretAccessKey>\(secret)</SecretAccessKey>
          <SessionToken>\(token)</SessionToken>
          <Expiration>\(expiration)</Expiration>
        </Credentials>
        <AssumedRoleUser>
          <AssumedRoleId>AROA123:sandbox</AssumedRoleId>
          <Arn>arn:aws:sts::123456789012:assumed-role/deploy/sandbox</Arn>
        </AssumedRoleUser>
      </\(action)Result>
      <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
    </\(action)Response>
    """
}

/// Runs `body`, expecting it to throw; fails when the message leaks a sentinel or lacks an expected fragment.
@discardableResult
func expectError(_ fragments: [String] = [], file: StaticString = #filePath, line: UInt = #line,
                 _ body: () async throws -> Void) async -> Error? {
    do {
        try await body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch {
        assertNoSecrets(error, file: file, line: line)
        let message = error.oneLine
        for fragment in fragments {
            XCTAssertTrue(message.contains(fragment), "'\(message)' does not contain '\(fragment)'", file: file, line: line)
        }
        return error
    }
}

/// Fails when any rendering of the error contains a sentinel secret or spans several lines.
func assertNoSecrets(_ error: Error, file: StaticString = #filePath, line: UInt = #line) {
    for text in [error.oneLine, String(describing: error), "\(error)"] {
        for word in sentinelWords {
            XCTAssertFalse(text.contains(word), "error text leaks a secret: \(text)", file: file, line: line)
        }
    }
    if let sandbox = error as? SandboxError {
        XCTAssertFalse(sandbox.userMessage.contains("\n"), "message is not one line: \(sandbox.userMessage)", file: file, line: line)
    }
}

func assertVerified(_ transport: StubTransport, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(transport.verify(), [], file: file, line: line)
}
