import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class WebIdentityCredentialProviderTests: XCTestCase {
    let roleArn = "arn:aws:iam::123456789012:role/ci"

    func answer() -> String {
        stsCredentialsXML(action: "AssumeRoleWithWebIdentity", keyId: "ASIAWEBEXAMPLE", secret: "WEBSECRETSENTINEL",
                          token: "WEBTOKENSENTINEL", expiration: "2026-01-01T01:00:00Z")
    }

    /// Checks the exchange is unsigned and carries the token, role and session name.
    func expectExchange(_ transport: StubTransport, sessionName: String) {
        let roleArn = self.roleArn
        transport.expect("AssumeRoleWithWebIdentity", body: answer()) { request in
            if request.headers.keys.contains(where: { $0.lowercased() == "authorization" || $0.lowercased() == "x-amz-security-token" }) {
                return "web identity exchange must be unsigned, got \(request.headers.keys.sorted())"
            }
            let fields = formFields(request)
            let expected = ["Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": roleArn,
                            "RoleSessionName": sessionName, "WebIdentityToken": "OIDCSENTINEL.jwt"]
            return fields == expected ? nil : "unexpected form \(fields)"
        }
    }

    func testEnvironmentWebIdentityIsAnUnsignedExchange() async throws {
        let home = try TempHome()
        let tokenFile = try home.write("token", "OIDCSENTINEL.jwt\n")
        let transport = StubTransport()
        expectExchange(transport, sessionName: "gha-123")
        let redactor = Redactor()
        let env = home.environment(["AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": roleArn, "AWS_ROLE_SESSION_NAME": "gha-123"])
        let provider = WebIdentityCredentialProvider.fromEnvironment(context: makeContext(environment: env, transport: transport, clock: FixedClock(testNow), redactor: redactor))
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.credentials, Credentials(accessKeyId: "ASIAWEBEXAMPLE", secretAccessKey: "WEBSECRETSENTINEL",
                                                          sessionToken: "WEBTOKENSENTINEL", expiration: testNow.addingTimeInterval(3600)))
        XCTAssertEqual(resolved?.source, .webIdentity(roleArn: roleArn))
        XCTAssertTrue(redactor.knownSecrets.contains("OIDCSENTINEL.jwt"))
        assertVerified(transport)
    }

    func testProfileWebIdentity() async throws {
        let home = try TempHome()
        try home.write("tokens/oidc", "OIDCSENTINEL.jwt")
        try home.config("[profile ci]\nrole_arn = \(roleArn)\nweb_identity_token_file = ~/tokens/oidc\n")
        let transport = StubTransport()
        expectExchange(transport, sessionName: "sandbox-1767225600")
        let env = home.environment()
        let provider = ProfileCredentialProvider(profile: "ci", config: try SharedConfig.load(environment: env),
                                                 context: makeContext(environment: env, transport: transport, clock: FixedClock(testNow)))
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.source, .webIdentity(roleArn: roleArn))
        assertVerified(transport)
    }

    func testUnconfiguredHalfConfiguredAndUnreadableToken() async throws {
        let transport = StubTransport()
        let clock = FixedClock(testNow)
        let none = WebIdentityCredentialProvider.fromEnvironment(context: makeContext(environment: ["HOME": "/h"], transport: transport, clock: clock))
        let nothing = try await none.resolve()
        XCTAssertNil(nothing)

        let noRole = WebIdentityCredentialProvider.fromEnvironment(context: makeContext(environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"], transport: transport, clock: clock))
        await expectError(["AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not"]) { _ = try await noRole.resolve() }

        let missingFile = WebIdentityCredentialProvider.fromEnvironment(context: makeContext(
            environment: ["AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token", "AWS_ROLE_ARN": roleArn], transport: transport, clock: clock))
        await expectError(["cannot read the web identity token file /nonexistent/token"]) { _ = try await missingFile.resolve() }
        XCTAssertEqual(transport.requestCount, 0)
    }
}
