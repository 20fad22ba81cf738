import Foundation
@testable import SandboxAWS
import SandboxTestSupport
import XCTest

/// The attempt loop runs the steps a service descriptor carries and knows no service by name.
final class RequestStepTests: XCTestCase {
    func redirect(region: String?, code: String = "PermanentRedirect", status: Int = 301) -> AWSError {
        let headers = region.map { ["x-amz-bucket-region": $0] } ?? [:]
        let response = HTTPResponse(status: status, headers: headers, body: Data(Answers.s3Error(code).utf8))
        guard let error = ErrorParser.parse(response, service: .s3, operation: "GetObject", endpoint: "https://s3.amazonaws.com") as? AWSError else {
            preconditionFailure("ErrorParser returns AWSError for an S3 error document")
        }
        return error
    }

    // MARK: The S3 bucket-region redirect step on its own

    func testRedirectStepMovesTheAttemptToTheBucketRegionOnce() throws {
        let step = S3BucketRegionRedirect()
        var state = AttemptState(clientRegion: try Region("us-east-1"))
        let request = AWSRequest(operation: "GetObject", journal: .read, method: "GET", bucket: "b")
        XCTAssertEqual(step.afterFailure(redirect(region: "eu-central-1"), request: request, state: &state), .resend)
        XCTAssertEqual(state.region, try Region("eu-central-1"))
        XCTAssertEqual(step.afterFailure(redirect(region: "eu-west-2"), request: request, state: &state), .proceed,
                       "a second redirect is not followed")
        XCTAssertEqual(state.region, try Region("eu-central-1"))
    }

    func testRedirectStepIgnoresWhatIsNotARedirectToAnotherRegion() throws {
        let step = S3BucketRegionRedirect()
        let home = try Region("us-east-1")
        let request = AWSRequest(operation: "GetObject", journal: .read, method: "GET", bucket: "b")
        for error in [redirect(region: nil), redirect(region: "us-east-1"), redirect(region: "not a region"),
                      redirect(region: "eu-central-1", code: "AccessDenied", status: 403)] {
            var state = AttemptState(clientRegion: home)
            XCTAssertEqual(step.afterFailure(error, request: request, state: &state), .proceed, error.code)
            XCTAssertEqual(state.region, home)
        }
    }

    func testOnlyS3CarriesTheRedirectStep() {
        XCTAssertTrue(ServiceDescriptor.s3.steps.contains { $0 is S3BucketRegionRedirect })
        for service in ServiceDescriptor.all where service != .s3 {
            XCTAssertTrue(service.steps.isEmpty, service.displayName)
        }
    }

    // MARK: The generic loop runs a descriptor's steps

    func testAServiceWithoutTheStepDoesNotFollowABucketRegionHeader() async throws {
        let harness = try ClientHarness(region: "us-east-1")
        harness.transport.expect("GetDatabases", status: 301, headers: ["x-amz-bucket-region": "eu-central-1"],
                                 body: Answers.jsonError("PermanentRedirect"))
        let error = await harness.failure(of: .glueGetDatabases, to: .glue)
        XCTAssertNotNil(error as? AWSError)
        XCTAssertEqual(harness.transport.requestCount, 1)
        harness.assertScriptFollowed()
    }

    func testLoopRunsAnyDescriptorsStepsAndResendsUncounted() async throws {
        let step = MoveOnCode(code: "WrongRegion", to: try Region("ap-southeast-2"))
        var service = ServiceDescriptor.glue
        service.steps = [step]
        let harness = try ClientHarness(region: "us-east-1", maxAttempts: 1)
        harness.transport.expect("GetDatabases", status: 400, body: Answers.jsonError("WrongRegion"))
        harness.transport.expect("GetDatabases", status: 200, body: "{}")
        _ = try await harness.client.send(.glueGetDatabases, to: service)
        XCTAssertEqual(harness.requests.map(\.url.host), ["glue.us-east-1.amazonaws.com", "glue.ap-southeast-2.amazonaws.com"])
        XCTAssertTrue(harness.requests[1].authorization.contains("/ap-southeast-2/glue/aws4_request"))
        XCTAssertEqual(step.calls, 1, "the step sees failed attempts only")
        XCTAssertEqual(harness.sleeper.sleeps, [], "a resend is not a retry: no backoff, and it does not use up the single attempt")
        harness.assertScriptFollowed()
    }
}

/// A test step: on `code`, moves the call to `region` and resends; counts how often it was asked.
final class MoveOnCode: RequestStep, @unchecked Sendable {
    let code: String
    let region: Region
    private let lock = NSLock()
    private var asked = 0

    init(code: String, to region: Region) {
        self.code = code
        self.region = region
    }

    var calls: Int { lock.withLock { asked } }

    func afterFailure(_ error: AWSError, request: AWSRequest, state: inout AttemptState) -> StepDecision {
        lock.withLock { asked += 1 }
        guard error.code == code, state.region != region else { return .proceed }
        state.region = region
        return .resend
    }
}
