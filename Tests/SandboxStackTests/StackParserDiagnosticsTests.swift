import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack
import SandboxProviders

/// Structural problems: unknown keys, wrong types, unknown and forbidden resource kinds, each at `file:line:column`.
final class StackParserDiagnosticsTests: XCTestCase {
    func testUnknownTopLevelKeySuggestsTheClosestKey() {
        let found = diagnostics("""
        version: 1
        name: t
        resorces:
          bucket:
            type: s3_bucket
        """)
        XCTAssertEqual(found.count, 2, "\(found)")
        assertDiagnostic(found, at: "t.yaml:3:1", contains: ["unknown key 'resorces' in the stack; did you mean 'resources'?"])
        assertDiagnostic(found, at: "t.yaml:1:1", contains: ["the stack declares no resources; add a resources: mapping"])
        XCTAssertEqual(found[0].description, "t.yaml:3:1: error: unknown key 'resorces' in the stack; did you mean 'resources'?")
    }

    func testUnknownKeyWithoutACloseMatchHasNoSuggestion() {
        let found = diagnostics("""
        version: 1
        zzzzzzzzzz: 1
        resources:
          bucket:
            type: s3_bucket
        """)
        assertOnly(found, at: "t.yaml:2:1", contains: ["unknown key 'zzzzzzzzzz' in the stack"])
        XCTAssertFalse(found[0].message.contains("did you mean"))
    }

    func testUnknownResourceKeySuggestsTheClosestKey() {
        let found = diagnostics("""
        version: 1
        name: t
        resources:
          bucket:
            type: s3_bucket
            propertes:
              name: abc
            depends-on: []
        """)
        XCTAssertEqual(found.count, 2, "\(found)")
        assertDiagnostic(found, at: "t.yaml:6:5", contains: ["unknown key 'propertes' in resource bucket; did you mean 'properties'?"])
        assertDiagnostic(found, at: "t.yaml:8:5", contains: ["unknown key 'depends-on' in resource bucket; did you mean 'depends_on'?"])
    }

    func testUnknownPropertySuggestsTheClosestProperty() {
        let found = diagnostics("""
        version: 1
        name: t
        resources:
          bucket:
            type: s3_bucket
          pab:
            type: s3_public_access_block
            properties:
              bukcet: ${bucket.name}
        """)
        XCTAssertEqual(found.count, 2, "\(found)")
        assertDiagnostic(found, at: "t.yaml:9:7",
                         contains: ["unknown key 'bukcet' in properties of pab (s3_public_access_block); did you mean 'bucket'?"])
        assertDiagnostic(found, at: "t.yaml:6:3",
                         contains: ["resource pab (s3_public_access_block) is missing required property bucket: name of the bucket"])
    }

    func testUnknownKeysInVariablesOutputsAndRuns() {
        let found = diagnostics("""
        version: 1
        name: t
        variables:
          owner:
            typ: string
            validation:
              patern: "^a$"
        resources:
          bucket:
            type: s3_bucket
        runs:
          buckt: ${bucket.name}
          bucket: ${bucket.name}
          glue_prefix: x_
        outputs:
          X:
            value: ${bucket.name}
            descripton: d
        """)
        XCTAssertEqual(found.count, 4, "\(found)")
        assertDiagnostic(found, at: "t.yaml:5:5", contains: ["unknown key 'typ' in variable owner; did you mean 'type'?"])
        assertDiagnostic(found, at: "t.yaml:7:7", contains: ["unknown key 'patern' in validation of variable owner; did you mean 'pattern'?"])
        assertDiagnostic(found, at: "t.yaml:12:3", contains: ["unknown key 'buckt' in runs; did you mean 'bucket'?"])
        assertDiagnostic(found, at: "t.yaml:18:5", contains: ["unknown key 'descripton' in output X; did you mean 'description'?"])
    }

    func testWrongTypesOfStackFields() {
        let found = diagnostics("""
        version: 2
        name: [t]
        description: {a: b}
        allowed_account_ids: ["123", 123456789012]
        tags:
          Owner: [a]
          Count: 3
        resources:
          bucket:
            type: s3_bucket
            depends_on: other
          other: s3_bucket
          third:
            type: [s3_bucket]
          fourth:
            type: s3_bucket
            depends_on: [1, bucket]
            properties: [a]
        """)
        XCTAssertEqual(found.count, 10, "\(found)")
        assertDiagnostic(found, at: "t.yaml:1:10", contains: ["unsupported stack version 2; this sandbox reads version 1"])
        assertDiagnostic(found, at: "t.yaml:2:7", contains: ["name must be a string, got a list"])
        assertDiagnostic(found, at: "t.yaml:3:14", contains: ["description must be a string, got a mapping"])
        assertDiagnostic(found, at: "t.yaml:4:23", contains: ["allowed_account_ids entries are 12-digit account ids, got '123'"])
        assertDiagnostic(found, at: "t.yaml:6:10", contains: ["tag Owner must be a string, got a list"])
        assertDiagnostic(found, at: "t.yaml:11:17", contains: ["depends_on must be a list of resource names"])
        assertDiagnostic(found, at: "t.yaml:12:10", contains: ["resource other must be a mapping, got a string"])
        assertDiagnostic(found, at: "t.yaml:14:11", contains: ["type must be a string, got a list"])
        assertDiagnostic(found, at: "t.yaml:17:18", contains: ["depends_on entries are resource names"])
        assertDiagnostic(found, at: "t.yaml:18:17", contains: ["properties of fourth must be a mapping, got a list"])
    }

