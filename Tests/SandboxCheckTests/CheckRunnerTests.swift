import Foundation
@testable import SandboxCheck
import SandboxCore
import SandboxTestSupport
import XCTest

final class CheckRunnerTests: XCTestCase {
    func run(_ checks: [any ReadinessCheck]) async throws -> (results: [CheckResult], findings: Findings) {
        await CheckRunner(checks: checks).run(try CheckFixtures.context(StubTransport()))
    }

    func testFailedCredentialsSkipEverythingThatNeedsThemNamingTheFailure() async throws {
        let log = RunLog()
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .credentials, status: .fail, log: log),
            ScriptedCheck(name: .account, requires: [.credentials], log: log),
            ScriptedCheck(name: .region, requires: [.credentials], log: log),
            ScriptedCheck(name: .state, requires: [.account], log: log),
            ScriptedCheck(name: .stack, requires: [.account], reads: [.state], listedWhenSkipped: false, log: log),
            ScriptedCheck(name: .spend, requires: [.stack], log: log),
        ]
        let (results, _) = try await run(checks)
        XCTAssertEqual(results.map(\.name), ["credentials", "account", "region", "state", "spend"], "the stack step is not listed when skipped")
        XCTAssertEqual(results.map(\.status), [.fail, .skip, .skip, .skip, .skip])
        // Skipped transitively (spend needs the stack, which needs the account), but the reason is the root failure.
        XCTAssertEqual(Set(results.dropFirst().map(\.detail)), ["not checked: credentials failed"])
        let events = await log.events
        XCTAssertEqual(events, ["start credentials", "end credentials"], "nothing that needs the credentials ran")
    }

    func testAFailureSkipsOnlyWhatRequiresIt() async throws {
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .credentials),
            ScriptedCheck(name: .account, requires: [.credentials], status: .fail),
            ScriptedCheck(name: .region, requires: [.credentials]),
            ScriptedCheck(name: .state, requires: [.account]),
            ScriptedCheck(name: .guardrails, requires: [.state]),
        ]
        let (results, _) = try await run(checks)
        XCTAssertEqual(results.map(\.status), [.pass, .fail, .pass, .skip, .skip])
        XCTAssertEqual(results[3].detail, "not checked: account failed")
        XCTAssertEqual(results[4].detail, "not checked: account failed")
    }

    func testAWarningOrASkipOfItsOwnDoesNotBlock() async throws {
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .state, status: .warn),
            ScriptedCheck(name: .policy, status: .skip),
            ScriptedCheck(name: .spend, requires: [.state, .policy]),
        ]
        let (results, _) = try await run(checks)
        XCTAssertEqual(results.map(\.status), [.warn, .skip, .pass])
    }

    func testStepListedOnlyWhenItFails() async throws {
        let quiet = ScriptedCheck(name: .stack, listedWhenSkipped: false, status: .fail)
        let (results, _) = try await run([quiet, ScriptedCheck(name: .guardrails, requires: [.stack])])
        XCTAssertEqual(results.map(\.name), ["stack", "guardrails"])
        XCTAssertEqual(results[1].detail, "not checked: stack failed")
    }

    func testResultsKeepTheDeclaredOrderWhateverOrderTheyFinishIn() async throws {
        let log = RunLog()
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .credentials, log: log),
            ScriptedCheck(name: .resource(ResourceAddress(type: "s3_bucket", name: "slow")), requires: [.credentials], delay: 0.2, log: log),
            ScriptedCheck(name: .resource(ResourceAddress(type: "s3_bucket", name: "fast")), requires: [.credentials], log: log),
            ScriptedCheck(name: .leftovers, requires: [.credentials], log: log),
        ]
        let (results, _) = try await run(checks)
        XCTAssertEqual(results.map(\.name), ["credentials", "resource s3_bucket.slow", "resource s3_bucket.fast", "leftovers"])
        let events = await log.events
        // The independent reads ran at once: the fast ones finished while the slow one was still running.
        XCTAssertEqual(events.first, "start credentials")
        XCTAssertEqual(events.last, "end resource s3_bucket.slow")
        XCTAssertLessThan(try XCTUnwrap(events.firstIndex(of: "end leftovers")), try XCTUnwrap(events.firstIndex(of: "end resource s3_bucket.slow")))
    }

    func testWavesFollowRequirementsAndReads() {
        let runner = CheckRunner(checks: [
            ScriptedCheck(name: .credentials),
            ScriptedCheck(name: .account, requires: [.credentials]),
            ScriptedCheck(name: .region, requires: [.credentials]),
            ScriptedCheck(name: .state, requires: [.account]),
            ScriptedCheck(name: .stack, requires: [.account], reads: [.state]),
            ScriptedCheck(name: .policy, requires: [.stack]),
            ScriptedCheck(name: .spend, requires: [.stack]),
            // A requirement that is not in the list (nothing failed before the first check) is met.
            ScriptedCheck(name: .guardrails, requires: [.awsConfiguration]),
        ])
        XCTAssertEqual(runner.waves().map { $0.map(\.name.description) },
                       [["credentials", "guardrails"], ["account", "region"], ["state"], ["stack"], ["policy", "spend"]])
    }

    func testFindingsOfEarlierChecksReachLaterOnes() async throws {
        var found = Findings()
        found.identity = CheckFixtures.identity("111122223333")
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .credentials, findings: found),
            ScriptedCheck(name: .account, requires: [.credentials], sees: { findings in
                XCTAssertEqual(findings.identity?.account, "111122223333")
            }),
        ]
        let (results, findings) = try await run(checks)
        XCTAssertEqual(results.map(\.status), [.pass, .pass])
        XCTAssertEqual(findings.identity?.account, "111122223333")
    }

    func testAMissingBucketIsReportedOnceOnTheBucket() async throws {
        var missing = Findings()
        missing.missingBuckets = ["data-bucket"]
        let bucket = ResourceAddress(type: "s3_bucket", name: "data")
        let setting = ResourceAddress(type: "s3_public_access_block", name: "data")
        let other = ResourceAddress(type: "s3_bucket", name: "other")
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .resource(bucket), status: .fail, findings: missing, bucket: "data-bucket"),
            ScriptedCheck(name: .resource(setting), status: .fail, bucket: "data-bucket"),
            ScriptedCheck(name: .resource(other), status: .fail, bucket: "other-bucket"),
            ScriptedCheck(name: .leftovers, status: .fail, bucket: "data-bucket"),
            ScriptedCheck(name: .spend, status: .pass, bucket: "data-bucket"),
        ]
        let (results, _) = try await run(checks)
        XCTAssertEqual(results.map(\.status), [.fail, .skip, .fail, .skip, .pass])
        XCTAssertEqual(results[1].detail, "not checked: bucket data-bucket does not exist")
        XCTAssertEqual(results[3].detail, "not checked: bucket data-bucket does not exist")
    }

    func testAThrownErrorIsAFailureOfThatCheckInOneLine() async throws {
        let checks: [any ReadinessCheck] = [
            ScriptedCheck(name: .spend, error: SimpleError(.credentials, "token expired\nrun aws sso login")),
            ScriptedCheck(name: .policy, error: SimpleError(.aws, "denied")),
        ]
        let (results, _) = try await run(checks)
        XCTAssertEqual(results[0].status, .fail)
        XCTAssertEqual(results[0].detail, "token expired run aws sso login")
        XCTAssertEqual(results[0].category, .credentials)
        XCTAssertEqual(results[0].fix, CredentialsCheck.genericFix)
        XCTAssertEqual(results[1].category, .aws)
        XCTAssertNil(results[1].fix)
    }

    func testEveryCheckIsTimed() async throws {
        let (results, _) = try await run([ScriptedCheck(name: .spend, delay: 0.05)])
        XCTAssertGreaterThanOrEqual(results[0].seconds, 0.05)
    }

    func testSkippedAfterASetupFailureListsEveryCheckButTheFailedOne() {
        let runner = CheckRunner(checks: [
            ScriptedCheck(name: .credentials, requires: [.awsConfiguration]),
            ScriptedCheck(name: .account, requires: [.credentials]),
            ScriptedCheck(name: .stack, requires: [.account], listedWhenSkipped: false),
            ScriptedCheck(name: .spend, requires: [.stack]),
        ])
        let failure = CheckResult(name: "aws configuration", status: .fail, detail: "no region", category: .usage)
        let results = runner.skipped(after: .awsConfiguration, failure)
        XCTAssertEqual(results.map(\.name), ["aws configuration", "credentials", "account", "spend"])
        XCTAssertEqual(Set(results.dropFirst().map(\.detail)), ["not checked: aws configuration failed"])
        let credentials = CheckResult(name: "credentials", status: .fail, detail: "none", category: .credentials)
        XCTAssertEqual(runner.skipped(after: .credentials, credentials).map(\.name), ["credentials", "account", "spend"])
    }
}
