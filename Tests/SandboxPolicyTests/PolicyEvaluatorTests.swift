import SandboxCore
import SandboxPolicy
import XCTest

/// The evaluator against a table of cases, including the AWS IAM User Guide's examples for NotAction
/// ("IAM JSON policy elements: NotAction"), NotResource ("…: NotResource") and wildcards in ARNs and actions.
final class PolicyEvaluatorTests: XCTestCase {
    enum Want { case allow, implicit, deny, unprovable }

    struct Case {
        let name: String
        let statements: String
        let action: String
        let resource: String
        let prefix: String?
        let want: Want
        init(_ name: String, _ statements: String, _ action: String, _ resource: String, prefix: String? = nil, _ want: Want) {
            self.name = name
            self.statements = statements
            self.action = action
            self.resource = resource
            self.prefix = prefix
            self.want = want
        }
    }

    static let bucket = "arn:aws:s3:::amzn-s3-demo-bucket"
    static let listOnRuns = #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":["runs/*"]}}}"#
    static let listExact = #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringEquals":{"s3:prefix":["runs/","state/"]}}}"#

    static let cases: [Case] = [
        // Action matching: exact, case-insensitive, wildcards.
        Case("exact action", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#, "s3:GetObject", "arn:aws:s3:::b/k", .allow),
        Case("action case-insensitive", #"{"Effect":"Allow","Action":"S3:getobject","Resource":"*"}"#, "s3:GetObject", "arn:aws:s3:::b/k", .allow),
        Case("action list", #"{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}"#, "s3:GetObject", "x", .allow),
        Case("other action", #"{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}"#, "s3:GetObject", "x", .implicit),
        Case("service wildcard", #"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#, "s3:DeleteObjectVersion", "x", .allow),
        Case("service wildcard other service", #"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#, "glue:GetTables", "x", .implicit),
        Case("AWS example iam:*AccessKey*", #"{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"*"}"#, "iam:CreateAccessKey", "x", .allow),
        Case("AWS example iam:*AccessKey* ListAccessKeys", #"{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"*"}"#, "iam:ListAccessKeys", "x", .allow),
        Case("AWS example iam:*AccessKey* not GetUser", #"{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"*"}"#, "iam:GetUser", "x", .implicit),
        Case("prefix wildcard s3:Get*", #"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#, "s3:GetBucketVersioning", "x", .allow),
        Case("prefix wildcard s3:Get* vs List", #"{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}"#, "s3:ListBucket", "x", .implicit),
        Case("question mark one char", #"{"Effect":"Allow","Action":"s3:?etObject","Resource":"*"}"#, "s3:GetObject", "x", .allow),
        Case("question mark not zero chars", #"{"Effect":"Allow","Action":"s3:?GetObject","Resource":"*"}"#, "s3:GetObject", "x", .implicit),
        Case("star everything", #"{"Effect":"Allow","Action":"*","Resource":"*"}"#, "budgets:ViewBudget", "arn:aws:budgets::1:budget/b", .allow),
        // NotAction (AWS examples).
        Case("AWS NotAction allow all but IAM: s3 allowed", #"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#, "s3:GetObject", "x", .allow),
        Case("AWS NotAction allow all but IAM: iam not", #"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#, "iam:CreateUser", "x", .implicit),
        Case("AWS NotAction s3:DeleteBucket on all S3: delete not allowed", #"{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}"#, "s3:DeleteBucket", "arn:aws:s3:::b", .implicit),
        Case("AWS NotAction s3:DeleteBucket on all S3: other allowed", #"{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}"#, "s3:ListBucket", "arn:aws:s3:::b", .allow),
        Case("AWS NotAction s3:DeleteBucket: not outside S3 resources", #"{"Effect":"Allow","NotAction":"s3:DeleteBucket","Resource":"arn:aws:s3:::*"}"#, "glue:GetTables", "arn:aws:glue:us-east-1:1:catalog", .implicit),
        Case("AWS NotAction deny all but IAM without MFA style (no condition)", #"{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}"#, "s3:GetObject", "x", .deny),
        Case("NotAction deny leaves listed action alone", #"[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]"#, "sts:GetCallerIdentity", "*", .allow),
        // Resource matching.
        Case("bucket arn exact", #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}"#, "s3:ListBucket", "arn:aws:s3:::b", .allow),
        Case("bucket arn is not its objects", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}"#, "s3:GetObject", "arn:aws:s3:::b/k", .implicit),
        Case("object arn wildcard", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/runs/*"}"#, "s3:GetObject", "arn:aws:s3:::b/runs/r1/part-0", .allow),
        Case("object arn wildcard other prefix", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/runs/*"}"#, "s3:GetObject", "arn:aws:s3:::b/state/x", .implicit),
        Case("arn case-sensitive", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/Runs/*"}"#, "s3:GetObject", "arn:aws:s3:::b/runs/x", .implicit),
        Case("AWS wildcard example arn:aws:s3:::amzn-s3-demo-bucket/*", #"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}"#, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c", .allow),
        Case("AWS wildcard example does not cover the bucket", #"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*"}"#, "s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", .implicit),
        Case("question mark in arn", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/run?/x"}"#, "s3:GetObject", "arn:aws:s3:::b/run1/x", .allow),
        Case("glue table wildcard", #"{"Effect":"Allow","Action":"glue:BatchDeleteTable","Resource":"arn:aws:glue:us-east-1:1:table/floe_*/*"}"#, "glue:BatchDeleteTable", "arn:aws:glue:us-east-1:1:table/floe_r1/t", .allow),
        Case("glue database prefix", #"{"Effect":"Allow","Action":"glue:GetDatabase","Resource":"arn:aws:glue:us-east-1:1:database/floe_*"}"#, "glue:GetDatabase", "arn:aws:glue:us-east-1:1:database/other", .implicit),
        Case("no Resource applies to nothing", #"{"Effect":"Allow","Action":"s3:GetObject"}"#, "s3:GetObject", "arn:aws:s3:::b/k", .implicit),
        // NotResource (AWS examples).
        Case("AWS NotResource allow all but one bucket: other allowed", #"{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}"#, "s3:GetObject", "arn:aws:s3:::HRBucket/Public/x", .allow),
        Case("AWS NotResource allow all but one bucket: payroll not", #"{"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}"#, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/x", .implicit),
        Case("AWS NotResource deny everything but one bucket", #"[{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]"#, "s3:GetObject", "arn:aws:s3:::Other/x", .deny),
        Case("AWS NotResource deny spares the named bucket", #"[{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]"#, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/x", .allow),
        // Explicit Deny wins.
        Case("deny wins over allow", #"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]"#, "s3:DeleteObject", "arn:aws:s3:::b/k", .deny),
        Case("deny of other action leaves allow", #"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]"#, "s3:DeleteObject", "arn:aws:s3:::b/k", .allow),
        Case("deny on other resource leaves allow", #"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::prod/*"}]"#, "s3:GetObject", "arn:aws:s3:::b/k", .allow),
        Case("deny alone", #"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#, "s3:GetObject", "x", .deny),
        // s3:prefix conditions.
        Case("StringLike prefix matches", listOnRuns, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/r1/", .allow),
        Case("StringLike prefix root itself", listOnRuns, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/", .allow),
        Case("StringLike prefix outside", listOnRuns, "s3:ListBucket", "arn:aws:s3:::b", prefix: "state/", .implicit),
        Case("StringLike prefix absent fails", listOnRuns, "s3:ListBucket", "arn:aws:s3:::b", .implicit),
        Case("StringEquals prefix one of values", listExact, "s3:ListBucket", "arn:aws:s3:::b", prefix: "state/", .allow),
        Case("StringEquals is not a pattern", listExact, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/r1/", .implicit),
        Case("StringEquals case-sensitive", listExact, "s3:ListBucket", "arn:aws:s3:::b", prefix: "RUNS/", .implicit),
        Case("condition key name case-insensitive", #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"S3:Prefix":"runs/*"}}}"#, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/x", .allow),
        Case("two conditions AND", #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringLike":{"s3:prefix":"runs/*"},"StringEquals":{"s3:prefix":"runs/a"}}}"#, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/b", .implicit),
        Case("deny with false condition does not apply", #"[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"secret/*"}}}]"#, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/", .allow),
        Case("deny with true condition applies", #"[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"},{"Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"secret/*"}}}]"#, "s3:ListBucket", "arn:aws:s3:::b", prefix: "secret/a", .deny),
        // Anything else cannot be proven offline.
        Case("other operator unprovable", #"{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLikeIfExists":{"s3:prefix":"runs/*"}}}"#, "s3:ListBucket", "arn:aws:s3:::b", prefix: "runs/", .unprovable),
        Case("other key unprovable", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#, "s3:GetObject", "arn:aws:s3:::b/k", .unprovable),
        Case("aws:SourceIp unprovable", #"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#, "s3:GetObject", "x", .unprovable),
        Case("unprovable deny beats allow", #"[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]"#, "s3:GetObject", "x", .unprovable),
        Case("unprovable allow with another plain allow", #"[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]"#, "s3:GetObject", "x", .allow),
        Case("unprovable statement not covering the request is ignored", #"[{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]"#, "s3:GetObject", "x", .allow),
    ]

    func testTable() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 40)
        for test in Self.cases {
            let statements = JSONValue.parse(test.statements)
            XCTAssertNotNil(statements, test.name)
            let document = JSONValue.object(["Version": .string("2012-10-17"), "Statement": statements ?? .null])
            let policy = try IAMPolicy(name: "p", document: document)
            let request = AccessRequest(action: test.action, resource: test.resource, context: test.prefix.map { ["s3:prefix": $0] } ?? [:])
            let decision = PolicyEvaluator.evaluate([policy], request)
            let got: Want
            switch decision {
            case .allowed: got = .allow
            case .implicitlyDenied: got = .implicit
            case .explicitlyDenied: got = .deny
            case .unprovable: got = .unprovable
            }
            XCTAssertEqual(got, test.want, "\(test.name): \(decision)")
        }
    }

    func testDenyInOnePolicyWinsOverAllowInAnother() throws {
        let allow = try IAMPolicy(name: "a", document: JSONValue.parse(#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#) ?? .null)
        let deny = try IAMPolicy(name: "d", document: JSONValue.parse(#"{"Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#) ?? .null)
        XCTAssertEqual(PolicyEvaluator.evaluate([allow, deny], AccessRequest(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/k")),
                       .explicitlyDenied(policy: "d", statement: "NoDelete"))
    }

    func testMalformedDocumentsAreRefusedWithOneLine() {
        for (text, reason) in [(#"{"Version":"2012-10-17"}"#, "no Statement"), (#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#, "Effect"),
                               (#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}"#, "exactly one of Action"),
                               (#"{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#, "list of strings")] {
            XCTAssertThrowsError(try IAMPolicy(name: "p", document: JSONValue.parse(text) ?? .null)) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("policy p cannot be read"), "\(error)")
            }
        }
    }

    func testWildcardPatternEdges() {
        XCTAssertTrue(WildcardPattern("*").matches(""))
        XCTAssertTrue(WildcardPattern("a*b*c").matches("aXXbYYc"))
        XCTAssertFalse(WildcardPattern("a*b*c").matches("aXXcYYb"))
        XCTAssertTrue(WildcardPattern("runs/*/x").matches("runs/a/b/x"))
        XCTAssertFalse(WildcardPattern("abc").matches("abcd"))
        XCTAssertTrue(WildcardPattern("ABC", caseSensitive: false).matches("abc"))
        XCTAssertTrue(WildcardPattern("[a]+.(x)").matches("[a]+.(x)"), "regex characters are literal")
    }

    func testProofNamesTheFirstGapAndTheCommand() throws {
        let policy = try IAMPolicy(name: "floe-provider-tests-permissions", document: JSONValue.parse(
            #"{"Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketVersioning"],"Resource":"arn:aws:s3:::B"}]}"#) ?? .null)
        let calls = [DeclaredCall("cleanup", operation: "GetBucketVersioning", action: "s3:GetBucketVersioning", resource: "arn:aws:s3:::B"),
                     DeclaredCall("cleanup", operation: "ListMultipartUploads", action: "s3:ListBucketMultipartUploads", resource: "arn:aws:s3:::B"),
                     DeclaredCall("check", operation: "GetPolicy", action: "iam:GetPolicy", resource: "arn:aws:iam::1:policy/p", required: false)]
        let gaps = PolicyProof(policies: [policy]).gaps(calls)
        XCTAssertEqual(gaps.map(\.description),
                       ["policy floe-provider-tests-permissions does not allow s3:ListBucketMultipartUploads on arn:aws:s3:::B (cleanup needs it)"])
    }

    func testDeclaredCallCoversRecordedRequests() {
        let list = DeclaredCall("cleanup", operation: "ListObjectsV2", action: "s3:ListBucket", resource: "arn:aws:s3:::b", prefix: "runs/*")
        XCTAssertTrue(list.covers(action: "s3:listbucket", resource: "arn:aws:s3:::b", prefix: "runs/r1/"))
        XCTAssertFalse(list.covers(action: "s3:ListBucket", resource: "arn:aws:s3:::b", prefix: "state/"))
        XCTAssertFalse(list.covers(action: "s3:ListBucket", resource: "arn:aws:s3:::b", prefix: nil))
        let objects = DeclaredCall("cleanup", operation: "DeleteObjects", action: "s3:DeleteObject", resource: "arn:aws:s3:::b/runs/*")
        XCTAssertTrue(objects.covers(action: "s3:DeleteObject", resource: "arn:aws:s3:::b/runs/r/k", prefix: nil))
        XCTAssertFalse(objects.covers(action: "s3:DeleteObjectVersion", resource: "arn:aws:s3:::b/runs/r/k", prefix: nil))
    }

    func testBuilderAddsOnlyWhatTheBaseLacks() throws {
        let base = [JSONValue.parse(#"{"Sid":"BucketLevel","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}"#) ?? .null]
        let calls = [DeclaredCall("cleanup", operation: "ListObjectsV2", action: "s3:ListBucket", resource: "arn:aws:s3:::b", prefix: "runs/*"),
                     DeclaredCall("cleanup", operation: "ListObjectVersions", action: "s3:ListBucketVersions", resource: "arn:aws:s3:::b", prefix: "runs/*"),
                     DeclaredCall("cleanup", operation: "GetBucketVersioning", action: "s3:GetBucketVersioning", resource: "arn:aws:s3:::b"),
                     DeclaredCall("cleanup", operation: "ListMultipartUploads", action: "s3:ListBucketMultipartUploads", resource: "arn:aws:s3:::b"),
                     DeclaredCall("check", operation: "GetPolicy", action: "iam:GetPolicy", resource: "arn:aws:iam::1:policy/p", required: false)]
        let document = PolicyBuilder.document(base: base, calls: calls)
        let policy = try IAMPolicy(name: "ci", document: document)
        XCTAssertEqual(policy.statements.count, 3, document.compactJSON)
        XCTAssertTrue(PolicyProof(policies: [policy]).gaps(calls).isEmpty)
        XCTAssertFalse(document.compactJSON.contains("iam:GetPolicy"), "optional reads stay out of the CI policy")
        XCTAssertTrue(document.compactJSON.contains(#""StringLike":{"s3:prefix":"runs/*"}"#), document.compactJSON)
    }
}
