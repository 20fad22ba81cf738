import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// An `AWSClient` wired to a `StubTransport`, a `FixedClock`, a `RecordingSleeper` and a fixed jitter.
struct ClientHarness {
    static let keys = Credentials(accessKeyId: "AKIDHARNESS", secretAccessKey: "harness-secret")
    /// 2023-11-14T22:13:20Z.
    static let start = Date(timeIntervalSince1970: 1_700_000_000)

    let transport = StubTransport()
    let clock = FixedClock(ClientHarness.start)
    let sleeper = RecordingSleeper()
    let client: AWSClient

    init(region: String = "eu-west-1", endpoints: EndpointResolver = EndpointResolver(), maxAttempts: Int = 3,
         jitter: Double = 0.5, credentials: CredentialProvider = StaticCredentialProvider(ClientHarness.keys)) throws {
        client = AWSClient(region: try Region(region), endpoints: endpoints, credentialProvider: credentials,
                           transport: transport, retryPolicy: RetryPolicy(maxAttempts: maxAttempts, jitter: { jitter }),
                           clock: clock, sleeper: sleeper)
    }

    var requests: [HTTPRequest] { transport.received }

    func assertScriptFollowed(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(transport.verify(), [], file: file, line: line)
    }

    /// Sends and returns the thrown error (failing the test if the call succeeds).
    func failure(of request: AWSRequest, to service: ServiceDescriptor,
                 file: StaticString = #filePath, line: UInt = #line) async -> Error? {
        do {
            _ = try await client.send(request, to: service)
            XCTFail("expected the call to fail", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }
}

enum Answers {
    static func s3Error(_ code: String, message: String = "stub message") -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>S3REQ</RequestId><HostId>host</HostId></Error>"
    }

    static func queryError(_ code: String, message: String = "stub message") -> String {
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>QUERYREQ</RequestId></ErrorResponse>"
    }

    static func jsonError(_ type: String, message: String = "stub message") -> String {
        #"{"__type":"\#(type)","message":"\#(message)"}"#
    }
}

extension AWSRequest {
    static let glueGetDatabases = AWSRequest(operation: "GetDatabases", journal: .read, method: "POST", path: "/",
                                             headers: ["Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSGlue.GetDatabases"],
                                             body: Data("{}".utf8))

    static func s3Get(bucket: String = "sandbox-data", key: String = "/report.csv") -> AWSRequest {
        AWSRequest(operation: "GetObject", journal: .read, method: "GET", bucket: bucket, path: key)
    }
}

extension HTTPRequest {
    var authorization: String { headers["Authorization"] ?? "" }
    var amzDate: String { headers["X-Amz-Date"] ?? "" }
}

/// Hands out the first credentials until invalidated, then the second; counts invalidations.
final class RotatingCredentialProvider: CredentialProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var invalidated = 0
    let stale: Credentials
    let fresh: Credentials

    init(stale: Credentials, fresh: Credentials) {
        self.stale = stale
        self.fresh = fresh
    }

    var invalidations: Int { lock.withLock { invalidated } }

    func resolve() async throws -> ResolvedCredentials? {
        let current = lock.withLock { invalidated == 0 ? stale : fresh }
        return ResolvedCredentials(credentials: current, source: .explicit("rotating"))
    }

    func invalidate() async {
        lock.withLock { invalidated += 1 }
    }
}
