import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class ClientAddressingTests: XCTestCase {
    static let moto = URL(string: "http://127.0.0.1:5000")!

    func address(_ request: AWSRequest, service: ServiceDescriptor = .s3, region: String = "eu-west-1",
                 endpoints: EndpointResolver = EndpointResolver()) throws -> (url: String, host: String, path: String) {
        let endpoint = endpoints.resolve(service, region: try Region(region))
        let (url, host, path) = try AWSClient.address(request, service: service, endpoint: endpoint)
        return (url.absoluteString, host, path)
    }

    // MARK: S3 addressing styles

    func testS3UsesPathStyleOnCustomEndpoints() throws {
        let result = try address(.s3Get(bucket: "sandbox-data", key: "/dir/report.csv"), endpoints: EndpointResolver(global: Self.moto))
        XCTAssertEqual(result.url, "http://127.0.0.1:5000/sandbox-data/dir/report.csv")
        XCTAssertEqual(result.host, "127.0.0.1:5000")
        XCTAssertEqual(result.path, "/sandbox-data/dir/report.csv")
    }

    func testS3BucketRootOnCustomEndpointHasNoTrailingSlash() throws {
        let request = AWSRequest(operation: "HeadBucket", journal: .read, method: "HEAD", bucket: "sandbox-data")
        XCTAssertEqual(try address(request, endpoints: EndpointResolver(global: Self.moto)).url, "http://127.0.0.1:5000/sandbox-data")
    }

    func testS3UsesVirtualHostedStyleOnAWS() throws {
        let result = try address(.s3Get(bucket: "sandbox-data", key: "/report.csv"))
        XCTAssertEqual(result.url, "https://sandbox-data.s3.eu-west-1.amazonaws.com/report.csv")
        XCTAssertEqual(result.host, "sandbox-data.s3.eu-west-1.amazonaws.com")
        XCTAssertEqual(result.path, "/report.csv")
    }

    func testS3DottedBucketUsesPathStyleOnAWS() throws {
        let result = try address(.s3Get(bucket: "logs.example.com", key: "/report.csv"))
        XCTAssertEqual(result.url, "https://s3.eu-west-1.amazonaws.com/logs.example.com/report.csv")
        XCTAssertEqual(result.host, "s3.eu-west-1.amazonaws.com")
    }

    func testS3KeyIsEncodedOnceInTheURL() throws {
        let result = try address(.s3Get(key: "/a b/c+d%e=f~g/ünï.txt"))
        XCTAssertEqual(result.url, "https://sandbox-data.s3.eu-west-1.amazonaws.com/a%20b/c%2Bd%25e%3Df~g/%C3%BCn%C3%AF.txt")
        XCTAssertEqual(result.path, "/a b/c+d%e=f~g/ünï.txt", "the signer takes the decoded path")
    }

    func testS3KeyIsEncodedOnceInTheSignature() async throws {
        let harness = try ClientHarness()
        harness.transport.expect("GET /a b/c+d%e.txt", status: 200)
        _ = try await harness.client.send(.s3Get(key: "/a b/c+d%e.txt"), to: .s3)
        // The same request signed by hand with the decoded path: S3 encodes it once in the canonical request.
        let expected = SigV4Signer(service: "s3", region: "eu-west-1").sign(
            SigningRequest(method: "GET", host: "sandbox-data.s3.eu-west-1.amazonaws.com", path: "/a b/c+d%e.txt"),
            credentials: ClientHarness.keys, date: ClientHarness.start)
        XCTAssertTrue(expected.canonicalRequest.contains("\n/a%20b/c%2Bd%25e.txt\n"), expected.canonicalRequest)
        XCTAssertEqual(harness.requests.first?.authorization, expected.authorization)
    }

    func testQueryIsEncodedInTheURL() throws {
        let request = AWSRequest(operation: "ListObjectsV2", journal: .read, method: "GET", bucket: "sandbox-data",
                                 query: [("list-type", "2"), ("prefix", "a b+c"), ("uploads", "")])
        XCTAssertEqual(try address(request).url, "https://sandbox-data.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=a%20b%2Bc&uploads=")
    }

    func testCustomEndpointBasePathIsKept() throws {
        let endpoints = EndpointResolver(global: URL(string: "http://localhost:4566/proxy")!)
        let result = try address(.s3Get(bucket: "b", key: "/k"), endpoints: endpoints)
        XCTAssertEqual(result.url, "http://localhost:4566/proxy/b/k")
        XCTAssertEqual(result.path, "/proxy/b/k")
    }

    func testDefaultPortIsLeftOutOfTheSignedHost() throws {
        // HTTP clients (curl, URLSession) send no port in Host for :443 and :80; the signature must agree.
        let https = EndpointResolver(global: URL(string: "https://s3.internal.example:443")!).resolve(.s3, region: .usEast1)
        XCTAssertEqual(https.hostHeader, "s3.internal.example")
        let http = EndpointResolver(global: URL(string: "http://localhost:80")!).resolve(.s3, region: .usEast1)
        XCTAssertEqual(http.hostHeader, "localhost")
        let other = EndpointResolver(global: URL(string: "http://localhost:4566")!).resolve(.s3, region: .usEast1)
        XCTAssertEqual(other.hostHeader, "localhost:4566")
    }

    // MARK: Global services

    func testIAMUsesTheGlobalEndpointAndSignsWithUSEast1() async throws {
        let harness = try ClientHarness(region: "eu-west-1")
        harness.transport.expect("GetUser", status: 200, body: "<GetUserResponse><GetUserResult/></GetUserResponse>")
        _ = try await harness.client.query(.iam, action: "GetUser", journal: .read)
        let request = try XCTUnwrap(harness.requests.first)
        XCTAssertEqual(request.url.absoluteString, "https://iam.amazonaws.com/")
        XCTAssertTrue(request.authorization.contains("Credential=AKIDHARNESS/20231114/us-east-1/iam/aws4_request"), request.authorization)
    }

    func testBudgetsUsesTheGlobalEndpointAndSignsWithUSEast1() async throws {
        let harness = try ClientHarness(region: "ap-southeast-2")
        harness.transport.expect("DescribeBudgets", status: 200, body: "{}")
        let _: EmptyShape = try await harness.client.json(.budgets, operation: "DescribeBudgets", input: EmptyShape(), journal: .read)
        let request = try XCTUnwrap(harness.requests.first)
        XCTAssertEqual(request.url.absoluteString, "https://budgets.amazonaws.com/")
        XCTAssertEqual(request.headers["X-Amz-Target"], "AWSBudgetServiceGateway.DescribeBudgets")
        XCTAssertTrue(request.authorization.contains("/20231114/us-east-1/budgets/aws4_request"), request.authorization)
    }

    func testGlobalServicesSignWithUSEast1OnCustomEndpoints() {
        let endpoints = EndpointResolver(global: Self.moto)
        XCTAssertEqual(endpoints.resolve(.iam, region: try! Region("eu-west-1")).signingRegion, "us-east-1")
        XCTAssertEqual(endpoints.resolve(.budgets, region: try! Region("eu-west-1")).signingRegion, "us-east-1")
    }

    func testChinaIAMSignsWithItsPartitionRegion() throws {
        let endpoint = EndpointResolver().resolve(.iam, region: try Region("cn-northwest-1"))
        XCTAssertEqual(endpoint.baseURL.absoluteString, "https://iam.cn-north-1.amazonaws.com.cn")
        XCTAssertEqual(endpoint.signingRegion, "cn-north-1")
    }

    func testRegionalServicesSignWithTheClientRegion() async throws {
        let harness = try ClientHarness(region: "eu-central-2")
        harness.transport.expect("GetDatabases", status: 200, body: "{}")
        _ = try await harness.client.send(.glueGetDatabases, to: .glue)
        let request = try XCTUnwrap(harness.requests.first)
        XCTAssertEqual(request.url.absoluteString, "https://glue.eu-central-2.amazonaws.com/")
        XCTAssertTrue(request.authorization.contains("/eu-central-2/glue/aws4_request"), request.authorization)
    }

    // MARK: Endpoint configuration

    func testServiceEndpointVariableBeatsTheGlobalOne() throws {
        let resolver = try EndpointResolver.fromEnvironment(
            ["AWS_ENDPOINT_URL_S3": "http://localhost:4566", "AWS_ENDPOINT_URL": "http://localhost:5000"], profileEndpoint: nil)
        XCTAssertEqual(resolver.resolve(.s3, region: .usEast1).baseURL.absoluteString, "http://localhost:4566")
        XCTAssertEqual(resolver.resolve(.iam, region: .usEast1).baseURL.absoluteString, "http://localhost:5000")
        XCTAssertTrue(resolver.resolve(.s3, region: .usEast1).isCustom)
    }

    func testGlobalVariableBeatsTheProfile() throws {
        let resolver = try EndpointResolver.fromEnvironment(["AWS_ENDPOINT_URL": "http://localhost:5000/"], profileEndpoint: "http://profile:1")
        XCTAssertEqual(resolver.resolve(.glue, region: .usEast1).baseURL.absoluteString, "http://localhost:5000")
    }

    func testEndpointFlagBeatsEveryConfiguredEndpoint() throws {
        let resolver = try EndpointResolver.fromEnvironment(
            ["AWS_ENDPOINT_URL_S3": "http://localhost:4566", "AWS_ENDPOINT_URL": "http://localhost:5000"],
            profileEndpoint: "http://profile:1", flag: "http://127.0.0.1:9000")
        XCTAssertEqual(resolver.resolve(.s3, region: .usEast1).baseURL.absoluteString, "http://127.0.0.1:9000")
        XCTAssertEqual(resolver.resolve(.iam, region: .usEast1).baseURL.absoluteString, "http://127.0.0.1:9000")
    }

    func testIgnoreConfiguredEndpointsStillHonoursTheFlag() throws {
        let environment = ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true", "AWS_ENDPOINT_URL_S3": "http://localhost:4566"]
        let ignored = try EndpointResolver.fromEnvironment(environment, profileEndpoint: nil)
        XCTAssertFalse(ignored.resolve(.s3, region: .usEast1).isCustom)
        let flagged = try EndpointResolver.fromEnvironment(environment, profileEndpoint: nil, flag: "http://127.0.0.1:9000")
        XCTAssertEqual(flagged.resolve(.s3, region: .usEast1).baseURL.absoluteString, "http://127.0.0.1:9000")
    }

    func testInvalidEndpointIsRejectedByName() {
        XCTAssertThrowsError(try EndpointResolver.fromEnvironment(["AWS_ENDPOINT_URL_S3": "localhost:4566"], profileEndpoint: nil)) { error in
            XCTAssertTrue(error.oneLine.contains("AWS_ENDPOINT_URL_S3"), error.oneLine)
            XCTAssertEqual(error.failureCategory, .usage)
        }
    }
}
