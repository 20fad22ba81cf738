import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// A client wired to a `StubTransport`: custom endpoint (so S3 is path-style), one attempt, fixed clock.
func stubClient(_ stub: StubTransport, region: String = "us-east-1") throws -> AWSClient {
    AWSClient(region: try Region(region),
              endpoints: EndpointResolver(global: URL(string: "http://stub.test:4566")!),
              credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIDSTUB", secretAccessKey: "secret")),
              transport: stub, retryPolicy: RetryPolicy(maxAttempts: 1), clock: FixedClock(), sleeper: RecordingSleeper())
}

extension HTTPRequest {
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Query items as sent (percent-decoded), in order.
    var queryItems: [(String, String)] {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (URIEncoding.decode(String(parts[0])), parts.count > 1 ? URIEncoding.decode(String(parts[1])) : "")
        }
    }

    func query(_ name: String) -> String? { queryItems.first { $0.0 == name }?.1 }

    /// Form-encoded body parameters (Query protocol).
    var formParameters: [(String, String)] {
        bodyText.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (URIEncoding.decode(String(parts[0])), parts.count > 1 ? URIEncoding.decode(String(parts[1])) : "")
        }
    }

    func form(_ name: String) -> String? { formParameters.first { $0.0 == name }?.1 }

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// The body as a JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
}

func XCTAssertStubDone(_ stub: StubTransport, file: StaticString = #filePath, line: UInt = #line) {
    let problems = stub.verify()
    XCTAssertTrue(problems.isEmpty, problems.joined(separator: "\n"), file: file, line: line)
}

/// Records the requests a stub saw, for assertions after the call.
final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [HTTPRequest] = []

    func add(_ request: HTTPRequest) {
        lock.lock(); items.append(request); lock.unlock()
    }

    var requests: [HTTPRequest] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    var last: HTTPRequest? { requests.last }
}

extension StubTransport {
    /// Answers the next request with `body` and records it.
    @discardableResult
    func answer(_ capture: Captured, status: Int = 200, headers: [String: String] = [:], body: String = "") -> StubTransport {
        let data = Data(body.utf8)
        return expect(check: { request in capture.add(request); return nil },
                      answer: { _ in HTTPResponse(status: status, headers: headers, body: data) })
    }
}

func s3Error(_ code: String, _ message: String = "") -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>r</RequestId></Error>"
}
