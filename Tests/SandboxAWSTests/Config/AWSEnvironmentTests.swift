import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class AWSEnvironmentTests: XCTestCase {
    func make(_ home: TempHome, _ options: AWSOptions = AWSOptions(), environment: [String: String] = [:],
              transport: StubTransport = StubTransport(), redactor: Redactor? = nil) throws -> AWSEnvironment {
        try AWSEnvironment(options: options, environment: home.environment(environment), transport: transport,
                           clock: FixedClock(testNow), sleeper: RecordingSleeper(), redactor: redactor)
    }

    func testRegionPrecedence() throws {
        let home = try TempHome()
        try home.config("[default]\nregion = eu-west-1\n")
        XCTAssertEqual(try make(home).region.region.name, "eu-west-1")
        XCTAssertEqual(try make(home).region.source, "profile default")
        XCTAssertEqual(try make(home, environment: ["AWS_DEFAULT_REGION": "eu-west-2"]).region.region.name, "eu-west-2")
        XCTAssertEqual(try make(home, environment: ["AWS_DEFAULT_REGION": "eu-west-2", "AWS_REGION": "eu-west-3"]).region.region.name, "eu-west-3")
        let flagged = try make(home, AWSOptions(region: "ap-southeast-2"), environment: ["AWS_REGION": "eu-west-3"])
        XCTAssertEqual(flagged.region.region.name, "ap-southeast-2")
        XCTAssertEqual(flagged.client.region.name, "ap-southeast-2")
    }

    func testNoRegionAnywhereIsAClearError() throws {
        let home = try TempHome()
        XCTAssertThrowsError(try make(home)) { error in
            XCTAssertTrue(error.oneLine.hasPrefix("no AWS region configured: set --region or AWS_REGION"), error.oneLine)
            XCTAssertEqual(error.failureCategory, .usage)
        }
        XCTAssertThrowsError(try make(home, AWSOptions(region: "Mars"))) { error in
            XCTAssertTrue(error.oneLine.contains("invalid region 'Mars' from --region"), error.oneLine)
        }
    }

    func testMaxAttemptsValidationAndPrecedence() throws {
        let home = try TempHome()
        try home.config("[default]\nregion = us-east-1\nmax_attempts = 7\n")
        XCTAssertEqual(try make(home).retryPolicy.maxAttempts, 7)
        XCTAssertEqual(try make(home, environment: ["AWS_MAX_ATTEMPTS": "5"]).retryPolicy.maxAttempts, 5)
        XCTAssertEqual(try make(home, AWSOptions(maxAttempts: 2), environment: ["AWS_MAX_ATTEMPTS": "5"]).retryPolicy.maxAttempts, 2)
        XCTAssertThrowsError(try make(home, environment: ["AWS_MAX_ATTEMPTS": "many"])) { error in
            XCTAssertEqual(error.oneLine, "AWS_MAX_ATTEMPTS must be an integer between 1 and 20, got 'many'")
        }
        XCTAssertThrowsError(try make(home, environment: ["AWS_MAX_ATTEMPTS": "0"]))
        XCTAssertThrowsError(try make(home, AWSOptions(maxAttempts: 50)))
        try home.config("[default]\nregion = us-east-1\nmax_attempts = -1\n")
        XCTAssertThrowsError(try make(home)) { error in
            XCTAssertEqual(error.oneLine, "\(home.path)/.aws/config:3: max_attempts must be an integer between 1 and 20, got '-1'")
        }
    }

    func testEndpointsFromFlagEnvironmentAndProfile() throws {
        let home = try TempHome()
        try home.config("[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:5000\n")
        XCTAssertEqual(try make(home).endpoints.resolve(.s3, region: .usEast1).baseURL.absoluteString, "http://127.0.0.1:5000")
        XCTAssertEqual(try make(home, environment: ["AWS_ENDPOINT_URL": "http://localhost:4566"]).endpoints.resolve(.iam, region: .usEast1).baseURL.absoluteString,
                       "http://localhost:4566")
        XCTAssertEqual(try make(home, AWSOptions(endpointURL: "http://proxy:1")).endpoints.global?.absoluteString, "http://proxy:1")
    }

    func testAWSProfileSelectsProfileAndUnknownProfileFails() throws {
        let home = try TempHome()
        try home.config("[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n")
        let dev = try make(home, environment: ["AWS_PROFILE": "dev"])
        XCTAssertEqual(dev.profile.name, "dev")
        XCTAssertEqual(dev.profileSelection.origin, .environment)
        XCTAssertEqual(dev.region.region.name, "eu-west-1")
        XCTAssertThrowsError(try make(home, AWSOptions(profile: "prod"))) { error in
            XCTAssertTrue(error.oneLine.hasPrefix("profile 'prod' (from --profile) is not defined in"), error.oneLine)
            XCTAssertTrue(error.oneLine.contains("known profiles: default, dev;"), error.oneLine)
        }
    }

    func testClientSignsWithProfileKeysAndRegistersSecrets() async throws {
        let home = try TempHome()
        try home.config("[profile dev]\nregion = eu-west-1\n")
        try home.credentials("[dev]\naws_access_key_id = AKIDDEVEXAMPLE\naws_secret_access_key = DEVSECRETSENTINEL\n")
        let transport = StubTransport()
        transport.expect("GetCallerIdentity", body: "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>") { request in
            request.headers["Authorization"]?.contains("Credential=AKIDDEVEXAMPLE/20260101/eu-west-1/sts/aws4_request") == true
                ? nil : "not signed with the profile's keys: \(request.headers)"
        }
        let redactor = Redactor()
        let aws = try make(home, AWSOptions(profile: "dev"), environment: ["AWS_SECRET_ACCESS_KEY": "ENVSECRETSENTINEL"],
                           transport: transport, redactor: redactor)
        XCTAssertEqual(redactor.knownSecrets, ["DEVSECRETSENTINEL", "ENVSECRETSENTINEL"])
        let result = try await aws.client.query(.sts, action: "GetCallerIdentity", journal: .read)
        XCTAssertEqual(result.string("Account"), "123456789012")
        assertVerified(transport)
    }

    func testEnvironmentKeysWinOverProfileUnlessProfileFlagIsGiven() async throws {
        let home = try TempHome()
        try home.config("[default]\nregion = us-east-1\n")
        try home.credentials("[default]\naws_access_key_id = AKIDPROFILEEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let env = ["AWS_ACCESS_KEY_ID": "AKIDENVEXAMPLE", "AWS_SECRET_ACCESS_KEY": "ENVSECRETSENTINEL"]
        let implicit = try await make(home, environment: env).credentials.resolve()
        XCTAssertEqual(implicit?.source, .environment)
        let viaEnvProfile = try await make(home, environment: env.merging(["AWS_PROFILE": "default"]) { a, _ in a }).credentials.resolve()
        XCTAssertEqual(viaEnvProfile?.source, .environment)
        // As in the AWS CLI, naming a profile on the command line outranks keys in the environment.
        let flagged = try await make(home, AWSOptions(profile: "default"), environment: env).credentials.resolve()
        XCTAssertEqual(flagged?.source, .profile("default"))
    }

    func testNoCredentialsListsTriedSourcesAndNeverProbesMetadata() async throws {
        let home = try TempHome()
        let transport = StubTransport()
        let aws = try make(home, AWSOptions(region: "us-east-1"), transport: transport)
        await expectError(["no AWS credentials found (tried: environment (AWS_ACCESS_KEY_ID), profile default: role, web identity (AWS_WEB_IDENTITY_TOKEN_FILE or the profile), SSO, keys, credential_process (\(home.path)/.aws/credentials, \(home.path)/.aws/config))"]) {
            _ = try await aws.client.query(.sts, action: "GetCallerIdentity", journal: .read)
        }
        // No request at all: in particular nothing went to 169.254.169.254 or a container endpoint.
        XCTAssertEqual(transport.requestCount, 0)
    }

    func testBrokenSourceIsRaisedEvenThoughALaterOneWouldWork() async throws {
        let home = try TempHome()
        try home.credentials("[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let aws = try make(home, AWSOptions(region: "us-east-1"), environment: ["AWS_ACCESS_KEY_ID": "AKIDENVEXAMPLE"])
        await expectError(["AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"]) { _ = try await aws.credentials.resolve() }
    }

    func testMalformedFileStopsTheFactoryWithFileAndLine() throws {
        let home = try TempHome()
        try home.credentials("[default]\naws_access_key_id AKIDEXAMPLE\n")
        XCTAssertThrowsError(try make(home, AWSOptions(region: "us-east-1"))) { error in
            XCTAssertEqual(error.oneLine, "\(home.path)/.aws/credentials:2: expected 'key = value' or a [section] header")
            assertNoSecrets(error)
        }
    }
}