    func testWrongTypesOfNamesAndAccounts() {
        let found = diagnostics("""
        name: "bad name!"
        allowed_account_ids: 123456789012
        resources:
          bucket:
            type: s3_bucket
          var:
            type: s3_bucket
          9lives:
            type: s3_bucket
        """)
        XCTAssertEqual(found.count, 4, "\(found)")
        assertDiagnostic(found, at: "t.yaml:1:7", contains: ["stack name 'bad name!' must be 1-64 letters, digits, - or _"])
        assertDiagnostic(found, at: "t.yaml:2:22", contains: ["allowed_account_ids must be a list of 12-digit account ids"])
        assertDiagnostic(found, at: "t.yaml:6:3", contains: ["resource name 'var' must start with a letter", "not be a reserved word"])
        assertDiagnostic(found, at: "t.yaml:8:3", contains: ["resource name '9lives' must start with a letter"])
    }

    func testWrongTypesInVariableDeclarations() {
        let found = diagnostics("""
        version: 1
        variables:
          a:
            type: strng
            required: "yes"
          b:
            type: integer
            default: 50
            validation:
              min: "1"
              max: 10
              enum: one
              pattern: "["
          c: plain
        resources:
          bucket:
            type: s3_bucket
        """)
        XCTAssertEqual(found.count, 7, "\(found)")
        assertDiagnostic(found, at: "t.yaml:4:11",
                         contains: ["unknown variable type 'strng'; use one of string, number, integer, bool, list, map (did you mean 'string'?)"])
        assertDiagnostic(found, at: "t.yaml:5:15", contains: ["required must be true or false, got a string"])
        assertDiagnostic(found, at: "t.yaml:10:12", contains: ["min must be a number, got a string"])
        assertDiagnostic(found, at: "t.yaml:12:13", contains: ["enum must be a list"])
        assertDiagnostic(found, at: "t.yaml:13:16", contains: ["pattern '[' is not a valid regular expression"])
        assertDiagnostic(found, at: "t.yaml:8:14", contains: ["default does not pass validation: variable b: 50 is above the maximum 10"])
        assertDiagnostic(found, at: "t.yaml:14:6", contains: ["variable c must be a mapping, got a string"])
    }

    func testWrongPropertyTypes() {
        let found = diagnostics("""
        version: 1
        resources:
          bucket:
            type: s3_bucket
            properties:
              tags: [a]
          pab:
            type: s3_public_access_block
            properties:
              bucket: ${bucket.name}
              block_public_acls: "yes"
          enc:
            type: s3_bucket_encryption
            properties:
              bucket: ${bucket.name}
              algorithm: AES265
          life:
            type: s3_bucket_lifecycle
            properties:
              bucket: ${bucket.name}
              expiration_days: 2.5
          policy:
            type: iam_policy
            properties:
              name: p
              document: "{}"
          budget:
            type: budget
            properties:
              name: b
              emails: ops@example.com
              limit_usd: ten
        """)
        XCTAssertEqual(found.count, 7, "\(found)")
        assertDiagnostic(found, at: "t.yaml:6:13", contains: ["bucket.tags: must be a mapping of strings, got [\"a\"]"])
        assertDiagnostic(found, at: "t.yaml:11:26", contains: ["pab.block_public_acls: must be a boolean, got \"yes\""])
        assertDiagnostic(found, at: "t.yaml:16:18", contains: ["enc.algorithm: 'AES265' must be one of AES256, aws:kms; did you mean 'AES256'?"])
        assertDiagnostic(found, at: "t.yaml:21:24", contains: ["life.expiration_days: must be an integer, got 2.5"])
        assertDiagnostic(found, at: "t.yaml:26:17", contains: ["policy.document: must be a mapping, got \"{}\""])
        assertDiagnostic(found, at: "t.yaml:31:15", contains: ["budget.emails: must be a list of strings, got \"ops@example.com\""])
        assertDiagnostic(found, at: "t.yaml:32:18", contains: ["budget.limit_usd: must be a number, got \"ten\""])
    }

