@testable import SandboxAWS
import XCTest

/// The User-Agent follows the AWS SDKs' `name/version` token format, as botocore's does.
final class UserAgentTests: XCTestCase {
    func testFormatMatchesTheSDKStyle() {
        let agent = UserAgent(version: "0.9.0", os: "linux", osRelease: "6.1.0-18-amd64", architecture: "x86_64", language: "6.3")
        XCTAssertEqual(agent.header, "sandbox/0.9.0 ua/2.1 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/swift#6.3")
    }

    func testUnknownReleaseIsLeftOut() {
        let agent = UserAgent(version: "1.0.0", os: "linux", osRelease: nil, architecture: "arm64", language: "6.3")
        XCTAssertEqual(agent.header, "sandbox/1.0.0 ua/2.1 os/linux md/arch#arm64 lang/swift#6.3")
    }

    func testCharactersOutsideTheTokenSetBecomeDashes() {
        let agent = UserAgent(version: "1.0 beta/2", os: "linux", osRelease: "5.15 (custom)", architecture: "x86_64", language: "6.3")
        XCTAssertEqual(agent.header, "sandbox/1.0-beta-2 ua/2.1 os/linux#5.15--custom- md/arch#x86_64 lang/swift#6.3")
    }

    func testThisBuildNamesItsPlatform() {
        let header = UserAgent(version: "0.1.0").header
        XCTAssertTrue(header.hasPrefix("sandbox/0.1.0 ua/2.1 os/"), header)
        XCTAssertTrue(header.contains(" lang/swift#6."), header)
        XCTAssertTrue(header.contains(" md/arch#"), header)
        XCTAssertFalse(header.contains("unknown version"), header)
    }
}
