import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxTestSupport
import XCTest

/// The rules where sandbox once differed from botocore/the AWS CLI (issue 13, items 7-12), one test each; the
/// seeded comparison against botocore itself is `CredentialsParityTests`.
final class ResolutionParityTests: XCTestCase {
    func make(_ home: TempHome, _ options: AWSOptions = AWSOptions(), environment: [String: String] = [:],
              transport: StubTransport = StubTransport()) throws -> AWSEnvironment {
        try AWSEnvironment(options: options, environment: home.environment(["AWS_DEFAULT_REGION": "us-east-1"].merging(environment) { _, new in new }),
                           transport: transport, clock: FixedClock(testNow), sleeper: RecordingSleeper())
    }

    func keys(_ id: String) -> String { "aws_access_key_id = \(id)\naws_secret_access_key = SECRET\(id)SENTINEL\n" }

    func testProfileRoleOutranksWebIdentityFromTheEnvironment() async throws {
        let home = try TempHome()
        let token = try home.write("token", "OIDCSENTINEL")
        try home.config("[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n[profile base]\n" + keys("AKIDBASEEXAMPLE"))
        let transport = StubTransport()
        transport.expect("AssumeRole", body: stsCredentialsXML(action: "AssumeRole", keyId: "ASIAROLEEXAMPLE", secret: "RSENTINEL",
                                                                token: "TSENTINEL", expiration: "2026-01-01T01:00:00Z")) { request in
            request.headers["Authorization"]?.contains("Credential=AKIDBASEEXAMPLE/") == true ? nil : "not signed by the source profile"
        }
        let env = ["AWS_PROFILE": "deploy", "AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/oidc"]
        let resolved = try await make(home, environment: env, transport: transport).credentials.resolve()
        XCTAssertEqual(resolved?.credentials.accessKeyId, "ASIAROLEEXAMPLE")
        assertVerified(transport)
    }

    func testExplicitProfileIgnoresWebIdentityVariablesAndEnvironmentKeys() async throws {
        let home = try TempHome()
        let token = try home.write("token", "OIDCSENTINEL")
        try home.credentials("[dev]\n" + keys("AKIDDEVEXAMPLE"))
        let env = ["AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/oidc",
                   "AWS_ACCESS_KEY_ID": "AKIDENVEXAMPLE", "AWS_SECRET_ACCESS_KEY": "ENVSENTINEL"]
        let flagged = try await make(home, AWSOptions(profile: "dev"), environment: env).credentials.resolve()
        XCTAssertEqual(flagged?.credentials.accessKeyId, "AKIDDEVEXAMPLE")
        // Named by AWS_PROFILE instead, web identity from the environment comes before the profile's keys.
        let transport = StubTransport()
        transport.expect("AssumeRoleWithWebIdentity", body: stsCredentialsXML(action: "AssumeRoleWithWebIdentity", keyId: "ASIAWEBEXAMPLE",
                                                                              secret: "WSENTINEL", token: "TSENTINEL", expiration: "2026-01-01T01:00:00Z"))
        var viaVariable = env
        viaVariable["AWS_ACCESS_KEY_ID"] = nil
        viaVariable["AWS_PROFILE"] = "dev"
        let web = try await make(home, environment: viaVariable, transport: transport).credentials.resolve()
        XCTAssertEqual(web?.credentials.accessKeyId, "ASIAWEBEXAMPLE")
    }

    func testDefaultProfileVariableOutranksAWSProfile() throws {
        let selection = ProfileSelection.choose(flag: nil, environment: ["AWS_DEFAULT_PROFILE": "a", "AWS_PROFILE": "b"])
        XCTAssertEqual(selection, ProfileSelection(name: "a", origin: .defaultProfileVariable))
        XCTAssertEqual(ProfileSelection.choose(flag: "c", environment: ["AWS_DEFAULT_PROFILE": "a"]).name, "c")
        XCTAssertEqual(ProfileSelection.choose(flag: nil, environment: ["AWS_PROFILE": "b"]).origin, .environment)
    }

    func testCredentialProcessOutranksConfigFileKeysButNotCredentialsFileKeys() async throws {
        let home = try TempHome()
        let process = #"credential_process = printf '{"Version":1,"AccessKeyId":"AKIDPROCEXAMPLE","SecretAccessKey":"PSENTINEL"}'"# + "\n"
        try home.config("[profile p]\n" + keys("AKIDCONFIGEXAMPLE") + process + "[profile q]\n" + process)
        try home.credentials("[q]\n" + keys("AKIDCREDSEXAMPLE"))
        let p = try await make(home, AWSOptions(profile: "p")).credentials.resolve()
        XCTAssertEqual(p?.credentials.accessKeyId, "AKIDPROCEXAMPLE")
        let q = try await make(home, AWSOptions(profile: "q")).credentials.resolve()
        XCTAssertEqual(q?.credentials.accessKeyId, "AKIDCREDSEXAMPLE")
    }

