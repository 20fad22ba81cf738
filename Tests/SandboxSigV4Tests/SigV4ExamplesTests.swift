import Crypto
import Foundation
@testable import SandboxSigV4
import XCTest

/// AWS's own worked examples: the IAM ListUsers GET from the SigV4 guide, the S3 GET Object example
/// from the S3 SigV4 guide, and the signing-key derivation examples.
final class SigV4ExamplesTests: XCTestCase {
    /// 2015-08-30T12:36:00Z, the instant of the SigV4 guide's examples.
    static let iamExampleDate = Date(timeIntervalSince1970: 1_440_938_160)
    /// 2013-05-24T00:00:00Z, the instant of the S3 guide's examples.
    static let s3ExampleDate = Date(timeIntervalSince1970: 1_369_353_600)

    static let iamCredentials = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let s3Credentials = Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    static func signIAMListUsers() -> SignedRequest {
        let request = SigningRequest(
            method: "GET", host: "iam.amazonaws.com", path: "/",
            query: [("Action", "ListUsers"), ("Version", "2010-05-08")],
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"])
        return SigV4Signer(service: "iam", region: "us-east-1").sign(request, credentials: iamCredentials, date: iamExampleDate)
    }

    static func signS3GetObject() -> SignedRequest {
        let request = SigningRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                     headers: ["Range": "bytes=0-9"])
        return SigV4Signer(service: "s3", region: "us-east-1").sign(request, credentials: s3Credentials, date: s3ExampleDate)
    }

    // MARK: IAM ListUsers (SigV4 guide)

    func testIAMListUsersCanonicalRequestMatchesGuide() {
        let expected = """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """
        XCTAssertEqual(Self.signIAMListUsers().canonicalRequest, expected)
    }

    func testIAMListUsersStringToSignMatchesGuide() {
        let expected = """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/iam/aws4_request
            f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59
            """
        XCTAssertEqual(Self.signIAMListUsers().stringToSign, expected)
    }

    func testIAMListUsersAuthorizationMatchesGuide() {
        let signed = Self.signIAMListUsers()
        XCTAssertEqual(signed.authorization,
                       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        XCTAssertEqual(signed.headers["Authorization"], signed.authorization)
        XCTAssertEqual(signed.headers["X-Amz-Date"], "20150830T123600Z")
    }

    func testIAMListUsersSendsNoContentHashHeader() {
        XCTAssertNil(Self.signIAMListUsers().headers.keys.first { $0.lowercased() == "x-amz-content-sha256" })
    }

    // MARK: S3 GET Object (S3 SigV4 guide)

    func testS3GetObjectCanonicalRequestMatchesGuide() {
        let expected = """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """
        XCTAssertEqual(Self.signS3GetObject().canonicalRequest, expected)
    }

    func testS3GetObjectStringToSignMatchesGuide() {
        let expected = """
            AWS4-HMAC-SHA256
            20130524T000000Z
            20130524/us-east-1/s3/aws4_request
            7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
            """
        XCTAssertEqual(Self.signS3GetObject().stringToSign, expected)
    }

    func testS3GetObjectSignatureMatchesGuide() {
        let signed = Self.signS3GetObject()
        XCTAssertEqual(signed.authorization,
                       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(signed.headers["x-amz-content-sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    // MARK: Signing key derivation

    static func hex(_ key: SymmetricKey) -> String {
        key.withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined()
    }

    func testSigningKeyForIAMExampleMatchesGuide() {
        let key = SigV4Signer(service: "iam", region: "us-east-1")
            .signingKey(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day: "20150830")
        XCTAssertEqual(Self.hex(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    func testSigningKeyForDerivationExampleMatchesGuide() {
        // The guide's "deriving a signing key" example: 20120215, us-east-1, iam.
        let key = SigV4Signer(service: "iam", region: "us-east-1")
            .signingKey(secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", day: "20120215")
        XCTAssertEqual(Self.hex(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    }
}
