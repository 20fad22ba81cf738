import Foundation
@testable import SandboxAWS
import SandboxCore
import XCTest

/// `AWS_CA_BUNDLE` > the profile's `ca_bundle` > the system store; a bad bundle is a setup error in one line.
final class CABundleSettingTests: XCTestCase {
    func testNothingSetMeansTheSystemStore() throws {
        guard case .system = try CABundleSetting.resolve(environment: [:], profile: ConfigProfile(name: "default")) else {
            return XCTFail("expected the system store")
        }
    }

    func testMissingBundleNamesTheSettingAndThePath() {
        let profile = ConfigProfile(name: "corp", values: ["ca_bundle": "/nonexistent/ca.pem"], origins: ["ca_bundle": "/home/u/.aws/config:7"])
        XCTAssertThrowsError(try CABundleSetting.resolve(environment: [:], profile: profile)) { error in
            let message = (error as? SandboxError)?.userMessage ?? ""
            XCTAssertEqual((error as? SandboxError)?.category, .credentials)
            XCTAssertTrue(message.contains("/home/u/.aws/config:7"), message)
            XCTAssertTrue(message.contains("/nonexistent/ca.pem"), message)
            XCTAssertFalse(message.contains("\n"))
        }
    }

    func testEnvironmentOutranksTheProfile() {
        let profile = ConfigProfile(name: "corp", values: ["ca_bundle": "/also/missing.pem"])
        XCTAssertThrowsError(try CABundleSetting.resolve(environment: ["AWS_CA_BUNDLE": "/missing/env.pem"], profile: profile)) { error in
            XCTAssertTrue("\(error)".contains("AWS_CA_BUNDLE: CA bundle /missing/env.pem"), "\(error)")
        }
    }

    func testAFileWithoutCertificatesIsRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-bundle-\(UUID().uuidString).pem")
        try "just text\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        XCTAssertThrowsError(try CABundleSetting.resolve(environment: ["AWS_CA_BUNDLE": file.path], profile: ConfigProfile(name: "default"))) { error in
            XCTAssertEqual((error as? SandboxError)?.category, .credentials)
            XCTAssertTrue("\(error)".contains("PEM"), "\(error)")
        }
    }
}
