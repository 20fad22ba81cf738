import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class EnvironmentAndProfileProviderTests: XCTestCase {
    func testEnvironmentKeysWithAndWithoutSessionToken() async throws {
        let plain = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "SECRETSENTINEL",
        ]).resolve()
        XCTAssertEqual(plain, ResolvedCredentials(credentials: Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "SECRETSENTINEL"), source: .environment))

        let temporary = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "SECRETSENTINEL", "AWS_SESSION_TOKEN": "TOKENSENTINEL",
        ]).resolve()
        XCTAssertEqual(temporary?.credentials.sessionToken, "TOKENSENTINEL")

        let none = try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "", "HOME": "/h"]).resolve()
        XCTAssertNil(none)
    }

    func testEnvironmentWithoutTheSecretIsAnErrorAndALoneSecretIsIgnored() async throws {
        await expectError(["AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"]) {
            _ = try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"]).resolve()
        }
        // botocore only looks at the secret once the key id is there.
        let lone = try await EnvironmentCredentialProvider(environment: ["AWS_SECRET_ACCESS_KEY": "SECRETSENTINEL"]).resolve()
        XCTAssertNil(lone)
    }

    func testLegacySecurityTokenIsReadBeforeTheSessionToken() async throws {
        let both = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "SECRETSENTINEL",
            "AWS_SECURITY_TOKEN": "LEGACYSENTINEL", "AWS_SESSION_TOKEN": "TOKENSENTINEL",
        ]).resolve()
        XCTAssertEqual(both?.credentials.sessionToken, "LEGACYSENTINEL")
        let legacy = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "SECRETSENTINEL", "AWS_SECURITY_TOKEN": "LEGACYSENTINEL",
        ]).resolve()
        XCTAssertEqual(legacy?.credentials.sessionToken, "LEGACYSENTINEL")
    }

    func testProfileStaticKeys() async throws {
        let home = try TempHome()
        try home.credentials("""
        [dev]
        aws_access_key_id = AKIDEXAMPLE
        aws_secret_access_key = SECRETSENTINEL
        aws_session_token = TOKENSENTINEL
        """)
        let context = makeContext(environment: home.environment(), transport: StubTransport(), clock: FixedClock(testNow))
        let provider = ProfileCredentialProvider(profile: "dev", config: try SharedConfig.load(environment: home.environment()), context: context)
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.credentials, Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "SECRETSENTINEL", sessionToken: "TOKENSENTINEL"))
        XCTAssertEqual(resolved?.source, .profile("dev"))
    }

    func testProfileWithHalfAKeyPairNamesTheLine() async throws {
        let home = try TempHome()
        try home.credentials("[dev]\n\naws_access_key_id = AKIDEXAMPLE\n")
        // The secret in the other file does not complete the pair: botocore reads both keys from one file.
        try home.config("[profile dev]\naws_secret_access_key = SECRETSENTINEL\n")
        let context = makeContext(environment: home.environment(), transport: StubTransport(), clock: FixedClock(testNow))
        let provider = ProfileCredentialProvider(profile: "dev", config: try SharedConfig.load(environment: home.environment()), context: context)
        await expectError(["profile dev sets aws_access_key_id in \(home.path)/.aws/credentials but not aws_secret_access_key there",
                           "\(home.path)/.aws/credentials:3"]) {
            _ = try await provider.resolve()
        }
        // The other way round: the config file's key id without its secret.
        try home.credentials("[dev]\naws_secret_access_key = SECRETSENTINEL\n")
        try home.config("[profile dev]\naws_access_key_id = AKIDEXAMPLE\n")
        let swapped = ProfileCredentialProvider(profile: "dev", config: try SharedConfig.load(environment: home.environment()), context: context)
        await expectError(["profile dev sets aws_access_key_id in \(home.path)/.aws/config but not aws_secret_access_key there"]) {
            _ = try await swapped.resolve()
        }
    }

    func testProfileWithoutCredentialsOrMissingDefaultResolvesNothing() async throws {
        let home = try TempHome()
        try home.config("[profile dev]\nregion = eu-west-1\n")
        let config = try SharedConfig.load(environment: home.environment())
        let context = makeContext(environment: home.environment(), transport: StubTransport(), clock: FixedClock(testNow))
        let dev = try await ProfileCredentialProvider(profile: "dev", config: config, context: context).resolve()
        XCTAssertNil(dev)
        let missing = try await ProfileCredentialProvider(profile: "default", config: config, context: context).resolve()
        XCTAssertNil(missing)
    }
}
