import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack

/// Tags are checked against IAM's and S3's documented pattern and lengths before any call.
final class TagRuleTests: XCTestCase {
    func testKeysAndValuesFollowTheServicesPattern() {
        for key in ["Owner", "cost-center", "a.b:c/d=e+f-g@h_i", "Grüße", "日本", "with space", String(repeating: "k", count: 128)] {
            XCTAssertNil(TagRule.keyProblem(key), key)
        }
        XCTAssertNil(TagRule.valueProblem(""))
        XCTAssertNil(TagRule.valueProblem(String(repeating: "v", count: 256)))
        XCTAssertNil(TagRule.valueProblem("team@example.com"))
        XCTAssertEqual(TagRule.keyProblem(""), "tag keys are 1-128 characters, got 0")
        XCTAssertEqual(TagRule.keyProblem(String(repeating: "k", count: 129)), "tag keys are 1-128 characters, got 129")
        XCTAssertEqual(TagRule.valueProblem(String(repeating: "v", count: 257)), "tag values are at most 256 characters, got 257")
        XCTAssertEqual(TagRule.keyProblem("AWS:owner"), "tag keys starting with aws: are reserved for AWS")
        for bad in ["<", "&", ">", "*", "%", "\"", "'", "!", "#", ",", "\u{1}", "\t", "😀"] {
            XCTAssertNotNil(TagRule.keyProblem("a\(bad)"), "key with \(bad.unicodeScalars.map { $0.value })")
            XCTAssertNotNil(TagRule.valueProblem("a\(bad)"), "value with \(bad.unicodeScalars.map { $0.value })")
        }
        XCTAssertEqual(TagRule.valueProblem("a&b"), "tag values use letters, digits, spaces and _ . : / = + - @ only; found '&' (U+0026)")
        XCTAssertEqual(TagRule.valueProblem("a\u{1}"), "tag values use letters, digits, spaces and _ . : / = + - @ only; found U+0001")
        XCTAssertEqual(TagRule.setProblems(["Owner", "owner"]), ["tag keys Owner and owner differ only in case, which IAM refuses"])
        XCTAssertEqual(TagRule.setProblems((0..<51).map { "k\($0)" }), ["51 tags, but IAM and S3 accept at most 50 on a resource"])
    }

    func testValidateReportsEveryBadTagWithItsPosition() {
        let found = diagnostics("""
        version: 1
        name: t
        tags:
          Owner: "a<b"
          aws:team: x
          "bad&key": ok
          Fine: ${stack_name}
        resources:
          policy:
            type: iam_policy
            properties:
              name: p
              document: { Version: "2012-10-17", Statement: [] }
              tags:
                Note: "50% off"
        """)
        XCTAssertEqual(found.count, 4, "\(found)")
        assertDiagnostic(found, at: "t.yaml:4:10", contains: ["tags: tag Owner: tag values use", "found '<'"])
        assertDiagnostic(found, at: "t.yaml:5:3", contains: ["tags: tag 'aws:team': tag keys starting with aws: are reserved"])
        assertDiagnostic(found, at: "t.yaml:6:3", contains: ["tag 'bad&key'", "found '&'"])
        assertDiagnostic(found, at: "t.yaml:15:15", contains: ["policy.tags: tag Note:", "found '%'"])
    }
}
