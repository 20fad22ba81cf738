import Foundation
import SandboxAWS
@testable import SandboxCheck
import SandboxCore
import SandboxEngine
import SandboxTestSupport
import XCTest

/// The checks that read the evaluated stack as a whole: stack, guardrails, policy, leftovers, spend, probe.
final class StackChecksTests: XCTestCase {
    static let governed = """
        version: 1
        name: governed
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: data-bucket
          public_access:
            type: s3_public_access_block
            properties:
              bucket: ${bucket.name}
          lifecycle:
            type: s3_bucket_lifecycle
            properties:
              bucket: ${bucket.name}
              prefix: runs/
              expiration_days: 5
          glue:
            type: glue_database_prefix
            properties:
              prefix: governed_
          budget:
            type: budget
            properties:
              name: governed-budget
              limit_usd: 10
              emails: ["ops@example.com"]
              actual_threshold_percent: 50
          policy:
            type: iam_policy
            properties:
              name: governed-ci
              document:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: s3:GetObject
                    Resource: ${bucket.arn}/runs/*
        runs:
          id_pattern: "^governed-[0-9]{8}T[0-9]{6}Z$"
          id_template: "governed-{timestamp}"
          s3_root: runs/
          bucket: ${bucket.name}
          glue_prefix: ${glue.prefix}
        """

    static let bare = """
        version: 1
        name: bare
        resources:
          bucket:
            type: s3_bucket
            properties:
              name: bare-bucket
        """

    func evaluated(_ yaml: String, _ stub: StubTransport = StubTransport()) async throws -> CheckContext {
        try await CheckFixtures.evaluated(try CheckFixtures.stack(yaml), transport: stub)
    }

    // MARK: stack

