import Foundation
@testable import SandboxAWS
import XCTest

/// Proxies from the environment, read as Python's urllib (and so the AWS CLI) reads them.
final class ProxySettingsTests: XCTestCase {
    let s3 = URL(string: "https://my-bucket.s3.eu-west-1.amazonaws.com/key")!
    let local = URL(string: "http://127.0.0.1:5000/")!

    func testSchemePicksTheProxyAndLowerCaseWins() throws {
        let settings = try ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://upper:8080", "https_proxy": "http://lower:3128",
                                                          "HTTP_PROXY": "plain:8000"])
        XCTAssertEqual(settings.server(for: s3)?.host, "lower")
        XCTAssertEqual(settings.server(for: s3)?.port, 3128)
        XCTAssertEqual(settings.server(for: local)?.host, "plain")
        XCTAssertEqual(settings.server(for: local)?.port, 8000)
    }

    func testNoProxyMatchesHostSuffixesAndStar() throws {
        let env = ["HTTPS_PROXY": "http://proxy:3128", "HTTP_PROXY": "http://proxy:3128"]
        for bypass in ["amazonaws.com", ".amazonaws.com", "s3.eu-west-1.amazonaws.com", "other.example, AMAZONAWS.COM", "*"] {
            let settings = try ProxySettings.fromEnvironment(env.merging(["NO_PROXY": bypass]) { a, _ in a })
            XCTAssertNil(settings.server(for: s3), bypass)
        }
        let partial = try ProxySettings.fromEnvironment(env.merging(["no_proxy": "zonaws.com,127.0.0.1:5001"]) { a, _ in a })
        XCTAssertNotNil(partial.server(for: s3), "a suffix must match whole labels")
        XCTAssertNotNil(partial.server(for: local), "a port in NO_PROXY must match the URL's port")
        let withPort = try ProxySettings.fromEnvironment(env.merging(["no_proxy": "127.0.0.1:5000"]) { a, _ in a })
        XCTAssertNil(withPort.server(for: local))
    }

    func testCredentialsInTheProxyURLAreKept() throws {
        let settings = try ProxySettings.fromEnvironment(["HTTPS_PROXY": "http://user:p%40ss@proxy.corp:3128"])
        XCTAssertEqual(settings.https?.username, "user")
        XCTAssertEqual(settings.https?.password, "p@ss")
    }

    func testUnsupportedProxyIsAUsageError() {
        XCTAssertThrowsError(try ProxySettings.fromEnvironment(["HTTPS_PROXY": "https://proxy:443"])) { error in
            XCTAssertTrue("\(error)".contains("HTTPS_PROXY"), "\(error)")
        }
    }

    func testNoVariablesMeansDirect() throws {
        XCTAssertNil(try ProxySettings.fromEnvironment([:]).server(for: s3))
    }
}
