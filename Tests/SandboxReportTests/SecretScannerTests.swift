import Foundation
import XCTest
@testable import SandboxReport

final class SecretScannerTests: XCTestCase {
    /// AWS's documented example secret key: 40 characters of mixed case, digits and '/'.
    let exampleSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    /// A session-token-shaped string: a long run of base64 with both cases (an obvious test value).
    var exampleSessionToken: String {
        "IQoJb3JpZ2luX2VjEXAMPLE" + String(repeating: "TESTtokenSENTINEL0123456789+/", count: 12) + "=="
    }

    func testKnownSecretValueIsFound() {
        let secret = "hunter2-but-longer"
        let findings = SecretScanner.scan("password is hunter2-but-longer, do not tell", knownSecrets: [secret])
        XCTAssertEqual(findings, [SecretScanner.Finding(kind: "the value of a credential in use")])
        XCTAssertEqual(findings.first?.description, "the value of a credential in use")
        XCTAssertEqual(SecretScanner.scan("nothing here", knownSecrets: [secret]), [])
    }

    func testVeryShortKnownSecretsAreIgnored() {
        // A secret of a few characters would match everywhere; the scanner needs at least 8.
        XCTAssertEqual(SecretScanner.scan("the key is abc", knownSecrets: ["abc", "1234567"]), [])
        XCTAssertEqual(SecretScanner.scan("the key is 12345678", knownSecrets: ["12345678"]).count, 1)
    }

    func testAWSSecretShapedStringIsFound() {
        XCTAssertEqual(exampleSecretKey.count, 40)
        for text in [exampleSecretKey, "aws_secret_access_key = \(exampleSecretKey)", "\"SecretAccessKey\": \"\(exampleSecretKey)\""] {
            XCTAssertEqual(SecretScanner.scan(text, knownSecrets: []).map(\.kind),
                           ["a 40-character string shaped like an AWS secret access key"], text)
        }
    }

    func testSessionTokenShapedStringIsFound() {
        XCTAssertGreaterThan(exampleSessionToken.count, 100)
        let findings = SecretScanner.scan("AWS_SESSION_TOKEN=\(exampleSessionToken)", knownSecrets: [])
        XCTAssertEqual(findings.map(\.kind), ["a long base64 string shaped like an AWS session token"])
    }

    func testEveryKindIsReportedTogether() {
        let text = "k: \(exampleSecretKey) t: \(exampleSessionToken) p: correct-horse-battery"
        let kinds = SecretScanner.scan(text, knownSecrets: ["correct-horse-battery"]).map(\.kind)
        XCTAssertEqual(Set(kinds), ["the value of a credential in use",
                                    "a 40-character string shaped like an AWS secret access key",
                                    "a long base64 string shaped like an AWS session token"])
    }

    func testSecretInAnEnvironmentAssignment() {
        // `KEY=value` must not glue the name to the value ('=' is base64 only as trailing padding).
        for text in ["AWS_SECRET_ACCESS_KEY=\(exampleSecretKey)", "export AWS_SECRET_ACCESS_KEY=\(exampleSecretKey)\n",
                     "KEY=\(exampleSecretKey)", "a=b=\(exampleSecretKey)", "SECRET==\(exampleSecretKey)"] {
            XCTAssertEqual(SecretScanner.scan(text, knownSecrets: []).map(\.kind),
                           ["a 40-character string shaped like an AWS secret access key"], text)
        }
        // A session token assigned with padding at its end is still one token.
        XCTAssertEqual(SecretScanner.scan("AWS_SESSION_TOKEN=\(exampleSessionToken)", knownSecrets: []).count, 1)
    }

    func testEqualsIsPaddingOnlyAtTheEndOfAToken() {
        XCTAssertEqual(SecretScanner.tokens(in: "NAME=value").map(String.init), ["NAME", "value"])
        XCTAssertEqual(SecretScanner.tokens(in: "abc== def=").map(String.init), ["abc==", "def="])
        XCTAssertEqual(SecretScanner.tokens(in: "a==b=c==").map(String.init), ["a", "b", "c=="])
        XCTAssertEqual(SecretScanner.tokens(in: "=lead = == x").map(String.init), ["lead", "x"])
    }

    func testOrdinaryReportContentIsNotFlagged() {
        let harmless = [
            // A stack's sha256 (64 hex) and a git commit (40 hex, both cases).
            "stack sha256 6f1ed002ab5595859014ebf0951522d9fa2f9e5a44b6b1d3c1c2e8a7b9c0d1e2",
            "commit 0123456789abcdef0123456789abcdef01234567 and 0123456789ABCDEF0123456789ABCDEF01234567",
            // Run ids, prefixes and databases.
            "floe-provider-20250102T030405Z", "s3://floe-provider-tests-123456789012-eu-west-1/runs/floe-provider-20250102T030405Z/",
            "floe_provider_floe_provider_20250102t030405z",
            // ARNs and bucket names.
            "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions",
            "arn:aws:glue:eu-west-1:123456789012:database/floe_provider_*",
            "arn:aws:sts::123456789012:assumed-role/ProviderTestsRole/session-name",
            "floe-provider-tests-123456789012-eu-west-1",
            // An access key id is not a secret, and dates are not either.
            "AKIAIOSFODNN7EXAMPLE", "2025-01-02T03:04:05Z",
            // Forty characters of plain words.
            "ProviderCompatibilityTestsAreGreatToHave",
        ]
        for text in harmless {
            XCTAssertEqual(SecretScanner.scan(text, knownSecrets: []), [], text)
        }
    }

    func testTokensSplitAtNonBase64Characters() {
        XCTAssertEqual(SecretScanner.tokens(in: "a-b c/d+e=f:g").map(String.init), ["a", "b", "c/d+e", "f", "g"])
        XCTAssertTrue(SecretScanner.isSecretKeyShaped(Substring(exampleSecretKey)))
        XCTAssertFalse(SecretScanner.isSecretKeyShaped("0123456789abcdef0123456789ABCDEF01234567"))
        XCTAssertFalse(SecretScanner.isSecretKeyShaped("ALLUPPERCASEANDDIGITS0123456789ABCDEFGHI"))
    }
}
