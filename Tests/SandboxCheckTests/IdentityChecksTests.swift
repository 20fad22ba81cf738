import Foundation
import SandboxAWS
@testable import SandboxCheck
import SandboxCore
import SandboxTestSupport
import XCTest

/// The credentials, account and region checks.
final class IdentityChecksTests: XCTestCase {
    func testCredentialsPassWithTheCallerAndHandItOn() async throws {
        let stub = StubTransport().expect("GetCallerIdentity", body: CheckFixtures.callerIdentity)
        let outcome = try await CredentialsCheck().run(try CheckFixtures.context(stub))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.status, .pass)
        XCTAssertEqual(result.name, "credentials")
        XCTAssertTrue(result.detail.hasPrefix("account 123456789012, arn:aws:iam::123456789012:user/ci, from "), result.detail)
        XCTAssertEqual(outcome.findings.identity, CheckFixtures.identity())
        XCTAssertStubDone(stub)
    }

    func testCredentialsRejectedBySTSAreACredentialsFailure() async throws {
        let stub = StubTransport()
        for _ in 0..<2 {
            // The client asks twice: it refreshes rejected credentials once and retries.
            stub.expect("GetCallerIdentity", status: 403, body: """
                <ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r</RequestId></ErrorResponse>
                """)
        }
        let outcome = try await CredentialsCheck().run(try CheckFixtures.context(stub))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.status, .fail)
        XCTAssertEqual(result.category, .credentials)
        XCTAssertTrue(result.detail.contains("were rejected"), result.detail)
        XCTAssertTrue(result.detail.contains("InvalidClientTokenId"), result.detail)
        XCTAssertTrue(result.fix?.hasPrefix("run aws sso login --profile default") ?? false, result.fix ?? "")
        XCTAssertNil(outcome.findings.identity)
    }

    func testCredentialsWithoutAnAnswerBlameTheNetwork() async throws {
        let stub = StubTransport().expectFailure(URLError(.cannotConnectToHost))
        let outcome = try await CredentialsCheck().run(try CheckFixtures.context(stub))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.status, .fail)
        XCTAssertNotEqual(result.category, .credentials)
        XCTAssertTrue(result.detail.hasPrefix("sts:GetCallerIdentity failed: "), result.detail)
        XCTAssertEqual(result.fix, "check the network, AWS_ENDPOINT_URL/--endpoint-url and the region")
    }

    func testAccountGuard() {
        XCTAssertEqual(AccountCheck(expected: nil, allowed: []).verdict("123456789012"),
                       CheckResult(name: "account", status: .pass, detail: "123456789012 (no account restriction configured)"))
        XCTAssertEqual(AccountCheck(expected: "123456789012", allowed: []).verdict("123456789012").detail, "123456789012 (allowed)")
        let wrong = AccountCheck(expected: "210987654321", allowed: []).verdict("123456789012")
        XCTAssertEqual(wrong.status, .fail)
        XCTAssertEqual(wrong.detail, "credentials are for account 123456789012, expected 210987654321")
        XCTAssertEqual(wrong.category, .credentials)
        let notAllowed = AccountCheck(expected: nil, allowed: ["111111111111", "222222222222"]).verdict("123456789012")
        XCTAssertEqual(notAllowed.detail, "account 123456789012 is not in allowed_account_ids (111111111111, 222222222222)")
        XCTAssertEqual(AccountCheck(expected: nil, allowed: ["123456789012"]).verdict("123456789012").status, .pass)
    }

    func testAccountReadsTheIdentityTheCredentialsFound() async throws {
        var context = try CheckFixtures.context(StubTransport())
        let check = AccountCheck(expected: "210987654321", allowed: [])
        do {
            _ = try await check.run(context)
            XCTFail("the account check cannot run before the credentials check")
        } catch {
            XCTAssertEqual(error.failureCategory, .internal)
        }
        context.findings.identity = CheckFixtures.identity()
        let outcome = try await check.run(context)
        XCTAssertEqual(outcome.result?.status, .fail)
        XCTAssertEqual(check.requires, [.credentials])
    }

    func testRegionMustMatchThePin() {
        XCTAssertEqual(RegionCheck(pinned: nil).verdict(region: "eu-west-1", source: "AWS_REGION"),
                       CheckResult(name: "region", status: .pass, detail: "eu-west-1 (from AWS_REGION)"))
        XCTAssertEqual(RegionCheck(pinned: "eu-west-1").verdict(region: "eu-west-1", source: "--region").status, .pass)
        let other = RegionCheck(pinned: "us-east-1").verdict(region: "eu-west-1", source: "--region")
        XCTAssertEqual(other.status, .fail)
        XCTAssertEqual(other.detail, "using eu-west-1 (from --region) but the stack pins us-east-1")
        XCTAssertEqual(other.fix, "set --region us-east-1 or AWS_REGION=us-east-1")
        XCTAssertEqual(other.category, .usage)
    }
}