    func testMissingTypeAndRequiredProperties() {
        let found = diagnostics("""
        version: 1
        resources:
          bucket:
            properties: {}
          policy:
            type: iam_policy
        """)
        XCTAssertEqual(found.count, 3, "\(found)")
        assertDiagnostic(found, at: "t.yaml:3:3", contains: ["resource bucket needs a type (one of s3_bucket, s3_public_access_block"])
        let policy = found.filter { $0.location?.description == "t.yaml:5:3" }.map(\.message)
        XCTAssertEqual(policy, ["resource policy (iam_policy) is missing required property name: policy name",
                                "resource policy (iam_policy) is missing required property document: the policy document"])
    }

    func testUnknownResourceTypeSuggestsAKnownType() {
        let found = diagnostics("""
        version: 1
        resources:
          bucket:
            type: s3_bukcet
          other:
            type: dynamodb_table
        """)
        XCTAssertEqual(found.count, 2, "\(found)")
        assertDiagnostic(found, at: "t.yaml:4:11", contains: ["unknown resource type 's3_bukcet'; did you mean 's3_bucket'?"])
        assertDiagnostic(found, at: "t.yaml:6:11", contains: ["unknown resource type 'dynamodb_table'; known types: s3_bucket, s3_public_access_block,",
                                                               "budget, glue_database_prefix"])
    }

    func testEveryForbiddenKindIsRejectedWithItsReason() {
        let cases: [(type: String, reason: String)] = [
            ("eks_cluster", "EKS is forbidden: it has a standing cost that a test sandbox must not carry"),
            ("aws_eks_node_group", "EKS is forbidden"),
            ("aws_instance", "EC2 instances are forbidden: it has a standing cost"),
            ("ec2_instance", "EC2 instances are forbidden"),
            ("nat_gateway", "NAT gateways are forbidden: it has a standing cost"),
            ("aws_nat_gateway", "NAT gateways are forbidden"),
            ("glue_job", "Glue jobs and crawlers are forbidden: it has a standing cost"),
            ("glue_crawler", "Glue jobs and crawlers are forbidden"),
            ("lakeformation_permissions", "Lake Formation resources are forbidden: they change catalog permissions beyond the sandbox"),
            ("aws_lakeformation_data_lake_settings", "Lake Formation resources are forbidden"),
            ("s3tables_table_bucket", "S3 Tables resources are forbidden: it has a standing cost"),
            ("aws_s3tables_table", "S3 Tables resources are forbidden"),
            ("iam_access_key", "IAM access keys are forbidden: they would put secrets in state"),
            ("aws_iam_access_key", "IAM access keys are forbidden"),
        ]
        var yaml = "version: 1\nresources:\n"
        for (index, item) in cases.enumerated() { yaml += "  r\(index):\n    type: \(item.type)\n" }
        let found = diagnostics(yaml)
        XCTAssertEqual(found.count, cases.count, "every forbidden resource is reported in one pass: \(found)")
        for (index, item) in cases.enumerated() {
            // Resource r<i> sits on line 3 + 2i, its type value on the next line at column 11.
            assertDiagnostic(found, at: "t.yaml:\(4 + 2 * index):11",
                             contains: ["resource r\(index) has forbidden type \(item.type): \(item.reason)"])
        }
        XCTAssertNil(ResourceKind.forbiddenReason("s3_bucket"))
        XCTAssertNil(ResourceKind.forbiddenReason("glue_database_prefix"))
        for kind in KindCatalogue.standard.schemas { XCTAssertNil(ResourceKind.forbiddenReason(kind.name), kind.name) }
    }

    func testOutputsAndRunsProblems() {
        let found = diagnostics("""
        version: 1
        resources:
          bucket:
            type: s3_bucket
        runs:
          id_pattern: "(["
          id_template: run-fixed
          id_variable: run-id
          bucket: ${bucket.name}
        outputs:
          X:
            description: no value
        """)
        XCTAssertEqual(found.count, 5, "\(found)")
        assertDiagnostic(found, at: "t.yaml:6:15", contains: ["id_pattern '([' is not a valid regular expression"])
        assertDiagnostic(found, at: "t.yaml:7:16", contains: ["id_template must contain {timestamp}"])
        assertDiagnostic(found, at: "t.yaml:6:3", contains: ["runs needs glue_prefix (usually ${glue.prefix})"])
        assertDiagnostic(found, at: "t.yaml:11:3", contains: ["output X needs a value"])
        assertDiagnostic(found, at: "t.yaml:8:16", contains: ["id_variable 'run-id' must be an environment variable name"])
    }

