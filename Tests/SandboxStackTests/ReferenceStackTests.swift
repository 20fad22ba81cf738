import Foundation
import SandboxCore
import SandboxGraph
import XCTest
@testable import SandboxStack
import SandboxProviders

/// The shipped stack must parse, validate, resolve its variables and evaluate into the resources tests rely on.
final class ReferenceStackTests: XCTestCase {
    func load() throws -> Stack {
        try StackParser.load(path: referenceStackPath)
    }

    func testReferenceStackParsesAndValidates() throws {
        let stack = try load()
        XCTAssertEqual(stack.name, "aws-provider-tests")
        XCTAssertEqual(stack.file, referenceStackPath)
        XCTAssertNil(stack.region)
        XCTAssertEqual(stack.allowedAccountIds, [])
        XCTAssertEqual(stack.description, "Governed S3 + Glue test area for provider-compatibility runs")
        XCTAssertEqual(StackValidator.validate(stack).filter { $0.severity == .error }.map(\.description), [])

        let kinds = Dictionary(uniqueKeysWithValues: stack.resources.map { ($0.name, $0.kind.name) })
        XCTAssertEqual(kinds, [
            "bucket": "s3_bucket", "public_access": "s3_public_access_block", "encryption": "s3_bucket_encryption",
            "versioning": "s3_bucket_versioning", "lifecycle": "s3_bucket_lifecycle", "glue": "glue_database_prefix",
            "policy": "iam_policy", "budget": "budget", "user": "iam_user",
            "github_oidc": "iam_openid_connect_provider", "ci_role": "iam_role", "ci_policy": "iam_role_policy_attachment",
        ])
        XCTAssertEqual(stack.variables.map(\.name),
                       ["owner", "budget_email", "name_prefix", "s3_bucket_name", "s3_run_prefix", "glue_database_prefix", "budget_limit_usd",
                        "run_data_retention_days", "versioning", "enable_access_key_user", "enable_github_ci_role", "github_repository",
                        "github_ref", "common_tags"])
        XCTAssertEqual(stack.tags.map(\.key), ["Project", "Purpose", "Owner"])
        XCTAssertEqual(stack.tags.first { $0.key == "Purpose" }?.value.stringValue, "provider-compatibility")
        XCTAssertEqual(stack.outputs.filter(\.isEnvironmentVariable).map(\.name),
                       ["FLOE_AWS_REGION", "FLOE_AWS_TEST_BUCKET", "FLOE_AWS_TEST_PREFIX", "FLOE_AWS_GLUE_DATABASE_PREFIX",
                        "FLOE_AWS_BUDGET_NAME", "FLOE_AWS_BUDGET_EMAIL", "FLOE_AWS_PROVIDER_TEST_POLICY_ARN"])
        XCTAssertEqual(stack.outputs.filter { !$0.isEnvironmentVariable }.map(\.name),
                       ["aws_account_id", "aws_region", "s3_bucket_name", "s3_run_prefix", "glue_database_prefix", "provider_test_policy_arn",
                        "budget_name", "ci_role_arn", "budget_email", "recommended_environment"])
        XCTAssertEqual(stack.outputs.filter(\.sensitive).map(\.name), ["FLOE_AWS_BUDGET_EMAIL", "budget_email", "recommended_environment"])
        XCTAssertEqual(stack.outputs.first { $0.name == "recommended_environment" }?.value.entries?.map(\.key),
                       stack.outputs.filter(\.isEnvironmentVariable).map(\.name), "recommended_environment is the --env set, one for one")
        XCTAssertEqual(stack.resource(named: "user")?.enabled?.stringValue, "${var.enable_access_key_user}")
        XCTAssertEqual(stack.outputs.first { $0.name == "FLOE_AWS_PROVIDER_TEST_POLICY_ARN" }?.description,
                       "attach this policy to the identity that runs provider tests")
    }

    func testReferenceStackRunScheme() throws {
        let runs = try XCTUnwrap(try load().runs)
        XCTAssertEqual(runs.idPattern, "^floe-provider-[0-9]{8}T[0-9]{6}Z$")
        XCTAssertEqual(runs.idTemplate, "floe-provider-{timestamp}")
        XCTAssertEqual(runs.idVariable, "FLOE_PROVIDER_SPIKE_RUN")
        XCTAssertEqual(runs.prefixVariable, "FLOE_AWS_RUN_PREFIX")
        XCTAssertEqual(runs.databaseVariable, "FLOE_AWS_GLUE_DATABASE")
        XCTAssertEqual(runs.bucket.stringValue, "${bucket.name}")
        XCTAssertEqual(runs.gluePrefix.stringValue, "${glue.prefix}")
        XCTAssertNotNil("floe-provider-20250102T030405Z".range(of: runs.idPattern, options: .regularExpression))
    }

