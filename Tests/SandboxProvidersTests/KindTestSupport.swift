import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// A context on a `StubTransport`: custom endpoint (S3 path-style), one attempt, no real sleeping.
func stubContext(_ stub: StubTransport, consistencyAttempts: Int = 3) throws -> ProviderContext {
    let client = AWSClient(region: try Region("us-east-1"),
                           endpoints: EndpointResolver(global: URL(string: "http://stub.test:4566")!),
                           credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIDSTUB", secretAccessKey: "secret")),
                           transport: stub, retryPolicy: RetryPolicy(maxAttempts: 1), clock: FixedClock(), sleeper: RecordingSleeper())
    return ProviderContext(client: client, accountId: "123456789012", region: "us-east-1", commonTags: [:],
                           consistency: ConsistencyPolicy(attempts: consistencyAttempts, sleeper: RecordingSleeper()))
}

/// The provider the engine uses for kind `K`.
func adapter<K: KindDefinition>(_ kind: K.Type) -> KindAdapter<K> { KindAdapter<K>() }

extension HTTPRequest {
    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// "GET /bucket?tagging" for S3, the Query `Action`, or the JSON target's operation.
    var operation: String {
        if let target = headers["X-Amz-Target"], let dot = target.lastIndex(of: ".") { return String(target[target.index(after: dot)...]) }
        if bodyText.hasPrefix("Action=") {
            return String(bodyText.dropFirst("Action=".count).prefix { $0 != "&" })
        }
        let query = url.query.map { "?" + ($0.split(separator: "&").first.map { String($0.split(separator: "=").first ?? "") } ?? "") } ?? ""
        return "\(method) \(url.path)\(query)"
    }

    /// A Query-protocol form parameter, percent-decoded.
    func form(_ name: String) -> String? {
        for pair in bodyText.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if URIEncoding.decode(String(parts[0])) == name { return parts.count > 1 ? URIEncoding.decode(String(parts[1])) : "" }
        }
        return nil
    }
}

/// A canned answer for one operation.
struct Answer: Sendable {
    let operation: String
    let status: Int
    let body: String

    init(_ operation: String, status: Int = 200, _ body: String = "") {
        self.operation = operation
        self.status = status
        self.body = body
    }
}

/// Records what a stub was sent, in order.
final class Sent: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [HTTPRequest] = []
    func add(_ request: HTTPRequest) { lock.withLock { items.append(request) } }
    var requests: [HTTPRequest] { lock.withLock { items } }
    var operations: [String] { requests.map(\.operation) }
}

extension StubTransport {
    /// Expects these requests in this order, each answered as given.
    @discardableResult
    func expectInOrder(_ answers: [Answer], sent: Sent) -> StubTransport {
        for answer in answers {
            let data = Data(answer.body.utf8)
            let operation = answer.operation
            expect(check: { request in
                sent.add(request)
                return request.operation == operation ? nil : "expected \(operation), got \(request.operation)"
            }, answer: { _ in HTTPResponse(status: answer.status, body: data) })
        }
        return self
    }

    /// Expects these requests in any order (reads a kind sends concurrently), each answered by its operation.
    @discardableResult
    func expectAnyOrder(_ answers: [Answer], sent: Sent) -> StubTransport {
        let pending = PendingAnswers(answers)
        for _ in answers {
            expect(check: { request in
                sent.add(request)
                return pending.has(request.operation) ? nil : "unexpected \(request.operation)"
            }, answer: { request in
                let answer = pending.take(request.operation)
                return HTTPResponse(status: answer?.status ?? 599, body: Data((answer?.body ?? "").utf8))
            })
        }
        return self
    }
}

final class PendingAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [Answer]
    init(_ answers: [Answer]) { self.answers = answers }
    func has(_ operation: String) -> Bool { lock.withLock { answers.contains { $0.operation == operation } } }
    func take(_ operation: String) -> Answer? {
        lock.withLock {
            guard let index = answers.firstIndex(where: { $0.operation == operation }) else { return nil }
            return answers.remove(at: index)
        }
    }
}

func XCTAssertStubDone(_ stub: StubTransport, file: StaticString = #filePath, line: UInt = #line) {
    let problems = stub.verify()
    XCTAssertTrue(problems.isEmpty, problems.joined(separator: "\n"), file: file, line: line)
}

/// Runs `body` and returns the error it throws (fails the test when it throws none).
func thrown(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> Error? {
    do {
        try await body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

func s3Error(_ code: String, _ message: String = "") -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>\(message)</Message><RequestId>r</RequestId></Error>"
}

func iamError(_ code: String, _ message: String = "m") -> String {
    "<ErrorResponse><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>r</RequestId></ErrorResponse>"
}

func jsonError(_ type: String, _ message: String = "m") -> String { #"{"__type":"\#(type)","Message":"\#(message)"}"# }

/// Answers S3 sends for an empty body on success.
let s3OK = ""