    func testSourceProfileWithKeysAndSSOUsesSSO() async throws {
        let home = try TempHome()
        try home.config("""
        [profile deploy]
        role_arn = arn:aws:iam::123456789012:role/deploy
        source_profile = base
        [profile base]
        sso_start_url = https://example.awsapps.com/start
        sso_region = us-east-1
        sso_account_id = 111122223333
        sso_role_name = ReadOnly

        """ + keys("AKIDBASEEXAMPLE"))
        let transport = StubTransport()
        let aws = try make(home, AWSOptions(profile: "deploy"), transport: transport)
        // SSO is chosen over the keys: with no `aws sso login` cache it fails instead of signing with them.
        await expectError(["profile base", "aws sso login --profile base"]) { _ = try await aws.credentials.resolve() }
        XCTAssertEqual(transport.requestCount, 0)
    }

    func testSourceProfileLoopIsRefusedButASelfReferenceWithKeysIsNot() throws {
        let home = try TempHome()
        try home.config("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n"
                        + "[profile me]\nrole_arn = r\nsource_profile = me\n" + keys("AKIDMEEXAMPLE") + "[profile alone]\nrole_arn = r\nsource_profile = alone\n")
        let env = home.environment()
        let config = try SharedConfig.load(environment: env)
        let context = makeContext(environment: env, transport: StubTransport(), clock: FixedClock(testNow))
        XCTAssertThrowsError(try ProfileCredentialProvider.make(profile: "a", config: config, context: context)) { error in
            XCTAssertEqual(error.oneLine, "source_profile loop: a -> b -> a; point one of them at a profile with credentials")
        }
        XCTAssertThrowsError(try ProfileCredentialProvider.make(profile: "alone", config: config, context: context)) { error in
            XCTAssertEqual(error.oneLine, "source_profile loop: alone -> alone; point one of them at a profile with credentials")
        }
        XCTAssertNotNil(try ProfileCredentialProvider.make(profile: "me", config: config, context: context))
    }

    func testServicesSectionsAndIgnoreConfiguredEndpointURLs() throws {
        let home = try TempHome()
        try home.config("""
        [profile local]
        services = moto
        endpoint_url = http://127.0.0.1:5000
        [profile quiet]
        services = moto
        ignore_configured_endpoint_urls = true
        [profile dangling]
        services = nowhere
        [services moto]
        s3 =
          endpoint_url = http://127.0.0.1:5001
        sso =
          endpoint_url = http://127.0.0.1:5002
        """)
        func url(_ environment: AWSEnvironment, _ service: ServiceDescriptor) -> String {
            environment.endpoints.resolve(service, region: .usEast1).baseURL.absoluteString
        }
        let local = try make(home, AWSOptions(profile: "local"))
        XCTAssertEqual(url(local, .s3), "http://127.0.0.1:5001")
        XCTAssertEqual(url(local, .iam), "http://127.0.0.1:5000")
        XCTAssertEqual(url(local, SSOCredentialProvider.portal), "http://127.0.0.1:5002")
        // AWS_ENDPOINT_URL outranks the services section; the per-service variable outranks both.
        let global = try make(home, AWSOptions(profile: "local"), environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:6000", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:6001"])
        XCTAssertEqual(url(global, .s3), "http://127.0.0.1:6001")
        XCTAssertEqual(url(global, SSOCredentialProvider.portal), "http://127.0.0.1:6000")
        XCTAssertEqual(url(global, SSOCredentialProvider.oidc), "http://127.0.0.1:6000")
        // Ignored by the profile, or by the variable (which also un-ignores when false).
        let quiet = try make(home, AWSOptions(profile: "quiet"), environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:6000"])
        XCTAssertEqual(url(quiet, .s3), "https://s3.us-east-1.amazonaws.com")
        XCTAssertEqual(url(quiet, SSOCredentialProvider.portal), "https://portal.sso.us-east-1.amazonaws.com")
        let unignored = try make(home, AWSOptions(profile: "quiet"), environment: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"])
        XCTAssertEqual(url(unignored, .s3), "http://127.0.0.1:5001")
        let ignored = try make(home, AWSOptions(profile: "local"), environment: ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"])
        XCTAssertEqual(url(ignored, SSOCredentialProvider.portal), "https://portal.sso.us-east-1.amazonaws.com")
        // The flag is never ignored.
        let flagged = try make(home, AWSOptions(profile: "quiet", endpointURL: "http://127.0.0.1:7000"))
        XCTAssertEqual(url(flagged, SSOCredentialProvider.portal), "http://127.0.0.1:7000")
        XCTAssertThrowsError(try make(home, AWSOptions(profile: "dangling"))) { error in
            XCTAssertTrue(error.oneLine.contains("names services section 'nowhere', but the config file has no [services nowhere]"), error.oneLine)
        }
    }

    func testConfigFilePathsExpandVariablesAndTilde() throws {
        let env = ["HOME": "/home/u", "RUNNER_TEMP": "/tmp/r", "AWS_CONFIG_FILE": "$HOME/.aws/ci-config",
                   "AWS_SHARED_CREDENTIALS_FILE": "${RUNNER_TEMP}/creds-$UNSET-$"]
        let paths = SharedConfig.paths(environment: env)
        XCTAssertEqual(paths.config, "/home/u/.aws/ci-config")
        XCTAssertEqual(paths.credentials, "/tmp/r/creds-$UNSET-$")
        XCTAssertEqual(SharedConfig.paths(environment: ["HOME": "/home/u", "AWS_CONFIG_FILE": "~/x"]).config, "/home/u/x")
        XCTAssertEqual(SharedConfig.paths(environment: ["HOME": "/home/u", "AWS_CONFIG_FILE": "~root/x"]).config, "/root/x")
    }
}