    func testAStackThatDoesNotEvaluateFailsAsUsage() async throws {
        let stack = try CheckFixtures.stack("""
            version: 1
            name: broken
            resources:
              a:
                type: s3_bucket
                enabled: false
              b:
                type: s3_public_access_block
                properties:
                  bucket: ${a.name}
            """)
        var context = try CheckFixtures.context(StubTransport())
        context.findings.identity = CheckFixtures.identity()
        let check = StackCheck(stack: stack, variables: [:])
        let outcome = try await check.run(context)
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.name, "stack")
        XCTAssertEqual(result.status, .fail)
        XCTAssertTrue(result.detail.contains("b references a, which is disabled"), result.detail)
        XCTAssertEqual(result.fix, "run sandbox validate")
        XCTAssertEqual(result.category, .usage)
        XCTAssertFalse(check.listedWhenSkipped)
        XCTAssertEqual(check.reads, [.state])
    }

    func testTheEvaluatedStackCarriesTheRunSettingsAndRecordedAttributes() async throws {
        let governed = try await evaluated(Self.governed)
        let evaluation = try XCTUnwrap(governed.findings.evaluation)
        let settings = try XCTUnwrap(try evaluation.settings?.get())
        XCTAssertEqual(settings.bucket, "data-bucket")
        XCTAssertEqual(settings.root, "runs/")
        XCTAssertEqual(settings.gluePrefix, "governed_")
        XCTAssertEqual(evaluation.provider.accountId, CheckFixtures.account)
        let bare = try await evaluated(Self.bare)
        XCTAssertNotNil(bare.findings.evaluation)
        XCTAssertNil(bare.findings.evaluation?.settings)
    }

    // MARK: guardrails

    func testGuardrailsPassWhenEveryGuardrailKindIsDeclared() throws {
        let result = GuardrailsCheck(stack: try CheckFixtures.stack(Self.governed)).verdict()
        XCTAssertEqual(result.status, .pass)
        XCTAssertTrue(result.detail.hasSuffix("in stack.yaml; budget, lifecycle and public access block declared"), result.detail)
    }

    func testGuardrailsWarnNamingEachMissingGuardrail() throws {
        let result = GuardrailsCheck(stack: try CheckFixtures.stack(Self.bare)).verdict()
        XCTAssertEqual(result.status, .warn)
        XCTAssertTrue(result.detail.hasSuffix("; the stack declares no a budget, no a run-prefix lifecycle rule, no a public access block"), result.detail)
        XCTAssertEqual(result.fix, "add them to the stack")
    }

    // MARK: policy

    func testPolicySkipsWithoutAnIAMPolicy() async throws {
        let result = try await PolicyCoverageCheck(file: "stack.yaml", stateCalls: []).run(try await evaluated(Self.bare)).result
        XCTAssertEqual(result, CheckResult(name: "policy", status: .skip, detail: "the stack declares no iam_policy: nothing scopes the CI identity"))
    }

    func testPolicyFailsNamingTheFirstCallItDoesNotAllow() async throws {
        let outcome = try await PolicyCoverageCheck(file: "stack.yaml", stateCalls: []).run(try await evaluated(Self.governed))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.status, .fail)
        XCTAssertEqual(result.category, .aws)
        XCTAssertTrue(result.fix?.hasPrefix("add ") ?? false, result.fix ?? "")
        XCTAssertTrue(result.fix?.contains("to the iam_policy in stack.yaml and run sandbox apply") ?? false, result.fix ?? "")
    }

    func testTheSimulatorIsAskedOnceAndItsAbsenceIsOneClause() async throws {
        let stub = StubTransport().route(1) { _ in HTTPResponse(status: 404, body: Data("not here".utf8)) }
        let context = try await evaluated(Self.governed, stub)
        let evaluation = try XCTUnwrap(context.findings.evaluation)
        let check = PolicyCoverageCheck(file: "stack.yaml", stateCalls: [])
        let calls = CIRole.calls(desired: evaluation.desired, context: evaluation.provider, settings: nil, stateCalls: []).filter(\.required)
        let clause = await check.simulate(policies: evaluation.desired, calls: calls, context: evaluation.provider)
        XCTAssertTrue(clause.hasPrefix("iam:SimulateCustomPolicy skipped: "), clause)
        XCTAssertEqual(stub.requestCount, 1, "one attempt: an endpoint without the simulator costs no retries")
    }

    func testTheCIRoleHoldsTheStacksPolicyDocumentsAndTestsUseTheirOwnStatements() async throws {
        let yaml = Self.governed.replacingOccurrences(of: """
                  - Effect: Allow
                    Action: s3:GetObject
            """, with: """
                  - Sid: SandboxCheckReads
                    Effect: Allow
                    Action: s3:GetBucketTagging
                    Resource: ${bucket.arn}
                  - Effect: Allow
                    Action: s3:GetObject
            """)
        let governed = try await evaluated(yaml)
        let desired = try XCTUnwrap(governed.findings.evaluation?.desired)
        XCTAssertEqual(try CIRole.policies(desired: desired).map(\.name), ["governed-ci"])
        XCTAssertEqual(CIRole.policyDocuments(desired).count, 1)
        let tests = CIRole.testStatements(desired: desired)
        XCTAssertEqual(tests.count, 1, "the Sandbox… statement is the CI commands' own")
        XCTAssertEqual(tests.first?.objectValue?["Action"], .string("s3:GetObject"))
    }

    // MARK: leftovers

    func testLeftoversSkipWithoutARunsSection() async throws {
        let result = try await LeftoversCheck(failOnLeftovers: false, statePath: "/nonexistent").run(try await evaluated(Self.bare)).result
        XCTAssertEqual(result, CheckResult(name: "leftovers", status: .skip, detail: "the stack declares no runs: section"))
    }

    func testTheRetentionIsTheLifecycleExpiration() async throws {
        let governed = try await evaluated(Self.governed)
        let bare = try await evaluated(Self.bare)
        XCTAssertEqual(LeftoversCheck.retentionDays(try XCTUnwrap(governed.findings.evaluation?.desired)), 5)
        XCTAssertEqual(LeftoversCheck.retentionDays(try XCTUnwrap(bare.findings.evaluation?.desired)), 3)
    }

    func testAgesAreSaidInTheLargestWholeUnit() {
        XCTAssertEqual(LeftoversCheck.age(59), "0m")
        XCTAssertEqual(LeftoversCheck.age(3599), "59m")
        XCTAssertEqual(LeftoversCheck.age(7200), "2h")
        XCTAssertEqual(LeftoversCheck.age(3 * 86400 + 5), "3d")
        XCTAssertEqual(LeftoversCheck.age(-5), "0m")
    }

    func testALeftoverScanThatFailsKeepsItsBucketSoAMissingBucketExplainsIt() async throws {
        let stub = StubTransport().route(4) { _ in CheckFixtures.s3Error("NoSuchBucket") }
        let outcome = try await LeftoversCheck(failOnLeftovers: true, statePath: "/nonexistent").run(try await evaluated(Self.governed, stub))
        XCTAssertEqual(outcome.result?.status, .fail)
        XCTAssertEqual(outcome.bucket, "data-bucket")
    }

    // MARK: spend

    func testSpendSkipsWithoutABudget() async throws {
        let result = try await SpendCheck().run(try await evaluated(Self.bare)).result
        XCTAssertEqual(result, CheckResult(name: "spend", status: .skip, detail: "the stack declares no budget"))
    }

    func testSpendReadsTheBudgetAndItsThreshold() async throws {
        let stub = StubTransport().expect("DescribeBudget", body: """
            {"Budget":{"BudgetName":"governed-budget","BudgetLimit":{"Amount":"10","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST",
             "CalculatedSpend":{"ActualSpend":{"Amount":"6","Unit":"USD"},"ForecastedSpend":{"Amount":"8","Unit":"USD"}}}}
            """, check: { request in
                String(decoding: request.body, as: UTF8.self).contains(#""BudgetName":"governed-budget""#) ? nil : "wrong budget"
            })
        let outcome = try await SpendCheck().run(try await evaluated(Self.governed, stub))
        // 6 of 10 is above the stack's 50 % threshold (not the default 80 %).
        XCTAssertEqual(outcome.result, CheckResult(name: "spend", status: .warn, detail: "actual 6.00, forecasted 8.00 of 10.00 USD (above the 50% alert threshold)"))
        XCTAssertEqual(outcome.bucket, "data-bucket")
        XCTAssertStubDone(stub)
    }

    func testSpendOfAMissingBudgetIsLeftToTheBudgetsOwnCheck() async throws {
        let stub = StubTransport().expect("DescribeBudget", status: 400, body: #"{"__type":"NotFoundException","Message":"Unable to get budget"}"#)
        let result = try await SpendCheck().run(try await evaluated(Self.governed, stub)).result
        XCTAssertEqual(result?.status, .skip)
        XCTAssertEqual(result?.detail, "not checked: budget governed-budget does not exist (see resource budget.budget)")
    }

    func testSpendDeniedNamesTheBudgetPermission() async throws {
        let stub = StubTransport().expect("DescribeBudget", status: 400, body: #"{"__type":"AccessDeniedException","Message":"no"}"#)
        let outcome = try await SpendCheck().run(try await evaluated(Self.governed, stub))
        let result = try XCTUnwrap(outcome.result)
        XCTAssertEqual(result.status, .fail)
        XCTAssertTrue(result.detail.hasPrefix("access denied: needs budgets:ViewBudget"), result.detail)
    }

    func testSpendPolicy() {
        XCTAssertEqual(SpendPolicy.evaluate(limit: 10, actual: 1, forecast: 2, thresholdPercent: 80).status, .pass)
        XCTAssertEqual(SpendPolicy.evaluate(limit: 10, actual: 8, forecast: 9, thresholdPercent: 80).detail,
                       "actual 8.00, forecasted 9.00 of 10.00 USD (above the 80% alert threshold)")
        XCTAssertEqual(SpendPolicy.evaluate(limit: 10, actual: 1, forecast: 10, thresholdPercent: 80).detail,
                       "actual 1.00, forecasted 10.00 of 10.00 USD (forecast reaches the limit)")
        let over = SpendPolicy.evaluate(limit: 10, actual: 10, forecast: 10, thresholdPercent: 80)
        XCTAssertEqual(over.status, .fail)
        XCTAssertEqual(over.category, .aws)
        XCTAssertEqual(SpendPolicy.evaluate(limit: 0, actual: 0, forecast: 0, thresholdPercent: 80).fix, "set limit_usd on the budget")
    }

    // MARK: probe

    func testTheProbeSkipsWithoutARunsSection() async throws {
        let result = try await ProbeCheck().run(try await evaluated(Self.bare)).result
        XCTAssertEqual(result, CheckResult(name: "access probe", status: .skip, detail: "the stack declares no runs: section"))
    }

    func testAFailedProbeStepRemovesWhatItCreated() async throws {
        // The put succeeds, the read back fails: the object is deleted again before the failure is reported.
        let stub = StubTransport()
            .expect("PUT", check: { $0.url.path.hasPrefix("/data-bucket/runs/sandbox-probe-") ? nil : "put outside the probe folder: \($0.url.path)" })
            .expect("GET", status: 403, body: "<Error><Code>AccessDenied</Code><Message>no</Message></Error>")
            .expect("DELETE", status: 204, check: { $0.url.path.hasSuffix("/probe.txt") ? nil : "deleted \($0.url.path)" })
        let outcome = try await ProbeCheck().run(try await evaluated(Self.governed, stub))
        XCTAssertEqual(outcome.result?.status, .fail)
        XCTAssertEqual(outcome.result?.name, "access probe")
        XCTAssertEqual(outcome.bucket, "data-bucket")
        XCTAssertStubDone(stub)
    }
}
