import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class RetryTests: XCTestCase {
    static let throttlingCodes = ["Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                                  "TooManyRequestsException", "SlowDown", "RequestThrottled"]

    // MARK: Throttling

    func testEveryThrottlingCodeIsTriedThreeTimesByDefault() async throws {
        for code in Self.throttlingCodes {
            let harness = try ClientHarness()
            for _ in 0..<3 { harness.transport.expect("GetDatabases", status: 400, body: Answers.jsonError(code)) }
            let error = await harness.failure(of: .glueGetDatabases, to: .glue)
            XCTAssertEqual((error as? AWSError)?.code, code)
            XCTAssertEqual((error as? AWSError)?.kind, .throttled, code)
            XCTAssertEqual(harness.transport.requestCount, 3, code)
            XCTAssertEqual(harness.sleeper.sleeps, [0.5, 1.0], code)
            harness.assertScriptFollowed()
        }
    }

    func testS3SlowDownIsRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GET /report.csv", status: 503, body: Answers.s3Error("SlowDown"))
        harness.transport.expect("GET /report.csv", status: 200, body: "data")
        let response = try await harness.client.send(.s3Get(), to: .s3)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "data")
        XCTAssertEqual(harness.transport.requestCount, 2)
        harness.assertScriptFollowed()
    }

    func testHTTP429WithoutAKnownCodeIsThrottling() async throws {
        let harness = try ClientHarness()
        for _ in 0..<3 { harness.transport.expect("GetDatabases", status: 429) }
        let error = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertEqual((error as? AWSError)?.kind, .throttled)
        XCTAssertEqual(harness.transport.requestCount, 3)
    }

    func testThrottlingThatClearsReturnsTheAnswer() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GetDatabases", status: 400, body: Answers.jsonError("ThrottlingException"))
        harness.transport.expect("GetDatabases", status: 200, body: #"{"DatabaseList":[]}"#)
        let response = try await harness.client.send(.glueGetDatabases, to: .glue)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(harness.sleeper.sleeps, [0.5])
        harness.assertScriptFollowed()
    }

    // MARK: Transient failures

    func testTransientStatusesAreRetried() async throws {
        for status in [500, 502, 503, 504] {
            let harness = try ClientHarness()
            for _ in 0..<3 { harness.transport.expect("GET /report.csv", status: status) }
            let error = await harness.failure(of: .s3Get(), to: .s3)
            XCTAssertEqual((error as? AWSError)?.kind, .transient, "HTTP \(status)")
            XCTAssertEqual(harness.transport.requestCount, 3, "HTTP \(status)")
        }
    }

    func testRequestTimeoutIsRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GET /report.csv", status: 400, body: Answers.s3Error("RequestTimeout"))
        harness.transport.expect("GET /report.csv", status: 200)
        _ = try await harness.client.send(.s3Get(), to: .s3)
        XCTAssertEqual(harness.transport.requestCount, 2)
        harness.assertScriptFollowed()
    }

    func testInternalErrorIsRetried() async throws {
        let harness = try ClientHarness()
        for _ in 0..<3 { harness.transport.expect("GET /report.csv", status: 500, body: Answers.s3Error("InternalError")) }
        let error = await harness.failure(of: .s3Get(), to: .s3)
        XCTAssertEqual((error as? AWSError)?.code, "InternalError")
        XCTAssertEqual(harness.transport.requestCount, 3)
    }

    func testConnectionErrorsAreRetried() async throws {
        let harness = try ClientHarness()
        let refused = TransportError(kind: .connectionRefused, endpoint: "https://glue.eu-west-1.amazonaws.com", detail: "refused")
        for _ in 0..<3 { harness.transport.expectFailure(refused) }
        let error = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertEqual(error as? TransportError, refused)
        XCTAssertEqual(harness.transport.requestCount, 3)
        XCTAssertEqual(harness.sleeper.sleeps, [0.5, 1.0])
    }

    func testConnectionErrorThenSuccessReturnsTheAnswer() async throws {
        let harness = try ClientHarness()
        harness.transport.expectFailure(TransportError(kind: .timedOut, endpoint: "e", detail: "timed out"))
        harness.transport.expect("GetDatabases", status: 200, body: "{}")
        let response = try await harness.client.send(.glueGetDatabases, to: .glue)
        XCTAssertEqual(response.status, 200)
        harness.assertScriptFollowed()
    }

    func testHTMLPageFromAFailingProxyIsRetried() async throws {
        let harness = try ClientHarness()
        for _ in 0..<3 {
            harness.transport.expect("GetDatabases", status: 502, headers: ["Content-Type": "text/html"],
                                     body: "<html><body><h1>502 Bad Gateway</h1></body></html>")
        }
        let error = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertTrue(error is MalformedResponseError, "\(String(describing: error))")
        XCTAssertEqual(harness.transport.requestCount, 3)
    }

    // MARK: Attempt count

    func testMaxAttemptsIsConfigurable() async throws {
        let harness = try ClientHarness(maxAttempts: 5)
        for _ in 0..<5 { harness.transport.expect("GetDatabases", status: 503) }
        _ = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertEqual(harness.transport.requestCount, 5)
        XCTAssertEqual(harness.sleeper.sleeps, [0.5, 1.0, 2.0, 4.0])
        harness.assertScriptFollowed()
    }

    func testOneAttemptMeansNoRetry() async throws {
        let harness = try ClientHarness(maxAttempts: 1)
        harness.transport.expect("GetDatabases", status: 503)
        _ = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertEqual(harness.transport.requestCount, 1)
        XCTAssertEqual(harness.sleeper.sleeps, [])
    }

    func testMaxAttemptsFromEnvironmentAndFlag() throws {
        XCTAssertEqual(try RetryPolicy.attempts(flag: nil, environment: [:]), 3)
        XCTAssertEqual(try RetryPolicy.attempts(flag: nil, environment: ["AWS_MAX_ATTEMPTS": "7"]), 7)
        XCTAssertEqual(try RetryPolicy.attempts(flag: 2, environment: ["AWS_MAX_ATTEMPTS": "7"]), 2)
        XCTAssertThrowsError(try RetryPolicy.attempts(flag: nil, environment: ["AWS_MAX_ATTEMPTS": "0"]))
        XCTAssertThrowsError(try RetryPolicy.attempts(flag: nil, environment: ["AWS_MAX_ATTEMPTS": "three"]))
        XCTAssertThrowsError(try RetryPolicy.attempts(flag: 21, environment: [:]))
    }

    // MARK: Backoff

    func testBackoffNeverExceedsTheExponentialCapOrTwentySeconds() {
        let policy = RetryPolicy(maxAttempts: 20, jitter: { 0.999_999 })
        for attempt in 1...40 {
            let cap = min(20, pow(2, Double(attempt - 1)))
            let delay = policy.backoff(attempt: attempt)
            XCTAssertLessThanOrEqual(delay, cap, "attempt \(attempt)")
            XCTAssertGreaterThan(delay, cap * 0.99, "attempt \(attempt): full jitter near 1 should reach the cap")
        }
    }

    func testBackoffIsTheJitterShareOfTheCap() {
        let policy = RetryPolicy(jitter: { 0.25 })
        XCTAssertEqual(policy.backoff(attempt: 1), 0.25)
        XCTAssertEqual(policy.backoff(attempt: 3), 1.0)
        XCTAssertEqual(policy.backoff(attempt: 10), 5.0)
    }

    func testZeroJitterMeansNoWait() {
        let policy = RetryPolicy(jitter: { 0 })
        XCTAssertEqual(policy.backoff(attempt: 4), 0)
    }

    func testClientSleepsAreCappedAtTwentySeconds() async throws {
        let harness = try ClientHarness(maxAttempts: 8, jitter: 0.999)
        for _ in 0..<8 { harness.transport.expect("GetDatabases", status: 500) }
        _ = await harness.failure(of: .glueGetDatabases, to: .glue)
        let caps: [Double] = [1, 2, 4, 8, 16, 20, 20]
        XCTAssertEqual(harness.sleeper.sleeps.count, caps.count)
        for (slept, cap) in zip(harness.sleeper.sleeps, caps) {
            XCTAssertEqual(slept, 0.999 * cap, accuracy: 1e-9)
        }
    }

    // MARK: Never retried

    func testAccessDeniedIsNotRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GET /report.csv", status: 403, body: Answers.s3Error("AccessDenied"))
        let error = await harness.failure(of: .s3Get(), to: .s3)
        XCTAssertEqual((error as? AWSError)?.kind, .accessDenied)
        XCTAssertEqual(harness.transport.requestCount, 1)
        XCTAssertEqual(harness.sleeper.sleeps, [])
    }

    func testValidationExceptionIsNotRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GetDatabases", status: 400, body: Answers.jsonError("ValidationException"))
        let error = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertEqual((error as? AWSError)?.kind, .validation)
        XCTAssertEqual(harness.transport.requestCount, 1)
    }

    func testIAMNoSuchEntityIsNotRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GetRole", status: 404, body: Answers.queryError("NoSuchEntity"))
        do {
            _ = try await harness.client.query(.iam, action: "GetRole", parameters: [("RoleName", "missing")], journal: .read)
            XCTFail("expected NoSuchEntity")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .notFound)
        }
        XCTAssertEqual(harness.transport.requestCount, 1)
    }

    func testGlueEntityNotFoundIsNotRetried() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GetDatabases", status: 400, body: Answers.jsonError("com.amazonaws.glue#EntityNotFoundException"))
        let error = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertEqual((error as? AWSError)?.kind, .notFound)
        XCTAssertEqual(harness.transport.requestCount, 1)
    }

    // MARK: Clock skew

    func testRequestTimeTooSkewedCorrectsTheClockFromTheDateHeader() async throws {
        let harness = try ClientHarness()
        // Our clock says 22:13:20; AWS says 22:28:20 (15 minutes ahead).
        harness.transport.expect("GET /report.csv", status: 403, headers: ["Date": "Tue, 14 Nov 2023 22:28:20 GMT"],
                                 body: Answers.s3Error("RequestTimeTooSkewed"))
        harness.transport.expect("GET /report.csv", status: 200)
        _ = try await harness.client.send(.s3Get(), to: .s3)
        XCTAssertEqual(harness.requests.map(\.amzDate), ["20231114T221320Z", "20231114T222820Z"])
        harness.assertScriptFollowed()
    }

    func testClockSkewIsReadFromAnObsoleteDateFormToo() async throws {
        let harness = try ClientHarness()
        // asctime, which RFC 7231 recipients (and botocore) accept: 15 minutes ahead of our clock.
        harness.transport.expect("GET /report.csv", status: 403, headers: ["Date": "Tue Nov 14 22:28:20 2023"],
                                 body: Answers.s3Error("RequestTimeTooSkewed"))
        harness.transport.expect("GET /report.csv", status: 200)
        _ = try await harness.client.send(.s3Get(), to: .s3)
        XCTAssertEqual(harness.requests.map(\.amzDate), ["20231114T221320Z", "20231114T222820Z"])
        harness.assertScriptFollowed()
    }

    func testClockCorrectionLastsForLaterCalls() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GET /report.csv", status: 403, headers: ["Date": "Tue, 14 Nov 2023 22:03:20 GMT"],
                                 body: Answers.s3Error("RequestTimeTooSkewed"))
        harness.transport.expect("GET /report.csv", status: 200)
        harness.transport.expect("GET /report.csv", status: 200)
        _ = try await harness.client.send(.s3Get(), to: .s3)
        _ = try await harness.client.send(.s3Get(), to: .s3)
        XCTAssertEqual(harness.requests.last?.amzDate, "20231114T220320Z")
    }

    func testParsesTheHTTPDateHeader() {
        XCTAssertEqual(HTTPDate.parse("Tue, 14 Nov 2023 22:28:20 GMT"), Date(timeIntervalSince1970: 1_700_000_900))
        XCTAssertNil(HTTPDate.parse("yesterday"))
    }

    // MARK: Expired credentials

    func testExpiredTokenInvalidatesCredentialsOnceAndRetries() async throws {
        let provider = RotatingCredentialProvider(
            stale: Credentials(accessKeyId: "ASIASTALE", secretAccessKey: "s", sessionToken: "old-token"),
            fresh: Credentials(accessKeyId: "ASIAFRESH", secretAccessKey: "f", sessionToken: "new-token"))
        let harness = try ClientHarness(credentials: provider)
        harness.transport.expect("GetDatabases", status: 400, body: Answers.jsonError("ExpiredTokenException"))
        harness.transport.expect("GetDatabases", status: 200, body: "{}")
        _ = try await harness.client.send(.glueGetDatabases, to: .glue)
        XCTAssertEqual(provider.invalidations, 1)
        XCTAssertTrue(harness.requests[0].authorization.contains("Credential=ASIASTALE/"))
        XCTAssertTrue(harness.requests[1].authorization.contains("Credential=ASIAFRESH/"))
        XCTAssertEqual(harness.requests[1].headers["X-Amz-Security-Token"], "new-token")
        XCTAssertEqual(harness.sleeper.sleeps, [], "a credential refresh needs no backoff")
        harness.assertScriptFollowed()
    }

    func testExpiredTokenTwiceGivesUp() async throws {
        let provider = RotatingCredentialProvider(
            stale: Credentials(accessKeyId: "ASIASTALE", secretAccessKey: "s", sessionToken: "t"),
            fresh: Credentials(accessKeyId: "ASIASTILLSTALE", secretAccessKey: "s", sessionToken: "t"))
        let harness = try ClientHarness(credentials: provider)
        harness.transport.expect("GetCallerIdentity", status: 403, body: Answers.queryError("ExpiredToken"))
        harness.transport.expect("GetCallerIdentity", status: 403, body: Answers.queryError("ExpiredToken"))
        do {
            _ = try await harness.client.query(.sts, action: "GetCallerIdentity", journal: .read)
            XCTFail("expected ExpiredToken")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .expiredCredentials)
            XCTAssertEqual(error.category, .credentials)
        }
        XCTAssertEqual(provider.invalidations, 1)
        XCTAssertEqual(harness.transport.requestCount, 2)
    }

    // MARK: S3 region redirect

    func testS3PermanentRedirectIsFollowedOnceWithTheBucketRegion() async throws {
        let harness = try ClientHarness(region: "us-east-1")
        harness.transport.expect("GET /report.csv", status: 301, headers: ["x-amz-bucket-region": "eu-central-1"],
                                 body: Answers.s3Error("PermanentRedirect"))
        harness.transport.expect("GET /report.csv", status: 200, body: "moved")
        let response = try await harness.client.send(.s3Get(), to: .s3)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "moved")
        XCTAssertEqual(harness.requests[0].url.host, "sandbox-data.s3.us-east-1.amazonaws.com")
        XCTAssertEqual(harness.requests[1].url.host, "sandbox-data.s3.eu-central-1.amazonaws.com")
        XCTAssertTrue(harness.requests[0].authorization.contains("/us-east-1/s3/aws4_request"))
        XCTAssertTrue(harness.requests[1].authorization.contains("/eu-central-1/s3/aws4_request"))
        XCTAssertEqual(harness.sleeper.sleeps, [])
        harness.assertScriptFollowed()
    }

    func testS3HeadRedirectWithEmptyBodyIsFollowed() async throws {
        let harness = try ClientHarness(region: "us-east-1")
        harness.transport.expect("HEAD", status: 301, headers: ["x-amz-bucket-region": "ap-southeast-2"])
        harness.transport.expect("HEAD", status: 200)
        _ = try await harness.client.send(AWSRequest(operation: "HeadBucket", journal: .read, method: "HEAD", bucket: "sandbox-data"), to: .s3)
        XCTAssertTrue(harness.requests[1].authorization.contains("/ap-southeast-2/s3/aws4_request"))
        harness.assertScriptFollowed()
    }

    func testS3RedirectIsFollowedOnlyOnce() async throws {
        let harness = try ClientHarness(region: "us-east-1")
        harness.transport.expect("GET /report.csv", status: 301, headers: ["x-amz-bucket-region": "eu-central-1"],
                                 body: Answers.s3Error("PermanentRedirect"))
        harness.transport.expect("GET /report.csv", status: 301, headers: ["x-amz-bucket-region": "eu-west-2"],
                                 body: Answers.s3Error("PermanentRedirect"))
        let error = await harness.failure(of: .s3Get(), to: .s3)
        XCTAssertEqual((error as? AWSError)?.kind, .redirect)
        XCTAssertEqual(harness.transport.requestCount, 2)
        harness.assertScriptFollowed()
    }

    func testS3RedirectWithoutRegionHeaderIsAnError() async throws {
        let harness = try ClientHarness(region: "us-east-1")
        harness.transport.expect("GET /report.csv", status: 301, body: Answers.s3Error("PermanentRedirect"))
        let error = await harness.failure(of: .s3Get(), to: .s3)
        XCTAssertEqual((error as? AWSError)?.code, "PermanentRedirect")
        XCTAssertEqual(harness.transport.requestCount, 1)
    }
}
