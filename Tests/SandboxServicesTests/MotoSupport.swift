import Foundation
import SandboxAWS
import SandboxServices
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// Base for tests against the shared moto server: skips when moto is not installed, wipes state before each test.
class MotoTestCase: XCTestCase {
    var server: MotoServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard MotoServer.isAvailable else { throw XCTSkip("moto is not installed (pip install 'moto[server]')") }
        server = try MotoServer.shared()
        try server.reset()
    }

    /// A real client (AsyncHTTPClientTransport, SigV4) aimed at moto.
    func motoClient(region: String = "us-east-1", maxAttempts: Int = 3) throws -> AWSClient {
        AWSClient(region: try Region(region), endpoints: EndpointResolver(global: server.endpoint),
                  credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                                                                           secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSENTINELKEY")),
                  transport: AsyncHTTPClientTransport(), retryPolicy: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 0.05))
    }

    /// Asserts that `body` throws an `AWSError` and returns it.
    @discardableResult
    func assertAWSError(_ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> AWSError? {
        do {
            try await body()
            XCTFail("expected an AWS error", file: file, line: line)
        } catch let error as AWSError {
            return error
        } catch {
            XCTFail("expected an AWS error, got \(error.oneLine)", file: file, line: line)
        }
        return nil
    }
}