    func testReferenceStackHashIsSHA256OfTheFileBytes() throws {
        let stack = try load()
        XCTAssertEqual(stack.sha256.count, 64)
        XCTAssertTrue(stack.sha256.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        let text = try String(contentsOfFile: referenceStackPath, encoding: .utf8)
        XCTAssertEqual(try StackParser.parse(text, file: "x.yaml").sha256, stack.sha256)
        // A known vector: sha256("version: 1\nresources:\n  b:\n    type: s3_bucket\n").
        let small = try StackParser.parse("version: 1\nresources:\n  b:\n    type: s3_bucket\n", file: "small.yaml")
        XCTAssertEqual(small.sha256, "743df77157e2fcbc291e78f3ef1a8b80e71190a4eb27f6f2cc7d310a2abcc6e4")
        XCTAssertEqual(small.name, "small", "the name defaults to the file's base name")
    }

    func testReferenceStackDependencyOrder() throws {
        let stack = try load()
        let graph = StackValidator.dependencyGraph(stack)
        XCTAssertNil(graph.findCycle())
        XCTAssertEqual(graph.topologicalOrder(),
                       ["bucket", "budget", "github_oidc", "glue", "ci_role", "encryption", "lifecycle", "policy", "public_access", "versioning",
                        "ci_policy", "user"])
        XCTAssertEqual(graph.dependencies(of: "policy"), ["bucket", "budget", "glue"], "SandboxBudgetRead names the budget")
        XCTAssertEqual(graph.transitiveDependents(of: "bucket"), ["ci_policy", "encryption", "lifecycle", "policy", "public_access", "user", "versioning"])
        XCTAssertEqual(graph.dependencies(of: "ci_role"), ["github_oidc"], "the trust policy names the provider")
        XCTAssertEqual(graph.dependencies(of: "ci_policy"), ["ci_role", "policy"])
        XCTAssertEqual(stack.resource(named: "policy")?.address.description, "iam_policy.policy")
    }

    func testReferenceStackVariablesResolveWithRequiredValues() throws {
        let stack = try load()
        let (values, warnings) = try VariableValues.resolve(stack, inputs: VariableInputs(
            assignments: ["owner=Data Platform", "budget_email=ops@example.com"]))
        XCTAssertEqual(warnings, [])
        XCTAssertEqual(values["owner"], .string("Data Platform"))
        XCTAssertEqual(values["name_prefix"], .string("floe-provider-tests"))
        XCTAssertEqual(values["s3_run_prefix"], .string("runs/"))
        XCTAssertEqual(values["glue_database_prefix"], .string("floe_provider_"))
        XCTAssertEqual(values["s3_bucket_name"], .null, "no name: the bucket gets lower(NAME_PREFIX-ACCOUNT-REGION)")
        XCTAssertEqual(values["enable_access_key_user"], .bool(false))
        XCTAssertEqual(values["common_tags"], .object([:]))
        XCTAssertEqual(values["budget_limit_usd"], .number(25))
        XCTAssertEqual(values["run_data_retention_days"], .number(3))
        XCTAssertEqual(values["versioning"], .string("Disabled"))
        XCTAssertEqual(values["enable_github_ci_role"], .bool(false), "the GitHub OIDC CI role is off by default")
        XCTAssertEqual(values["github_repository"], .null)
        XCTAssertEqual(values["github_ref"], .string("*"))
    }

    func testReferenceStackGitHubVariablesAreValidated() throws {
        let stack = try load()
        let base = ["owner=o", "budget_email=ops@example.com", "enable_github_ci_role=true"]
        for good in [["github_repository=floe-org/floe"], ["github_repository=a/b.c_d-e", "github_ref=ref:refs/heads/release/1.x"],
                     ["github_repository=o/r", "github_ref=environment:provider tests"], ["github_repository=o/r", "github_ref=pull_request"]] {
            XCTAssertNoThrow(try VariableValues.resolve(stack, inputs: VariableInputs(assignments: base + good)), "\(good)")
        }
        for bad in [["github_repository=floe"], ["github_repository=o/r/x"], ["github_repository=-o/r"], ["github_repository=o/*"],
                    ["github_repository=o/r", "github_ref=ref:refs/heads/*"], ["github_repository=o/r", "github_ref=main"]] {
            XCTAssertThrowsError(try VariableValues.resolve(stack, inputs: VariableInputs(assignments: base + bad)), "\(bad)") { error in
                let text = (error as? DiagnosticsError)?.diagnostics.map(\.message).joined() ?? "\(error)"
                XCTAssertTrue(text.contains("github_repository must be OWNER/REPO") || text.contains("github_ref must be"), text)
            }
        }
    }

    func testReferenceStackOfflineValidationWarnsAboutRequiredVariables() throws {
        let stack = try load()
        let (_, warnings) = try VariableValues.resolve(stack, inputs: VariableInputs(), requireAll: false)
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings.allSatisfy { $0.severity == .warning })
        XCTAssertEqual(warnings.map { $0.location?.line }, [10, 17])
        XCTAssertTrue(warnings[0].message.contains("variable owner is required"))
        XCTAssertThrowsError(try VariableValues.resolve(stack, inputs: VariableInputs())) { error in
            XCTAssertEqual((error as? DiagnosticsError)?.diagnostics.count, 2)
        }
    }

