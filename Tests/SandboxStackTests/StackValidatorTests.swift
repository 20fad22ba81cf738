import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack

/// Semantic checks: references resolve, no cycles, names follow AWS rules, numbers are in range, all in one pass.
final class StackValidatorTests: XCTestCase {
    func testUnknownReferencesAndUnterminatedInterpolation() {
        let found = diagnostics("""
        version: 1
        name: t
        variables:
          owner:
            default: me
        resources:
          bucket:
            type: s3_bucket
            properties:
              name_prefix: ${var.nope}
          pab:
            type: s3_public_access_block
            properties:
              bucket: ${bukcet.name}
          ver:
            type: s3_bucket_versioning
            properties:
              bucket: ${bucket.nope}
          enc:
            type: s3_bucket_encryption
            properties:
              bucket: ${bucket.name
        """)
        XCTAssertEqual(found.count, 4, "\(found)")
        assertDiagnostic(found, at: "t.yaml:10:20", contains: ["unknown variable var.nope in bucket.name_prefix"])
        assertDiagnostic(found, at: "t.yaml:14:15", contains: ["reference to unknown resource 'bukcet' in pab.bucket; did you mean 'bucket'?"])
        assertDiagnostic(found, at: "t.yaml:18:15", contains: [
            "s3_bucket bucket has no attribute 'nope' (it has arn, name, name_prefix, region, tags); did you mean 'name'?",
        ])
        assertDiagnostic(found, at: "t.yaml:22:15", contains: ["unterminated ${ in enc.bucket; close it with }"])
        XCTAssertEqual(found.first { $0.location?.line == 10 }?.message.contains("did you mean"), false)
    }

    func testReferenceSuggestionsAndInvalidInterpolations() {
        let found = diagnostics("""
        version: 1
        variables:
          owner:
            default: me
        tags:
          Owner: ${var.ownr}
        resources:
          bucket:
            type: s3_bucket
            properties:
              name_prefix: a-${stack}-b
              tags:
                Team: ${a.b.c}
        outputs:
          X: ${bucket.arn}
          Y: ${nothing.arn}
        runs:
          bucket: ${bucket.name}
          glue_prefix: ${glue.prefix}
          s3_root: ${var.root}
        """)
        XCTAssertEqual(found.count, 6, "\(found)")
        assertDiagnostic(found, at: "t.yaml:6:10", contains: ["unknown variable var.ownr in tag Owner; did you mean var.owner?"])
        assertDiagnostic(found, at: "t.yaml:11:20", contains: [
            "cannot understand ${stack} in bucket.name_prefix; use var.NAME, RESOURCE.ATTRIBUTE, account_id, region or stack_name",
        ])
        assertDiagnostic(found, at: "t.yaml:13:15", contains: ["cannot understand ${a.b.c} in bucket.tags"])
        assertDiagnostic(found, at: "t.yaml:16:6", contains: ["reference to unknown resource 'nothing' in output Y"])
        assertDiagnostic(found, at: "t.yaml:19:16", contains: ["reference to unknown resource 'glue' in runs.glue_prefix"])
        assertDiagnostic(found, at: "t.yaml:20:12", contains: ["unknown variable var.root in runs.s3_root"])
    }

    func testBuiltInReferencesAndEscapesAreValid() throws {
        let stack = try XCTUnwrap(parseValid("""
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: ${stack_name}-${account_id}-${region}
          pab:
            type: s3_public_access_block
            properties:
              bucket: ${ bucket.name }
        outputs:
          LITERAL: $${not.a.reference}
        """))
        XCTAssertEqual(stack.resource(named: "bucket")?.dependencyNames, [])
        XCTAssertEqual(stack.resource(named: "pab")?.dependencyNames, ["bucket"], "spaces inside ${ } are allowed")
    }

    func testSelfReferenceIsACycle() {
        let found = diagnostics("""
        resources:
          bucket:
            type: s3_bucket
            properties:
              tags:
                Me: ${bucket.arn}
        """)
        assertOnly(found, at: "t.yaml:2:3", contains: ["dependency cycle: bucket -> bucket"])
    }

