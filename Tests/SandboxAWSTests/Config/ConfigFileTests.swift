import Foundation
@testable import SandboxAWS
import SandboxCore
import XCTest

final class ConfigFileTests: XCTestCase {
    func testParsesSectionsCommentsSubsectionsAndContinuations() throws {
        let text = """
        # leading comment
        ; another comment
        [default]
        region = eu-west-1
        Output=json

        [profile dev]   # trailing comment on a header
          aws_access_key_id = AKIDEXAMPLE
          s3 =
            addressing_style = path
            max_concurrent_requests = 4
          credential_process = /bin/tool --flag ; keeps ; and # in values
        [sso-session  corp]\r
        sso_start_url = https://example.awsapps.com/start\r
        sso_region = us-east-1
        [profile multi]
        note = first
          second
        """
        let file = try ConfigFile.parse(text, path: "/tmp/config")
        XCTAssertEqual(file.sections.map(\.header), ["default", "profile dev", "sso-session corp", "profile multi"])
        XCTAssertEqual(file.section("default")?.values, ["region": "eu-west-1", "output": "json"])
        let dev = try XCTUnwrap(file.section("profile dev"))
        XCTAssertEqual(dev.values["aws_access_key_id"], "AKIDEXAMPLE")
        XCTAssertEqual(dev.values["s3"], "")
        XCTAssertEqual(dev.subsections["s3"], ["addressing_style": "path", "max_concurrent_requests": "4"])
        XCTAssertEqual(dev.values["credential_process"], "/bin/tool --flag ; keeps ; and # in values")
        XCTAssertEqual(dev.lines["aws_access_key_id"], 8)
        XCTAssertEqual(file.section("sso-session corp")?.values["sso_start_url"], "https://example.awsapps.com/start")
        XCTAssertEqual(file.section("profile multi")?.values["note"], "first\nsecond")
    }

    /// Python's configparser in strict mode, as botocore reads the files: a repeated section or key is an error.
    func testRepeatedSectionsAndKeysAreErrorsAsInTheAWSCLI() throws {
        XCTAssertThrowsError(try ConfigFile.parse("[a]\nx = 1\n[b]\nz = 3\n[a]\nx = 9\n", path: "f")) { error in
            XCTAssertEqual(error.oneLine, "f:5: section [a] appears a second time (first on line 1); merge the two, as the AWS CLI refuses the file too")
        }
        XCTAssertThrowsError(try ConfigFile.parse("[a]\nregion = x\nRegion = y\n", path: "f")) { error in
            XCTAssertEqual(error.oneLine, "f:3: 'region' is set a second time in [a] (first on line 2); keep one, as the AWS CLI refuses the file too")
        }
    }

    func testColonSeparatesKeysAndDefaultSectionAppliesToEveryOther() throws {
        let file = try ConfigFile.parse("""
        [DEFAULT]
        region = eu-west-1
        output: json
        [a]
        region: us-east-2
        endpoint_url: http://127.0.0.1:5000
        s3 =
          endpoint_url = http://127.0.0.1:5001
        [b]
        """, path: "f")
        XCTAssertEqual(file.sections.map(\.header), ["a", "b"])
        XCTAssertEqual(file.section("a")?.values, ["region": "us-east-2", "output": "json", "endpoint_url": "http://127.0.0.1:5000", "s3": ""])
        XCTAssertEqual(file.section("a")?.subsections["s3"], ["endpoint_url": "http://127.0.0.1:5001"])
        XCTAssertEqual(file.section("b")?.values, ["region": "eu-west-1", "output": "json"])
        XCTAssertEqual(file.section("b")?.lines["region"], 2)
    }

    func testMalformedFilesNameFileLineAndProblemWithoutQuotingTheLine() throws {
        let cases: [(String, Int, String)] = [
            ("[default]\naws_secret_access_key = SECRETSENTINEL\n[profile broken\n", 3, "no closing ']'"),
            ("aws_secret_access_key = SECRETSENTINEL\n[default]\n", 1, "before any [section]"),
            ("[default]\nregion = us-east-1\nSECRETSENTINEL\n", 3, "expected 'key = value'"),
            ("[default]\n = SECRETSENTINEL\n", 2, "empty name"),
            ("[]\n", 1, "empty section header"),
            ("[default] SECRETSENTINEL\n", 1, "after the section header"),
            ("[default]\ns3 =\n  SECRETSENTINEL\n", 3, "inside the 's3' sub-section"),
        ]
        for (text, line, reason) in cases {
            XCTAssertThrowsError(try ConfigFile.parse(text, path: "/home/u/.aws/credentials")) { error in
                guard let error = error as? ConfigFileError else { return XCTFail("wrong error type \(error)") }
                XCTAssertEqual(error.line, line, text)
                XCTAssertTrue(error.userMessage.hasPrefix("/home/u/.aws/credentials:\(line): "), error.userMessage)
                XCTAssertTrue(error.userMessage.contains(reason), error.userMessage)
                XCTAssertEqual(error.category, .credentials)
                assertNoSecrets(error)
            }
        }
    }

    func testMissingFileIsNoConfigurationAndUnreadableFileIsAnError() throws {
        let home = try TempHome()
        XCTAssertNil(try ConfigFile.load(path: home.path + "/nope"))
        let path = try home.write("bad", "")
        try Data([0xff, 0xfe, 0x00]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ConfigFile.load(path: path)) { error in
            XCTAssertEqual(error.oneLine, "\(path): the file is not UTF-8 text")
        }
    }
}
