import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class AssumeRoleCredentialProviderTests: XCTestCase {
    let roleArn = "arn:aws:iam::123456789012:role/deploy"

    func roleAnswer(_ n: Int, expiration: String = "2026-01-01T01:00:00Z") -> String {
        stsCredentialsXML(action: "AssumeRole", keyId: "ASIAROLE\(n)EXAMPLE", secret: "ROLESECRET\(n)SENTINEL",
                          token: "ROLETOKEN\(n)SENTINEL", expiration: expiration)
    }

    func makeProvider(_ home: TempHome, profile: String = "deploy", transport: StubTransport, clock: FixedClock,
                      environment: [String: String] = [:]) throws -> ProfileCredentialProvider {
        let env = home.environment(environment)
        let config = try SharedConfig.load(environment: env)
        return ProfileCredentialProvider(profile: profile, config: config, context: makeContext(environment: env, transport: transport, clock: clock))
    }

    func testAssumeRoleViaSourceProfileSignsWithSourceAndSendsRoleParameters() async throws {
        let home = try TempHome()
        try home.config("""
        [profile deploy]
        role_arn = \(roleArn)
        source_profile = base
        role_session_name = ci-run
        external_id = ext-42
        duration_seconds = 1800
        """)
        try home.credentials("[base]\naws_access_key_id = AKIDBASEEXAMPLE\naws_secret_access_key = BASESECRETSENTINEL\n")
        let transport = StubTransport()
        let roleArn = self.roleArn
        transport.expect("AssumeRole", body: roleAnswer(1)) { request in
            let fields = formFields(request)
            let expected = ["Action": "AssumeRole", "Version": "2011-06-15", "RoleArn": roleArn, "RoleSessionName": "ci-run",
                            "ExternalId": "ext-42", "DurationSeconds": "1800"]
            if fields != expected { return "unexpected form \(fields)" }
            if request.url.host != "sts.us-east-1.amazonaws.com" { return "wrong host \(request.url)" }
            guard let auth = request.headers["Authorization"], auth.contains("Credential=AKIDBASEEXAMPLE/20260101/us-east-1/sts/aws4_request") else {
                return "not signed with the source profile's keys"
            }
            return nil
        }
        let provider = try makeProvider(home, transport: transport, clock: FixedClock(testNow))
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.credentials, Credentials(accessKeyId: "ASIAROLE1EXAMPLE", secretAccessKey: "ROLESECRET1SENTINEL",
                                                          sessionToken: "ROLETOKEN1SENTINEL", expiration: testNow.addingTimeInterval(3600)))
        XCTAssertEqual(resolved?.source, .assumeRole(roleArn: roleArn, profile: "deploy"))
        assertVerified(transport)
    }

    func testRoleCredentialsAreCachedUntilFiveMinutesBeforeExpiryThenRefreshed() async throws {
        let home = try TempHome()
        try home.config("[profile deploy]\nrole_arn = \(roleArn)\nsource_profile = base\n[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let clock = FixedClock(testNow)
        let transport = StubTransport()
        transport.expect("AssumeRole", body: roleAnswer(1))
        transport.expect("AssumeRole", body: roleAnswer(2, expiration: "2026-01-01T02:00:00.000Z")) { request in
            // Without role_session_name the session is named after the clock.
            formFields(request)["RoleSessionName"] == "sandbox-1767225600" ? nil : "unexpected session name \(formFields(request))"
        }
        transport.expect("AssumeRole", body: roleAnswer(3))
        let provider = try makeProvider(home, transport: transport, clock: clock)

        let first = try await provider.resolve()
        clock.advance(by: 3600 - 301)
        let cached = try await provider.resolve()
        XCTAssertEqual(cached, first)
        XCTAssertEqual(transport.requestCount, 1)

        clock.advance(by: 2)  // now 299 s before expiry: inside the refresh margin
        let refreshed = try await provider.resolve()
        XCTAssertEqual(refreshed?.credentials.accessKeyId, "ASIAROLE2EXAMPLE")
        XCTAssertEqual(refreshed?.credentials.expiration, testNow.addingTimeInterval(7200))
        XCTAssertEqual(transport.requestCount, 2)

        // AWS rejecting the credentials as expired makes the client invalidate: the next resolve goes to STS again.
        await provider.invalidate()
        let afterInvalidate = try await provider.resolve()
        XCTAssertEqual(afterInvalidate?.credentials.accessKeyId, "ASIAROLE3EXAMPLE")
        assertVerified(transport)
    }

    func testChainedRolesAndCredentialSourceEnvironment() async throws {
        let home = try TempHome()
        try home.config("""
        [profile outer]
        role_arn = arn:aws:iam::123456789012:role/outer
        source_profile = inner
        [profile inner]
        role_arn = arn:aws:iam::123456789012:role/inner
        credential_source = Environment
        """)
        let transport = StubTransport()
        transport.expect("AssumeRole", body: roleAnswer(1)) { request in
            let ok = formFields(request)["RoleArn"] == "arn:aws:iam::123456789012:role/inner"
                && request.headers["Authorization"]?.contains("Credential=AKIDENVEXAMPLE/") == true
            return ok ? nil : "inner role not assumed with environment keys"
        }
        transport.expect("AssumeRole", body: roleAnswer(2)) { request in
            let ok = formFields(request)["RoleArn"] == "arn:aws:iam::123456789012:role/outer"
                && request.headers["Authorization"]?.contains("Credential=ASIAROLE1EXAMPLE/") == true
            return ok ? nil : "outer role not assumed with the inner role's credentials"
        }
        let provider = try makeProvider(home, profile: "outer", transport: transport, clock: FixedClock(testNow),
                                        environment: ["AWS_ACCESS_KEY_ID": "AKIDENVEXAMPLE", "AWS_SECRET_ACCESS_KEY": "ENVSECRETSENTINEL"])
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.credentials.accessKeyId, "ASIAROLE2EXAMPLE")
        assertVerified(transport)
    }

    func testSourceProfileCycleIsDetected() async throws {
        let home = try TempHome()
        try home.config("""
        [profile a]
        role_arn = arn:aws:iam::123456789012:role/a
        source_profile = b
        [profile b]
        role_arn = arn:aws:iam::123456789012:role/b
        source_profile = c
        [profile c]
        role_arn = arn:aws:iam::123456789012:role/c
        source_profile = a
        """)
        let transport = StubTransport()
        let provider = try makeProvider(home, profile: "a", transport: transport, clock: FixedClock(testNow))
        await expectError(["source_profile loop: a -> b -> c -> a"]) { _ = try await provider.resolve() }
        XCTAssertEqual(transport.requestCount, 0)
    }

    func testSelfReferencingSourceProfileUsesItsOwnKeys() async throws {
        let home = try TempHome()
        try home.config("[profile me]\nrole_arn = \(roleArn)\nsource_profile = me\naws_access_key_id = AKIDMEEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let transport = StubTransport()
        transport.expect("AssumeRole", body: roleAnswer(1)) { request in
            request.headers["Authorization"]?.contains("Credential=AKIDMEEXAMPLE/") == true ? nil : "not signed with the profile's own keys"
        }
        let provider = try makeProvider(home, profile: "me", transport: transport, clock: FixedClock(testNow))
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.credentials.accessKeyId, "ASIAROLE1EXAMPLE")
        assertVerified(transport)
    }

    func testRoleConfigurationErrorsAreClearAndNeverTouchTheNetwork() async throws {
        let cases: [(String, [String])] = [
            ("role_arn = r\n", ["profile deploy sets role_arn but neither source_profile nor credential_source", "/.aws/config:2"]),
            ("role_arn = r\nsource_profile = base\ncredential_source = Environment\n", ["sets both source_profile and credential_source"]),
            ("role_arn = r\ncredential_source = Ec2InstanceMetadata\n", ["credential_source Ec2InstanceMetadata is not supported", "never queries instance"]),
            ("role_arn = r\ncredential_source = EcsContainer\n", ["credential_source EcsContainer is not supported"]),
            ("role_arn = r\ncredential_source = Magic\n", ["unknown credential_source 'Magic'"]),
            ("role_arn = r\nsource_profile = ghost\n", ["source_profile 'ghost' is not defined"]),
            ("role_arn = r\nsource_profile = empty\n", ["source profile empty configures no credentials"]),
            ("role_arn = r\nsource_profile = base\nduration_seconds = 60\n", ["/.aws/config:4: duration_seconds must be an integer from 900 to 43200, got '60'"]),
            ("role_arn = r\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/u\n", ["needs an MFA code"]),
        ]
        for (body, fragments) in cases {
            let home = try TempHome()
            try home.config("[profile deploy]\n\(body)[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n[profile empty]\nregion = us-east-1\n")
            let transport = StubTransport()
            let provider = try makeProvider(home, transport: transport, clock: FixedClock(testNow))
            await expectError(fragments) { _ = try await provider.resolve() }
            XCTAssertEqual(transport.requestCount, 0, body)
        }
    }

    func testCredentialSourceEnvironmentWithoutKeysSaysSo() async throws {
        let home = try TempHome()
        try home.config("[profile deploy]\nrole_arn = \(roleArn)\ncredential_source = Environment\n")
        let transport = StubTransport()
        let provider = try makeProvider(home, transport: transport, clock: FixedClock(testNow))
        await expectError(["profile deploy: credential_source Environment", "provided no credentials to assume \(roleArn)"]) {
            _ = try await provider.resolve()
        }
    }

    func testSTSRefusalIsReportedWithoutSecrets() async throws {
        let home = try TempHome()
        try home.config("[profile deploy]\nrole_arn = \(roleArn)\nsource_profile = base\n[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let transport = StubTransport()
        transport.expect("AssumeRole", status: 403, body: """
        <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
        """)
        let provider = try makeProvider(home, transport: transport, clock: FixedClock(testNow))
        await expectError(["profile deploy: assuming \(roleArn) failed: STS AssumeRole failed: AccessDenied"]) {
            _ = try await provider.resolve()
        }
    }

    func testIncompleteSTSAnswerNamesTheMissingMember() async throws {
        let home = try TempHome()
        try home.config("[profile deploy]\nrole_arn = \(roleArn)\nsource_profile = base\n[profile base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = SECRETSENTINEL\n")
        let transport = StubTransport()
        transport.expect("AssumeRole", body: """
        <AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>SECRETSENTINEL</SecretAccessKey></Credentials></AssumeRoleResult></AssumeRoleResponse>
        """)
        let provider = try makeProvider(home, transport: transport, clock: FixedClock(testNow))
        await expectError(["STS AssumeRole answered credentials without SessionToken, Expiration"]) { _ = try await provider.resolve() }
    }
}