    func testReferenceCycleIsNamed() {
        let found = diagnostics("""
        version: 1
        name: t
        resources:
          a:
            type: s3_bucket
            properties:
              name_prefix: ${b.name}
          b:
            type: s3_bucket
            properties:
              name_prefix: ${a.name}
        """)
        assertOnly(found, at: "t.yaml:4:3",
                   contains: ["dependency cycle: a -> b -> a; remove one of these references or depends_on entries"])
    }

    func testDependsOnCycleIsNamed() {
        let found = diagnostics("""
        resources:
          z:
            type: s3_bucket
            depends_on: [x]
          x:
            type: s3_bucket
            depends_on: [y]
          y:
            type: s3_bucket
            properties:
              name_prefix: ${z.name}
          free:
            type: s3_bucket
        """)
        // The cycle is reported from its alphabetically first member so the message is stable.
        assertOnly(found, at: "t.yaml:5:3", contains: ["dependency cycle: x -> y -> z -> x"])
    }

    func testDependsOnUnknownResource() {
        let found = diagnostics("""
        resources:
          bucket:
            type: s3_bucket
            depends_on: [buckett, nowhere]
        """)
        XCTAssertEqual(found.map(\.message), ["resource bucket depends_on unknown resource 'buckett'",
                                              "resource bucket depends_on unknown resource 'nowhere'"])
        XCTAssertEqual(Set(found.map { $0.location?.description }), ["t.yaml:2:3"])
    }

    func testDependsOnAddsGraphEdges() throws {
        let stack = try XCTUnwrap(parseValid("""
        resources:
          b:
            type: s3_bucket
            depends_on: [a]
          a:
            type: s3_bucket
          c:
            type: s3_public_access_block
            properties:
              bucket: ${b.name}
        """))
        XCTAssertEqual(stack.resource(named: "b")?.dependsOn, ["a"])
        XCTAssertEqual(stack.resource(named: "c")?.dependencyNames, ["b"])
        XCTAssertEqual(StackValidator.dependencyGraph(stack).topologicalOrder(), ["a", "b", "c"])
    }

    func testInvalidNamesInAStack() {
        let found = diagnostics("""
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: My_Bucket
          policy:
            type: iam_policy
            properties:
              name: has space
              path: no-slash
              document: {}
          user:
            type: iam_user
            properties:
              name: u/v
          budget:
            type: budget
            properties:
              name: "team:monthly"
              emails: [ops@example.com, not-an-address]
          glue:
            type: glue_database_prefix
            properties:
              prefix: Floe-Provider
          life:
            type: s3_bucket_lifecycle
            properties:
              bucket: ${bucket.name}
              prefix: ../runs/
        """)
        XCTAssertEqual(found.count, 8, "\(found)")
        assertDiagnostic(found, at: "t.yaml:5:13", contains: ["bucket.name: 'My_Bucket': bucket names use only lowercase letters, digits, dots and hyphens"])
        assertDiagnostic(found, at: "t.yaml:9:13", contains: ["policy.name: 'has space': IAM names are 1-128 characters of letters, digits and _+=,.@-"])
        assertDiagnostic(found, at: "t.yaml:10:13", contains: ["policy.path: 'no-slash': IAM paths start and end with /"])
        assertDiagnostic(found, at: "t.yaml:15:13", contains: ["user.name: 'u/v': IAM names are 1-64 characters"])
        assertDiagnostic(found, at: "t.yaml:19:13", contains: ["budget.name: 'team:monthly': budget names are 1-100 characters without ':' or '\\'"])
        assertDiagnostic(found, at: "t.yaml:20:15", contains: ["budget.emails: 'not-an-address': not an e-mail address"])
        assertDiagnostic(found, at: "t.yaml:24:15", contains: ["glue.prefix: 'Floe-Provider': Glue database prefixes are lowercase snake_case"])
        assertDiagnostic(found, at: "t.yaml:29:15", contains: ["life.prefix: '../runs/': run prefixes are relative key prefixes"])
    }

