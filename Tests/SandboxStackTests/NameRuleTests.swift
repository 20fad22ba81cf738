import XCTest
@testable import SandboxStack

/// AWS naming rules, one assertion per rule so a regression names the rule it broke.
final class NameRuleTests: XCTestCase {
    func assertValid(_ rule: NameRule, _ values: [String], file: StaticString = #filePath, line: UInt = #line) {
        for value in values {
            XCTAssertNil(rule.problem(with: value), "'\(value)' should be a valid \(rule)", file: file, line: line)
        }
    }

    func assertProblem(_ rule: NameRule, _ value: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let problem = rule.problem(with: value) else {
            XCTFail("'\(value)' should be rejected by \(rule)", file: file, line: line)
            return
        }
        XCTAssertTrue(problem.contains(fragment), "'\(value)': \(problem)", file: file, line: line)
    }

    func testValidBucketNames() {
        assertValid(.s3Bucket, ["abc", "floe-provider-tests-123456789012-eu-west-1", "a.b-c", "1bucket9", String(repeating: "a", count: 63),
                                "999.1.1.1", "1.2.3", "my-xn--bucket", "bucket-s3alias-not"])
    }

    func testEachBucketRule() {
        assertProblem(.s3Bucket, "ab", "bucket names are 3-63 characters long (this one has 2)")
        assertProblem(.s3Bucket, String(repeating: "a", count: 64), "3-63 characters long (this one has 64)")
        assertProblem(.s3Bucket, "", "3-63 characters long (this one has 0)")
        assertProblem(.s3Bucket, "MyBucket", "use only lowercase letters, digits, dots and hyphens")
        assertProblem(.s3Bucket, "my_bucket", "use only lowercase letters, digits, dots and hyphens")
        assertProblem(.s3Bucket, "my bucket", "use only lowercase letters")
        assertProblem(.s3Bucket, "bücket", "use only lowercase letters")
        assertProblem(.s3Bucket, "-bucket", "begin and end with a letter or digit")
        assertProblem(.s3Bucket, ".bucket", "begin and end with a letter or digit")
        assertProblem(.s3Bucket, "bucket-", "begin and end with a letter or digit")
        assertProblem(.s3Bucket, "bucket.", "begin and end with a letter or digit")
        assertProblem(.s3Bucket, "my..bucket", "must not contain two adjacent dots")
        assertProblem(.s3Bucket, "192.168.5.4", "must not look like an IP address")
        assertProblem(.s3Bucket, "0.0.0.0", "must not look like an IP address")
        assertProblem(.s3Bucket, "xn--bucket", "must not start with xn--")
        assertProblem(.s3Bucket, "sthree-bucket", "must not start with sthree-")
        assertProblem(.s3Bucket, "sthree-configurator", "must not start with sthree-")
        assertProblem(.s3Bucket, "amzn-s3-demo-bucket", "must not start with amzn-s3-demo-")
        assertProblem(.s3Bucket, "bucket-s3alias", "must not end with -s3alias")
        assertProblem(.s3Bucket, "bucket--ol-s3", "must not end with --ol-s3")
        assertProblem(.s3Bucket, "bucket.mrap", "must not end with .mrap")
        assertProblem(.s3Bucket, "bucket--x-s3", "must not end with --x-s3")
        assertProblem(.s3Bucket, "bucket--table-s3", "must not end with --table-s3")
    }

    func testIAMNames() {
        assertValid(.iamName, ["p", "floe-provider-tests-permissions", "a_b+c=d,e.f@g-h", String(repeating: "p", count: 128)])
        assertValid(.iamUserName, ["u", String(repeating: "u", count: 64)])
        assertProblem(.iamName, "", "IAM names are 1-128 characters of letters, digits and _+=,.@-")
        assertProblem(.iamName, String(repeating: "p", count: 129), "1-128 characters")
        assertProblem(.iamName, "has space", "1-128 characters")
        assertProblem(.iamName, "a/b", "1-128 characters")
        assertProblem(.iamName, "a:b", "1-128 characters")
        assertProblem(.iamName, "café", "1-128 characters")
        assertProblem(.iamUserName, String(repeating: "u", count: 65), "IAM names are 1-64 characters")
        assertProblem(.iamUserName, "a*b", "1-64 characters")
    }

    func testIAMPaths() {
        assertValid(.iamPath, ["/", "/sandbox/", "/a/b-c/"])
        for bad in ["", "sandbox/", "/sandbox", "/a b/", "/tab\t/", "/" + String(repeating: "a", count: 511) + "/"] {
            assertProblem(.iamPath, bad, "IAM paths start and end with / and use printable ASCII")
        }
    }

    func testBudgetNames() {
        assertValid(.budgetName, ["b", "floe-provider-tests-monthly-budget", "with space", String(repeating: "b", count: 100)])
        for bad in ["", String(repeating: "b", count: 101), "team:monthly", "team\\monthly"] {
            assertProblem(.budgetName, bad, "budget names are 1-100 characters without ':' or '\\'")
        }
    }

    func testEmails() {
        assertValid(.email, ["ops@example.com", "a.b+c@sub.example.org"])
        for bad in ["ops", "@example.com", "ops@example", "ops@.com", "ops@com.", "o ps@example.com", "a@b@example.com"] {
            assertProblem(.email, bad, "not an e-mail address")
        }
    }

    func testGluePrefixes() {
        assertValid(.gluePrefix, ["floe_provider_", "a_", "x1_"])
        for bad in ["", "floe_provider", "Floe_", "1floe_", "_floe_", "floe-provider_", "floe provider_", "flöe_"] {
            assertProblem(.gluePrefix, bad, "Glue database prefixes are lowercase snake_case, start with a letter and end with _")
        }
    }

    func testRunPrefixes() {
        assertValid(.runPrefix, ["runs/", "runs/provider/", "a.b/"])
        for bad in ["", "runs", "/runs/", "runs//x/", "runs/../", "../runs/", "./runs/", "runs/./x/", "runs/*/", "runs\n/"] {
            assertProblem(.runPrefix, bad, "run prefixes are relative key prefixes ending in / without '..', '//' or a leading /")
        }
    }
}
