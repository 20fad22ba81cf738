import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

final class ProcessCredentialProviderTests: XCTestCase {
    func provider(_ home: TempHome, command: String, timeout: TimeInterval = 10, redactor: Redactor? = nil) -> ProcessCredentialProvider {
        ProcessCredentialProvider(command: command, profile: "tool", environment: home.environment(), timeout: timeout, redactor: redactor,
                                  clock: FixedClock(testNow))
    }

    /// botocore runs the command again for expired credentials and refuses them when they are still expired.
    func testExpiredOutputIsRefused() async throws {
        let home = try TempHome()
        let output = try home.write("out.json", """
        {"Version": 1, "AccessKeyId": "ASIAPROCEXAMPLE", "SecretAccessKey": "PROCSECRETSENTINEL", "Expiration": "2025-12-31T23:00:00Z"}
        """)
        await expectError(["credential_process of profile tool printed credentials that expired at 2025-12-31T23:00:00Z"]) {
            _ = try await self.provider(home, command: "cat '\(output)'").resolve()
        }
    }

    func testPrintsCredentialsJSON() async throws {
        let home = try TempHome()
        let output = try home.write("out.json", """
        {"Version": 1, "AccessKeyId": "ASIAPROCEXAMPLE", "SecretAccessKey": "PROCSECRETSENTINEL",
         "SessionToken": "PROCTOKENSENTINEL", "Expiration": "2026-01-01T01:00:00Z"}
        """)
        let redactor = Redactor()
        let resolved = try await provider(home, command: "cat '\(output)'", redactor: redactor).resolve()
        XCTAssertEqual(resolved?.credentials, Credentials(accessKeyId: "ASIAPROCEXAMPLE", secretAccessKey: "PROCSECRETSENTINEL",
                                                          sessionToken: "PROCTOKENSENTINEL", expiration: testNow.addingTimeInterval(3600)))
        XCTAssertEqual(resolved?.source, .process(profile: "tool"))
        XCTAssertEqual(redactor.knownSecrets, ["PROCSECRETSENTINEL", "PROCTOKENSENTINEL"])
    }

    func testLongTermKeysFromProfileCredentialProcess() async throws {
        let home = try TempHome()
        try home.config("""
        [profile tool]
        credential_process = printf '{"Version":1,"AccessKeyId":"AKIDEXAMPLE","SecretAccessKey":"SECRETSENTINEL"}'
        """)
        let env = home.environment()
        let provider = ProfileCredentialProvider(profile: "tool", config: try SharedConfig.load(environment: env),
                                                 context: makeContext(environment: env, transport: .init(), clock: .init(testNow)))
        let resolved = try await provider.resolve()
        XCTAssertEqual(resolved?.credentials, Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "SECRETSENTINEL"))
    }

    func testNonZeroExitShowsStatusAndFirstStderrLineOnly() async throws {
        let home = try TempHome()
        let command = "echo 'SECRETSENTINEL on stdout'; echo 'token expired, run login' >&2; echo 'SENTINEL detail' >&2; exit 3"
        await expectError(["credential_process of profile tool exited with status 3: token expired, run login"]) {
            _ = try await provider(home, command: command).resolve()
        }
    }

    func testStderrIsRedactedWhenItContainsAKnownSecret() async throws {
        let home = try TempHome()
        let redactor = Redactor()
        redactor.register("hunter2-secret")
        let error = await expectError(["exited with status 1: bad key ****"]) {
            _ = try await provider(home, command: "echo 'bad key hunter2-secret' >&2; exit 1", redactor: redactor).resolve()
        }
        XCTAssertFalse(error?.oneLine.contains("hunter2") ?? true)
    }

    func testInvalidJSONIsNotEchoed() async throws {
        let home = try TempHome()
        await expectError(["credential_process of profile tool printed invalid JSON"]) {
            _ = try await provider(home, command: "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDEXAMPLE\", \"SecretAccessKey\": \"SECRETSENTINEL'").resolve()
        }
    }

    func testMissingFieldsAndWrongVersion() async throws {
        let home = try TempHome()
        await expectError(["printed JSON without SecretAccessKey"]) {
            _ = try await provider(home, command: "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDEXAMPLE\"}'").resolve()
        }
        await expectError(["printed JSON without Version"]) {
            _ = try await provider(home, command: "echo '{\"AccessKeyId\": \"AKIDEXAMPLE\", \"SecretAccessKey\": \"SECRETSENTINEL\"}'").resolve()
        }
        await expectError(["printed Version 2; only Version 1 is supported"]) {
            _ = try await provider(home, command: "echo '{\"Version\": 2}'").resolve()
        }
        await expectError(["printed an Expiration that is not an ISO 8601 time"]) {
            _ = try await provider(home, command: "echo '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SECRETSENTINEL\",\"Expiration\":\"soon\"}'").resolve()
        }
    }

    func testHangingCommandIsStoppedAfterTheTimeout() async throws {
        let home = try TempHome()
        let started = Date()
        await expectError(["credential_process of profile tool did not finish within 0.3 s"]) {
            _ = try await provider(home, command: "sleep 30 & sleep 30", timeout: 0.3).resolve()
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }
}