    func testOutOfRangeNumbers() {
        let found = diagnostics("""
        resources:
          bucket:
            type: s3_bucket
          life:
            type: s3_bucket_lifecycle
            properties:
              bucket: ${bucket.name}
              expiration_days: 0
              abort_incomplete_upload_days: 31
          budget:
            type: budget
            properties:
              name: b
              emails: [ops@example.com]
              limit_usd: 100.5
              actual_threshold_percent: 0
              forecasted_threshold_percent: 1001
          cheap:
            type: budget
            properties:
              name: c
              emails: [ops@example.com]
              limit_usd: 0
        """)
        XCTAssertEqual(found.count, 6, "\(found)")
        assertDiagnostic(found, at: "t.yaml:8:24", contains: ["life.expiration_days: 0 is outside 1...30"])
        assertDiagnostic(found, at: "t.yaml:9:37", contains: ["life.abort_incomplete_upload_days: 31 is outside 1...30"])
        assertDiagnostic(found, at: "t.yaml:15:18", contains: ["budget.limit_usd: 100.5 is outside 0.01...100"])
        assertDiagnostic(found, at: "t.yaml:16:33", contains: ["budget.actual_threshold_percent: 0 is outside 1...1000"])
        assertDiagnostic(found, at: "t.yaml:17:37", contains: ["budget.forecasted_threshold_percent: 1001 is outside 1...1000"])
        assertDiagnostic(found, at: "t.yaml:23:18", contains: ["cheap.limit_usd: 0 is outside 0.01...100"])
    }

    func testBoundaryNumbersAreAccepted() {
        XCTAssertNotNil(parseValid("""
        resources:
          bucket:
            type: s3_bucket
          life:
            type: s3_bucket_lifecycle
            properties:
              bucket: ${bucket.name}
              expiration_days: 30
              abort_incomplete_upload_days: 1
          budget:
            type: budget
            properties:
              name: b
              emails: [ops@example.com]
              limit_usd: 100
        """))
    }

    /// Structural and semantic problems together: the user sees every one of them from a single `validate`.
    func testAllErrorsAreReportedInOnePass() {
        let found = diagnostics("""
        version: 1
        name: t
        varables: {}
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: Bad_Bucket
              bukcet: x
          cluster:
            type: eks_cluster
          thing:
            type: s3_bukcet
          pab:
            type: s3_public_access_block
            properties:
              bucket: ${bukcet.name}
              block_public_acls: "no"
          life:
            type: s3_bucket_lifecycle
            properties:
              bucket: ${bucket.name}
              expiration_days: 0
              prefix: ${var.nope}
          a:
            type: s3_bucket
            depends_on: [b, cluster]
          b:
            type: s3_bucket
            depends_on: [a, thing]
          budget:
            type: budget
            properties:
              name: "a:b"
        outputs:
          CLUSTER: ${cluster.arn}
        """)
        let expected = [
            "t.yaml:3:1: error: unknown key 'varables' in the stack; did you mean 'variables'?",
            "t.yaml:9:7: error: unknown key 'bukcet' in properties of bucket (s3_bucket)",
            "t.yaml:11:11: error: resource cluster has forbidden type eks_cluster: EKS is forbidden: it has a standing cost that a test sandbox must not carry",
            "t.yaml:13:11: error: unknown resource type 's3_bukcet'; did you mean 's3_bucket'?",
            "t.yaml:31:3: error: resource budget (budget) is missing required property emails: addresses alerted at 80% actual and 100% forecasted spend",
            "t.yaml:8:13: error: bucket.name: 'Bad_Bucket': bucket names use only lowercase letters, digits, dots and hyphens",
            "t.yaml:18:26: error: pab.block_public_acls: must be a boolean, got \"no\"",
            "t.yaml:17:15: error: reference to unknown resource 'bukcet' in pab.bucket; did you mean 'bucket'?",
            "t.yaml:23:24: error: life.expiration_days: 0 is outside 1...30",
            "t.yaml:24:15: error: unknown variable var.nope in life.prefix",
            "t.yaml:34:13: error: budget.name: 'a:b': budget names are 1-100 characters without ':' or '\\'",
            "t.yaml:25:3: error: dependency cycle: a -> b -> a; remove one of these references or depends_on entries",
        ]
        XCTAssertEqual(found.count, 12)
        XCTAssertEqual(found.map(\.description), expected)
        // References to resources already reported as invalid (cluster, thing) add no noise.
        XCTAssertFalse(found.contains { $0.message.contains("'cluster'") || $0.message.contains("'thing'") })
    }
}