    func testReferenceStackStackOwnValidationMessages() throws {
        let stack = try load()
        XCTAssertThrowsError(try VariableValues.resolve(stack, inputs: VariableInputs(assignments: [
            "owner=-bad", "budget_email=nope", "name_prefix=UPPER", "budget_limit_usd=0", "run_data_retention_days=0", "versioning=On",
            "s3_run_prefix=/abs/", "glue_database_prefix=Floe",
        ]))) { error in
            let messages = (error as? DiagnosticsError)?.diagnostics.map(\.message) ?? []
            XCTAssertEqual(messages, [
                "variable owner: owner must be 1-64 letters, digits, spaces or ._@+- and start with a letter or digit (from --var)",
                "variable budget_email: budget_email must be an e-mail address (from --var)",
                "variable name_prefix: name_prefix must be 3-31 lowercase letters, digits or hyphens (from --var)",
                "variable s3_run_prefix: s3_run_prefix must be a relative key prefix ending in / (for example runs/) (from --var)",
                "variable glue_database_prefix: glue_database_prefix must be lowercase snake_case ending in _ (for example floe_provider_) (from --var)",
                "variable budget_limit_usd: budget_limit_usd must be above 0 and at most 100 USD (from --var)",
                "variable run_data_retention_days: run_data_retention_days must be between 1 and 30 (from --var)",
                "variable versioning: 'On' is not one of Disabled, Enabled, Suspended (from --var)",
            ])
        }
    }

    func testReferenceStackEvaluatesItsResources() throws {
        let stack = try load()
        let (values, _) = try VariableValues.resolve(stack, inputs: VariableInputs(assignments: ["owner=me", "budget_email=ops@example.com"]))
        var context = EvaluationContext(variables: values, accountId: "123456789012", region: "eu-west-1", stackName: stack.name)
        func property(_ resource: String, _ name: String) throws -> Evaluated {
            let value = try XCTUnwrap(stack.resource(named: resource)?.properties[name], "\(resource).\(name)")
            return try StackEvaluator.evaluate(value, in: context)
        }
        XCTAssertEqual(try property("bucket", "name_prefix"), .known(.string("floe-provider-tests")))
        XCTAssertEqual(try property("policy", "name"), .known(.string("floe-provider-tests-permissions")))
        XCTAssertEqual(try property("budget", "name"), .known(.string("floe-provider-tests-monthly-budget")))
        XCTAssertEqual(try property("budget", "limit_usd"), .known(.number(25)), "a sole reference keeps the number type")
        XCTAssertEqual(try property("budget", "emails"), .known(.array([.string("ops@example.com")])))
        XCTAssertEqual(try property("lifecycle", "expiration_days"), .known(.number(3)))
        XCTAssertEqual(try property("versioning", "status"), .known(.string("Disabled")))
        XCTAssertEqual(try property("public_access", "bucket"), .unknown, "the bucket's name is only known once it exists")
        XCTAssertEqual(try property("policy", "document"), .unknown)

        context.attributes = ["bucket": ["name": .string("b-123"), "arn": .string("arn:aws:s3:::b-123")],
                              "glue": ["prefix": .string("floe_provider_")], "budget": ["name": .string("floe-provider-tests-monthly")]]
        let document = try XCTUnwrap(try property("policy", "document").value)
        let statements = try XCTUnwrap(document["Statement"]?.arrayValue)
        XCTAssertEqual(statements.count, 12, "the tests' 5 and the CI-side commands' 7 Sandbox… statements")
        XCTAssertEqual(statements[2]["Resource"], .string("arn:aws:s3:::b-123/runs/*"))
        XCTAssertEqual(statements[3]["Resource"], .array([.string("arn:aws:glue:eu-west-1:123456789012:catalog"),
                                                          .string("arn:aws:glue:eu-west-1:123456789012:database/floe_provider_*")]))
        XCTAssertEqual(document["Version"], .string("2012-10-17"), "a quoted date stays a string")
        let tags = try stack.tags.map { ($0.key, try StackEvaluator.evaluate($0.value, in: context)) }
        XCTAssertEqual(tags.map(\.1), [.known(.string("floe")), .known(.string("provider-compatibility")), .known(.string("me"))])
    }
}
