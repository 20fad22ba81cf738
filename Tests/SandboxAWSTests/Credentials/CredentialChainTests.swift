import Foundation
@testable import SandboxAWS
import SandboxCore
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// Counts calls and answers with a fixed result.
final class CountingProvider: CredentialProvider, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var invalidations = 0
    let answer: @Sendable () throws -> ResolvedCredentials?

    init(_ answer: @escaping @Sendable () throws -> ResolvedCredentials?) { self.answer = answer }

    var calls: Int { lock.withLock { count } }
    var invalidated: Int { lock.withLock { invalidations } }

    func resolve() async throws -> ResolvedCredentials? {
        lock.withLock { count += 1 }
        return try answer()
    }

    func invalidate() async { lock.withLock { invalidations += 1 } }
}

final class CredentialChainTests: XCTestCase {
    let keys = ResolvedCredentials(credentials: Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "SECRETSENTINEL", sessionToken: "TOKENSENTINEL"),
                                   source: .explicit("test"))

    func testFirstProviderWithCredentialsWinsAndIsRemembered() async throws {
        let keys = self.keys
        let empty = CountingProvider { nil }
        let winner = CountingProvider { keys }
        let never = CountingProvider { XCTFail("asked after a winner"); return nil }
        let redactor = Redactor()
        let chain = CredentialChain([.init("empty", empty), .init("winner", winner), .init("never", never)], redactor: redactor)
        let first = try await chain.resolve()
        let second = try await chain.resolve()
        XCTAssertEqual(first, keys)
        XCTAssertEqual(second, keys)
        XCTAssertEqual(empty.calls, 1)
        XCTAssertEqual(winner.calls, 2)
        XCTAssertEqual(never.calls, 0)
        XCTAssertEqual(redactor.knownSecrets, ["SECRETSENTINEL", "TOKENSENTINEL"])
        await chain.invalidate()
        XCTAssertEqual([empty.invalidated, winner.invalidated, never.invalidated], [1, 1, 1])
    }

    func testNothingFoundListsWhatWasTriedInOneLine() async {
        let chain = CredentialChain([.init("environment (AWS_ACCESS_KEY_ID)", CountingProvider { nil }),
                                     .init("profile default", CountingProvider { nil })])
        let error = await expectError(["no AWS credentials found (tried: environment (AWS_ACCESS_KEY_ID), profile default)"]) {
            _ = try await chain.resolve()
        }
        XCTAssertEqual((error as? NoCredentialsError)?.tried, ["environment (AWS_ACCESS_KEY_ID)", "profile default"])
    }

    func testAnErrorFromAnApplyingProviderIsRaisedNotSkipped() async {
        let keys = self.keys
        let later = CountingProvider { keys }
        let chain = CredentialChain([.init("broken", CountingProvider { throw CredentialProviderError("broken source") }), .init("later", later)])
        await expectError(["broken source"]) { _ = try await chain.resolve() }
        XCTAssertEqual(later.calls, 0)
    }
}