    func testRunsVariablesAndRootAreChecked() {
        let found = diagnostics("""
        version: 1
        resources:
          bucket:
            type: s3_bucket
        runs:
          id_variable: run-id
          s3_root: /runs
          bucket: ${bucket.name}
          glue_prefix: x_
        """)
        XCTAssertEqual(found.count, 2, "\(found)")
        assertDiagnostic(found, at: "t.yaml:6:16", contains: ["id_variable 'run-id' must be an environment variable name (A-Z, 0-9, _)"])
        assertDiagnostic(found, at: "t.yaml:7:12", contains: ["runs.s3_root: run prefixes are relative key prefixes ending in /"])
    }

    func testMinimalStacksAreValid() throws {
        let stack = try XCTUnwrap(parseValid("""
        resources:
          bucket:
            type: s3_bucket
        """, file: "dir/minimal.yaml"))
        XCTAssertEqual(stack.name, "minimal")
        XCTAssertNil(stack.runs)
        XCTAssertEqual(stack.resources.first?.location.description, "dir/minimal.yaml:2:3")
        // Quoted scalars stay strings; numbers are accepted where strings are expected (account ids, names).
        let quoted = try XCTUnwrap(parseValid("""
        version: "1"
        name: "123"
        region: null
        allowed_account_ids: [123456789012, "000000000000"]
        resources:
          bucket:
            type: s3_bucket
        """))
        XCTAssertEqual(quoted.name, "123")
        XCTAssertNil(quoted.region)
        XCTAssertEqual(quoted.allowedAccountIds, ["123456789012", "000000000000"])
    }

    func testRootMustBeAMapping() {
        assertOnly(diagnostics("- a\n- b\n"), at: "t.yaml:1:1", contains: ["the stack file must be a mapping, got a list"])
        assertOnly(diagnostics(""), at: "t.yaml:1:1", contains: ["the stack declares no resources"])
    }

    func testMissingFileIsAUsageError() {
        XCTAssertThrowsError(try StackParser.load(path: "/nonexistent/stack.yaml")) { error in
            XCTAssertEqual(error.failureCategory, .usage)
            XCTAssertTrue(error.oneLine.contains("cannot read stack file /nonexistent/stack.yaml"), error.oneLine)
        }
    }

    func testDiagnosticsErrorSummarisesTheFirstError() {
        XCTAssertThrowsError(try StackParser.parse("version: 1\nresorces: {}\nzzzzzzzzzzzz: 1\n", file: "s.yaml")) { error in
            let diagnostics = (error as? DiagnosticsError)?.diagnostics ?? []
            XCTAssertEqual(diagnostics.count, 3)
            XCTAssertEqual(error.oneLine, "s.yaml:2:1: error: unknown key 'resorces' in the stack; did you mean 'resources'? (and 2 more errors)")
            XCTAssertEqual(error.failureCategory, .usage)
        }
    }
}

/// "Did you mean": deterministic whatever order the candidates come in, and a swapped pair of letters is one edit.
final class SuggestionTests: XCTestCase {
    func testTiesAreBrokenDeterministically() {
        // 'bukcet' is two substitutions from both; without a tie-break the answer followed dictionary order.
        for candidates in [["budget", "bucket"], ["bucket", "budget"]] {
            XCTAssertEqual(Suggestion.closest(to: "bukcet", in: candidates), "bucket")
        }
        for candidates in [["nape", "mope"], ["mope", "nape"]] {
            XCTAssertEqual(Suggestion.closest(to: "nope", in: candidates), "mope", "equal distance: alphabetical")
        }
    }

    func testDistance() {
        XCTAssertEqual(Suggestion.distance("bukcet", "bucket"), 1)
        XCTAssertEqual(Suggestion.distance("resorces", "resources"), 1)
        XCTAssertEqual(Suggestion.distance("abc", "abc"), 0)
        XCTAssertEqual(Suggestion.distance("", "abc"), 3)
        XCTAssertEqual(Suggestion.distance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestion.distance("ab", "ba"), 1)
    }

    func testNoSuggestionWhenNothingIsClose() {
        XCTAssertNil(Suggestion.closest(to: "dynamodb_table", in: KindCatalogue.standard.schemas.map(\.name)))
        XCTAssertNil(Suggestion.closest(to: "x", in: []))
        XCTAssertEqual(Suggestion.closest(to: "S3_BUCKET", in: ["s3_bucket"]), "s3_bucket", "case does not count")
    }

    /// A typo'd reference next to two near-equal names gets the same suggestion in every process.
    func testReferenceSuggestionIsStable() {
        let found = diagnostics("""
        resources:
          bucket:
            type: s3_bucket
          budget:
            type: budget
            properties:
              name: b
              emails: [ops@example.com]
          pab:
            type: s3_public_access_block
            properties:
              bucket: ${bukcet.name}
        """)
        assertOnly(found, at: "t.yaml:12:15", contains: ["reference to unknown resource 'bukcet' in pab.bucket; did you mean 'bucket'?"])
    }
}
