import Foundation
import SandboxAWS
@testable import SandboxCheck
import SandboxCore
import SandboxEngine
import SandboxServices
import SandboxStack
import SandboxTestSupport
import XCTest

enum CheckFixtures {
    static let account = "123456789012"
    static let region = "eu-west-1"

    /// An AWS environment with static credentials from the environment, aimed at `transport` on a custom endpoint
    /// (so S3 is path-style), one attempt per call, no config files.
    static func environment(_ transport: HTTPTransport, region: String = region) throws -> AWSEnvironment {
        let missing = NSTemporaryDirectory() + "sandbox-check-tests-no-such-file"
        return try AWSEnvironment(options: AWSOptions(region: region, endpointURL: "http://stub.test:4566", maxAttempts: 1),
                                  environment: ["AWS_ACCESS_KEY_ID": "AKIDCHECK", "AWS_SECRET_ACCESS_KEY": "secret",
                                                "AWS_CONFIG_FILE": missing, "AWS_SHARED_CREDENTIALS_FILE": missing, "HOME": missing],
                                  transport: transport, clock: FixedClock(), sleeper: RecordingSleeper())
    }

    static func context(_ transport: HTTPTransport, findings: Findings = Findings()) throws -> CheckContext {
        CheckContext(aws: try environment(transport), clock: FixedClock(), findings: findings)
    }

    static func identity(_ account: String = account) -> CallerIdentity {
        CallerIdentity(account: account, arn: "arn:aws:iam::\(account):user/ci", userId: "AIDACI")
    }

    static func stack(_ yaml: String, file: String = "stack.yaml") throws -> Stack {
        try StackParser.parse(yaml, file: file)
    }

    /// Findings as the stack check leaves them: identity and the stack evaluated for the fixture account.
    static func evaluated(_ stack: Stack, transport: HTTPTransport, variables: [String: JSONValue] = [:]) async throws -> CheckContext {
        var context = try context(transport)
        context.findings.identity = identity()
        let outcome = try await StackCheck(stack: stack, variables: variables).run(context)
        XCTAssertNil(outcome.result, "the stack evaluates")
        context.findings.merge(outcome.findings)
        return context
    }

    static let callerIdentity = """
        <GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn>
        <UserId>AIDACI</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
        """

    static func s3Error(_ code: String, status: Int = 404) -> HTTPResponse {
        HTTPResponse(status: status, body: Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>m</Message><RequestId>r</RequestId></Error>".utf8))
    }

    static func jsonError(_ type: String, status: Int = 400) -> HTTPResponse {
        HTTPResponse(status: status, body: Data(#"{"__type":"\#(type)","Message":"m"}"#.utf8))
    }
}

extension StubTransport {
    /// Answers the next `count` requests, in whatever order they come (checks read in parallel), with `route`.
    @discardableResult
    func route(_ count: Int, _ route: @escaping @Sendable (HTTPRequest) -> HTTPResponse) -> StubTransport {
        for _ in 0..<count { expect(check: { _ in nil }, answer: { route($0) }) }
        return self
    }
}

extension HTTPRequest {
    /// The JSON protocol's operation (`AWSBudgetServiceGateway.DescribeBudget` -> `DescribeBudget`) or the Query `Action`.
    var operation: String {
        if let target = headers["X-Amz-Target"] { return String(target.split(separator: ".").last ?? "") }
        let body = String(decoding: self.body, as: UTF8.self)
        return body.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst("Action=".count)) } ?? "\(method) \(url.path)"
    }
}

func XCTAssertStubDone(_ stub: StubTransport, file: StaticString = #filePath, line: UInt = #line) {
    let problems = stub.verify()
    XCTAssertTrue(problems.isEmpty, problems.joined(separator: "\n"), file: file, line: line)
}

/// A check with a scripted outcome that records when it ran, for the runner's tests.
struct ScriptedCheck: ReadinessCheck {
    let name: CheckName
    var requires: Set<CheckName> = []
    var reads: Set<CheckName> = []
    var listedWhenSkipped = true
    var status: CheckResult.Status = .pass
    var findings = Findings()
    var bucket: String?
    /// Thrown instead of answering.
    var error: SimpleError?
    var delay: Double = 0
    var log: RunLog?
    /// Asserts on the findings it sees.
    var sees: (@Sendable (Findings) -> Void)?

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        await log?.started(name)
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
        sees?(context.findings)
        await log?.finished(name)
        if let error { throw error }
        return CheckOutcome(CheckResult(name: name.description, status: status, detail: "\(name) \(status.rawValue)"), findings: findings, bucket: bucket)
    }
}

/// The order checks started and finished in.
actor RunLog {
    private(set) var events: [String] = []
    func started(_ name: CheckName) { events.append("start \(name)") }
    func finished(_ name: CheckName) { events.append("end \(name)") }
}
