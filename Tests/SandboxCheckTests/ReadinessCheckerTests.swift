import Foundation
import SandboxAWS
@testable import SandboxCheck
import SandboxCore
import SandboxTestSupport
import XCTest

/// The whole check through the stub transport, the report it makes, and its JSON and JUnit forms.
final class ReadinessCheckerTests: XCTestCase {
    static let yaml = """
        version: 1
        name: ready
        allowed_account_ids: ["123456789012"]
        variables:
          extra: { type: bool, default: false }
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: data-bucket
          budget:
            type: budget
            properties:
              name: ready-budget
              limit_usd: 10
              emails: ["ops@example.com"]
          off:
            type: glue_database_prefix
            enabled: ${var.extra}
            properties:
              prefix: off_
        """

    func check(_ stub: StubTransport, options: ReadinessOptions = ReadinessOptions(statePath: "/nonexistent/state.db"),
               variables: [String: JSONValue] = ["extra": .bool(false)]) async throws -> ReadinessReport {
        let stack = try CheckFixtures.stack(Self.yaml)
        return await ReadinessChecker(stack: stack, variables: variables, aws: try CheckFixtures.environment(stub), options: options, clock: FixedClock()).run()
    }

    static let order = ["credentials", "account", "region", "state", "resource s3_bucket.bucket", "resource budget.budget",
                        "guardrails", "policy", "leftovers", "spend"]

    func testRejectedCredentialsSkipEveryOtherCheckInOrder() async throws {
        let stub = StubTransport()
        for _ in 0..<2 {
            // The client asks twice: it refreshes rejected credentials once and retries.
            stub.expect("GetCallerIdentity", status: 403, body: """
                <ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>invalid</Message></Error></ErrorResponse>
                """)
        }
        let report = try await check(stub)
        XCTAssertEqual(report.results.map(\.name), Self.order, "a disabled resource has no line")
        XCTAssertEqual(report.results.map(\.status), [.fail] + Array(repeating: .skip, count: Self.order.count - 1))
        XCTAssertEqual(Set(report.results.dropFirst().map(\.detail)), ["not checked: credentials failed"])
        XCTAssertTrue(report.credentialFailure)
        XCTAssertFalse(report.ready)
        XCTAssertNil(report.accountId)
        XCTAssertEqual(report.region, CheckFixtures.region)
        XCTAssertEqual(stub.received.map(\.operation), ["GetCallerIdentity", "GetCallerIdentity"], "nothing else was asked")
        XCTAssertStubDone(stub)
    }

    func testTheWrongAccountSkipsAllButTheRegion() async throws {
        let stub = StubTransport().expect("GetCallerIdentity", body: CheckFixtures.callerIdentity)
        let report = try await check(stub, options: ReadinessOptions(expectAccount: "210987654321", statePath: "/nonexistent/state.db"))
        XCTAssertEqual(report.results.map(\.name), Self.order)
        XCTAssertEqual(report.results.prefix(3).map(\.status), [.pass, .fail, .pass])
        XCTAssertEqual(Set(report.results.dropFirst(3).map(\.detail)), ["not checked: account failed"])
        XCTAssertEqual(report.accountId, CheckFixtures.account)
        XCTAssertEqual(report.firstFailure?.name, "account")
        XCTAssertStubDone(stub)
    }

    func testAFullRunReadsEverythingOnceAndListsItInOrder() async throws {
        let stub = StubTransport().expect("GetCallerIdentity", body: CheckFixtures.callerIdentity)
        // Bucket tagging (NoSuchBucket), the budget (absent, read by its resource and by spend), the simulator (absent).
        stub.route(3) { request in
            if request.url.query?.hasPrefix("tagging") ?? false { return CheckFixtures.s3Error("NoSuchBucket") }
            if request.operation == "DescribeBudget" { return CheckFixtures.jsonError("NotFoundException") }
            return CheckFixtures.jsonError("UnexpectedOperation")
        }
        let report = try await check(stub, options: ReadinessOptions(probe: true, statePath: "/nonexistent/state.db"))
        XCTAssertEqual(report.results.map(\.name), Self.order + ["access probe"])
        let byName = Dictionary(uniqueKeysWithValues: report.results.map { ($0.name, $0) })
        XCTAssertEqual(byName["state"]?.detail, "no state at /nonexistent/state.db")
        XCTAssertEqual(byName["resource s3_bucket.bucket"]?.detail, "data-bucket does not exist")
        XCTAssertEqual(byName["resource budget.budget"]?.detail, "ready-budget does not exist")
        XCTAssertEqual(byName["guardrails"]?.status, .warn)
        XCTAssertEqual(byName["policy"]?.status, .skip)
        XCTAssertEqual(byName["leftovers"]?.detail, "the stack declares no runs: section")
        XCTAssertEqual(byName["spend"]?.detail, "not checked: budget ready-budget does not exist (see resource budget.budget)")
        XCTAssertEqual(byName["access probe"]?.detail, "the stack declares no runs: section")
        XCTAssertEqual(report.firstFailure?.name, "state")
        XCTAssertFalse(report.credentialFailure)
        XCTAssertStubDone(stub)
    }

    func testASetupFailureIsOneFailureThenEverySkip() throws {
        let stack = try CheckFixtures.stack(Self.yaml)
        let options = ReadinessOptions(probe: true, statePath: "state.db")
        let report = ReadinessChecker.setupFailure(SimpleError(.usage, "no region: set --region"), stack: stack,
                                                   variables: ["extra": .bool(false)], options: options)
        XCTAssertEqual(report.results.map(\.name), ["aws configuration"] + Self.order + ["access probe"])
        XCTAssertEqual(report.results[0].fix, "fix the AWS settings named above (--region/AWS_REGION, --endpoint-url, ~/.aws/config)")
        XCTAssertEqual(Set(report.results.dropFirst().map(\.detail)), ["not checked: aws configuration failed"])
        XCTAssertTrue(report.usageFailure)

        let credentials = ReadinessChecker.setupFailure(SimpleError(.credentials, "profile ci not found"), stack: stack, options: options)
        // Without the variables the resource is not known to be disabled, so it is listed too.
        XCTAssertEqual(credentials.results.map(\.name), ["credentials", "account", "region", "state", "resource s3_bucket.bucket", "resource budget.budget",
                                                         "resource glue_database_prefix.off", "guardrails", "policy", "leftovers", "spend", "access probe"])
        XCTAssertEqual(credentials.results[0].fix, CredentialsCheck.genericFix)
        XCTAssertEqual(Set(credentials.results.dropFirst().map(\.detail)), ["not checked: credentials failed"])
        XCTAssertTrue(credentials.credentialFailure)
    }
}
