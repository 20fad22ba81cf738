import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class SSOCredentialProviderTests: XCTestCase {
    /// SHA-1 of "my-sso" and of the start URL, computed independently (Python hashlib).
    let sessionCacheFile = ".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json"
    let legacyCacheFile = ".aws/sso/cache/e8be5486177c5b5392bd9aa76563515b29358e6e.json"
    let startURL = "https://example.awsapps.com/start"

    let portalAnswer = """
    {"roleCredentials": {"accessKeyId": "ASIASSOEXAMPLE", "secretAccessKey": "SSOSECRETSENTINEL",
     "sessionToken": "SSOTOKENSENTINEL", "expiration": 1767229200000}}
    """

    func sessionHome() throws -> TempHome {
        let home = try TempHome()
        try home.config("""
        [profile dev]
        sso_session = my-sso
        sso_account_id = 111122223333
        sso_role_name = Developer
        region = eu-west-1
        [sso-session my-sso]
        sso_start_url = \(startURL)
        sso_region = eu-central-1
        sso_registration_scopes = sso:account:access
        """)
        return home
    }

    func provider(_ home: TempHome, transport: StubTransport, clock: FixedClock = FixedClock(testNow),
                  environment: [String: String] = [:], redactor: Redactor? = nil) throws -> ProfileCredentialProvider {
        let env = home.environment(environment)
        return ProfileCredentialProvider(profile: "dev", config: try SharedConfig.load(environment: env),
                                         context: makeContext(environment: env, transport: transport, clock: clock, redactor: redactor))
    }

    func cachedToken(expiresAt: String) -> String {
        """
        {"startUrl": "\(startURL)", "region": "eu-central-1", "accessToken": "BEARERSENTINEL", "expiresAt": "\(expiresAt)",
         "refreshToken": "REFRESHSENTINEL"}
        """
    }

    func testCachedTokenIsExchangedAtThePortal() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, cachedToken(expiresAt: "2026-01-01T08:00:00Z"))
        let transport = StubTransport()
        transport.expect("GET /federation/credentials", body: portalAnswer) { request in
            if request.url.host != "portal.sso.eu-central-1.amazonaws.com" { return "wrong host \(request.url)" }
            if request.url.query != "role_name=Developer&account_id=111122223333" { return "wrong query \(request.url)" }
            if request.headers["x-amz-sso_bearer_token"] != "BEARERSENTINEL" { return "bearer token missing" }
            if request.headers.keys.contains(where: { $0.lowercased() == "authorization" }) { return "portal call must be unsigned" }
            return nil
        }
        let redactor = Redactor()
        let resolved = try await provider(home, transport: transport, redactor: redactor).resolve()
        XCTAssertEqual(resolved?.credentials, Credentials(accessKeyId: "ASIASSOEXAMPLE", secretAccessKey: "SSOSECRETSENTINEL",
                                                          sessionToken: "SSOTOKENSENTINEL", expiration: testNow.addingTimeInterval(3600)))
        XCTAssertEqual(resolved?.source, .sso(profile: "dev"))
        XCTAssertTrue(redactor.knownSecrets.contains("BEARERSENTINEL"))
        assertVerified(transport)
    }

    func testLegacyStartURLProfileAndEndpointOverride() async throws {
        let home = try TempHome()
        try home.config("""
        [profile dev]
        sso_start_url = \(startURL)
        sso_region = us-east-1
        sso_account_id = 111122223333
        sso_role_name = ReadOnly
        """)
        // The CLI v1 cache wrote times with a "UTC" suffix.
        try home.write(legacyCacheFile, cachedToken(expiresAt: "2026-01-01T08:00:00UTC"))
        let transport = StubTransport()
        transport.expect("GET /federation/credentials", body: portalAnswer) { request in
            request.url.absoluteString == "http://127.0.0.1:9999/federation/credentials?role_name=ReadOnly&account_id=111122223333"
                ? nil : "override not used: \(request.url)"
        }
        let resolved = try await provider(home, transport: transport, environment: ["AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9999"]).resolve()
        XCTAssertEqual(resolved?.credentials.accessKeyId, "ASIASSOEXAMPLE")
        assertVerified(transport)
    }

    func testMissingTokenTellsTheUserToLogIn() async throws {
        let home = try sessionHome()
        let transport = StubTransport()
        let provider = try provider(home, transport: transport)
        await expectError(["profile dev: no SSO login found for sso-session my-sso", "run `aws sso login --profile dev`"]) {
            _ = try await provider.resolve()
        }
        XCTAssertEqual(transport.requestCount, 0)
    }

    func testExpiredTokenTellsTheUserToLogIn() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, cachedToken(expiresAt: "2025-12-31T23:59:59Z"))
        let transport = StubTransport()
        let provider = try provider(home, transport: transport)
        await expectError(["the SSO login expired at 2025-12-31T23:59:59Z", "aws sso login --profile dev"]) {
            _ = try await provider.resolve()
        }
        XCTAssertEqual(transport.requestCount, 0)
    }

    func testPortalRejectingTheTokenTellsTheUserToLogIn() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, cachedToken(expiresAt: "2026-01-01T08:00:00Z"))
        let transport = StubTransport()
        transport.expect("GET /federation/credentials", status: 401, headers: ["x-amzn-ErrorType": "UnauthorizedException:"],
                         body: #"{"message":"Session token not found or invalid"}"#)
        let provider = try provider(home, transport: transport)
        await expectError(["the SSO portal rejected the cached login (UnauthorizedException)", "aws sso login --profile dev"]) {
            _ = try await provider.resolve()
        }
    }

    /// A cache `aws sso login` wrote for an sso-session: with the client registration that can refresh the token.
    func refreshableToken(expiresAt: String, registrationExpiresAt: String = "2026-03-01T00:00:00Z") -> String {
        """
        {"startUrl": "\(startURL)", "region": "eu-central-1", "accessToken": "BEARERSENTINEL", "expiresAt": "\(expiresAt)",
         "refreshToken": "REFRESHSENTINEL", "clientId": "CLIENTID", "clientSecret": "CLIENTSECRETSENTINEL",
         "registrationExpiresAt": "\(registrationExpiresAt)"}
        """
    }

    func portal(expecting bearer: String) -> @Sendable (HTTPRequest) -> String? {
        { request in request.headers["x-amz-sso_bearer_token"] == bearer ? nil : "portal got bearer \(request.headers["x-amz-sso_bearer_token"] ?? "none")" }
    }

    func cache(_ home: TempHome) throws -> [String: String] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: home.path + "/" + sessionCacheFile))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: String])
    }

    func testExpiringTokenIsRefreshedThroughOIDCAndTheCacheUpdated() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, refreshableToken(expiresAt: "2026-01-01T00:02:00Z"))  // 2 minutes left
        let transport = StubTransport()
        transport.expect("POST /token", body: #"{"accessToken":"NEWBEARERSENTINEL","expiresIn":28800,"refreshToken":"NEWREFRESHSENTINEL","tokenType":"Bearer"}"#) { request in
            if request.url.host != "oidc.eu-central-1.amazonaws.com" { return "wrong host \(request.url)" }
            if request.headers.keys.contains(where: { $0.lowercased() == "authorization" }) { return "CreateToken must be unsigned" }
            let body = (try? JSONSerialization.jsonObject(with: request.body) as? [String: String]) ?? [:]
            let want = ["clientId": "CLIENTID", "clientSecret": "CLIENTSECRETSENTINEL", "grantType": "refresh_token", "refreshToken": "REFRESHSENTINEL"]
            return body == want ? nil : "CreateToken body \(body)"
        }
        transport.expect("GET /federation/credentials", body: portalAnswer, check: portal(expecting: "NEWBEARERSENTINEL"))
        let redactor = Redactor()
        let resolved = try await provider(home, transport: transport, redactor: redactor).resolve()
        XCTAssertEqual(resolved?.credentials.accessKeyId, "ASIASSOEXAMPLE")
        assertVerified(transport)

        let cached = try cache(home)
        XCTAssertEqual(cached["accessToken"], "NEWBEARERSENTINEL")
        XCTAssertEqual(cached["refreshToken"], "NEWREFRESHSENTINEL")
        XCTAssertEqual(cached["expiresAt"], "2026-01-01T08:00:00Z")
        XCTAssertEqual(cached["startUrl"], startURL, "other fields are kept")
        XCTAssertEqual(cached["clientSecret"], "CLIENTSECRETSENTINEL")
        let mode = try FileManager.default.attributesOfItem(atPath: home.path + "/" + sessionCacheFile)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        for secret in ["REFRESHSENTINEL", "CLIENTSECRETSENTINEL", "NEWBEARERSENTINEL", "NEWREFRESHSENTINEL"] {
            XCTAssertTrue(redactor.knownSecrets.contains(secret), secret)
        }
    }

    func testTokenThatStillHasTimeIsNotRefreshed() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, refreshableToken(expiresAt: "2026-01-01T00:10:00Z"))
        let transport = StubTransport()
        transport.expect("GET /federation/credentials", body: portalAnswer, check: portal(expecting: "BEARERSENTINEL"))
        _ = try await provider(home, transport: transport).resolve()
        assertVerified(transport)
    }

    func testFailedRefreshUsesAStillValidTokenOrTellsTheUserToLogIn() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, refreshableToken(expiresAt: "2026-01-01T00:01:00Z"))
        let transport = StubTransport()
        transport.expect("POST /token", status: 400, headers: ["x-amzn-ErrorType": "InvalidGrantException:"],
                         body: #"{"error":"invalid_grant","error_description":"Invalid refresh token provided"}"#)
        transport.expect("GET /federation/credentials", body: portalAnswer, check: portal(expecting: "BEARERSENTINEL"))
        _ = try await provider(home, transport: transport).resolve()
        assertVerified(transport)

        try home.write(sessionCacheFile, refreshableToken(expiresAt: "2025-12-31T23:00:00Z"))
        let expired = StubTransport()
        expired.expect("POST /token", status: 400, headers: ["x-amzn-ErrorType": "InvalidGrantException:"],
                       body: #"{"error":"invalid_grant","error_description":"Invalid refresh token provided"}"#)
        let provider = try provider(home, transport: expired)
        await expectError(["the SSO login expired at 2025-12-31T23:00:00Z and could not be refreshed (SSO OIDC CreateToken",
                           "InvalidGrantException", "run `aws sso login --profile dev`"]) {
            _ = try await provider.resolve()
        }
        XCTAssertEqual(try cache(home)["accessToken"], "BEARERSENTINEL", "the cache is left as it was")
    }

    func testExpiredClientRegistrationIsNotUsed() async throws {
        let home = try sessionHome()
        try home.write(sessionCacheFile, refreshableToken(expiresAt: "2025-12-31T23:00:00Z", registrationExpiresAt: "2025-12-31T00:00:00Z"))
        let transport = StubTransport()
        let provider = try provider(home, transport: transport)
        await expectError(["could not be refreshed (its client registration expired at 2025-12-31T00:00:00Z)", "aws sso login"]) {
            _ = try await provider.resolve()
        }
        XCTAssertEqual(transport.requestCount, 0)
    }

    func testIncompleteSSOSettings() async throws {
        let home = try TempHome()
        try home.config("[profile dev]\nsso_session = my-sso\nsso_role_name = Developer\n[sso-session my-sso]\nsso_start_url = \(startURL)\n")
        let provider = try provider(home, transport: StubTransport())
        await expectError(["profile dev is set up for SSO but lacks sso_region, sso_account_id"]) { _ = try await provider.resolve() }

        let noSession = try TempHome()
        try noSession.config("[profile dev]\nsso_session = missing\nsso_account_id = 1\nsso_role_name = R\n")
        let other = try self.provider(noSession, transport: StubTransport())
        await expectError(["sso_session 'missing' has no [sso-session missing] section"]) { _ = try await other.resolve() }
    }
}
