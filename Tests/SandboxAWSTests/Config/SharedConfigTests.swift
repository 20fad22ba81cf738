import Foundation
@testable import SandboxAWS
import SandboxCore
import XCTest

final class SharedConfigTests: XCTestCase {
    func testCredentialsFileValuesWinOverConfigFileValues() throws {
        let home = try TempHome()
        try home.config("""
        [profile dev]
        region = eu-west-1
        aws_access_key_id = AKIDCONFIGEXAMPLE
        endpoint_url = http://127.0.0.1:5000
        s3 =
          addressing_style = path
        """)
        try home.credentials("""
        [dev]
        aws_access_key_id = AKIDCREDSEXAMPLE
        aws_secret_access_key = SECRETSENTINEL
        """)
        let config = try SharedConfig.load(environment: home.environment())
        let dev = try XCTUnwrap(config.profiles["dev"])
        XCTAssertEqual(dev.value("aws_access_key_id"), "AKIDCREDSEXAMPLE")
        XCTAssertEqual(dev.region, "eu-west-1")
        XCTAssertEqual(dev.endpointURL, "http://127.0.0.1:5000")
        XCTAssertEqual(dev.subsections["s3"], ["addressing_style": "path"])
        XCTAssertEqual(dev.origins["aws_access_key_id"], "\(home.path)/.aws/credentials:2")
        XCTAssertEqual(dev.origins["region"], "\(home.path)/.aws/config:2")
    }

    func testConfigSectionNaming() throws {
        let home = try TempHome()
        try home.config("""
        [profile default]
        region = us-west-2
        [default]
        region = eu-north-1
        output = json
        [stray]
        region = ap-south-1
        [sso-session corp]
        sso_region = eu-central-1
        [services local]
        s3 =
          endpoint_url = http://localhost:4566
        """)
        try home.credentials("[profile literal]\naws_access_key_id = A\naws_secret_access_key = B\n")
        let config = try SharedConfig.load(environment: home.environment())
        // `[profile default]` and `[default]` are one profile: the later section replaces the earlier, as in botocore;
        // bare names and services sections are not config-file profiles.
        XCTAssertEqual(config.profiles["default"]?.region, "eu-north-1")
        XCTAssertEqual(config.profiles["default"]?.value("output"), "json")
        XCTAssertEqual(config.services["local"]?["s3"]?["endpoint_url"], "http://localhost:4566")
        XCTAssertEqual(config.profileNames, ["default", "profile literal"])
        XCTAssertEqual(config.ssoSessions["corp"]?.value("sso_region"), "eu-central-1")
    }

    func testPathsComeFromEnvironmentWithHomeDefaults() throws {
        let defaults = SharedConfig.paths(environment: ["HOME": "/home/u"])
        XCTAssertEqual(defaults.credentials, "/home/u/.aws/credentials")
        XCTAssertEqual(defaults.config, "/home/u/.aws/config")
        let custom = SharedConfig.paths(environment: ["HOME": "/home/u", "AWS_SHARED_CREDENTIALS_FILE": "~/creds",
                                                      "AWS_CONFIG_FILE": "/etc/aws/config"])
        XCTAssertEqual(custom.credentials, "/home/u/creds")
        XCTAssertEqual(custom.config, "/etc/aws/config")

        let home = try TempHome()
        let configPath = try home.write("elsewhere/cfg", "[profile other]\nregion = sa-east-1\n")
        let config = try SharedConfig.load(environment: home.environment(["AWS_CONFIG_FILE": configPath]))
        XCTAssertEqual(config.profiles["other"]?.region, "sa-east-1")
        XCTAssertEqual(config.configPath, configPath)
    }

    func testProfileSelectionPrecedence() {
        XCTAssertEqual(ProfileSelection.choose(flag: "flag", environment: ["AWS_PROFILE": "env"]), ProfileSelection(name: "flag", origin: .flag))
        XCTAssertEqual(ProfileSelection.choose(flag: nil, environment: ["AWS_PROFILE": "env"]), ProfileSelection(name: "env", origin: .environment))
        XCTAssertEqual(ProfileSelection.choose(flag: "", environment: ["AWS_PROFILE": ""]), ProfileSelection(name: "default", origin: .implicit))
    }

    func testUnknownExplicitProfileListsKnownProfilesInOneLine() throws {
        let home = try TempHome()
        try home.config("[profile dev]\nregion = eu-west-1\n[default]\nregion = us-east-1\n")
        try home.credentials("[ci]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let config = try SharedConfig.load(environment: home.environment())
        let selection = ProfileSelection.choose(flag: nil, environment: ["AWS_PROFILE": "prod"])
        XCTAssertThrowsError(try config.profile(for: selection)) { error in
            XCTAssertEqual(error.oneLine, "profile 'prod' (from AWS_PROFILE) is not defined in \(home.path)/.aws/config or \(home.path)/.aws/credentials; known profiles: ci, default, dev; choose one with --profile or AWS_PROFILE")
            assertNoSecrets(error)
        }
        // A default nobody asked for may be missing: environment credentials can still work.
        let empty = try SharedConfig.load(environment: home.environment(["AWS_CONFIG_FILE": home.path + "/none", "AWS_SHARED_CREDENTIALS_FILE": home.path + "/none2"]))
        XCTAssertEqual(try empty.profile(for: ProfileSelection.choose(flag: nil, environment: [:])), ConfigProfile(name: "default"))
        XCTAssertThrowsError(try empty.profile(for: ProfileSelection.choose(flag: "x", environment: [:]))) { error in
            XCTAssertTrue(error.oneLine.contains("no profiles are defined;"), error.oneLine)
        }
    }

    func testMalformedConfigFileFailsLoadingWithFileAndLine() throws {
        let home = try TempHome()
        try home.config("[default]\nregion = us-east-1\n[profile x\n")
        XCTAssertThrowsError(try SharedConfig.load(environment: home.environment())) { error in
            XCTAssertEqual(error.oneLine, "\(home.path)/.aws/config:3: section header has no closing ']'")
        }
    }
}
