import Foundation
import SandboxCore
import SandboxTestSupport
import XCTest

/// The reference stack's optional GitHub OIDC CI role through the built binary against moto, boto3 as the witness:
/// iam_openid_connect_provider, iam_role and iam_role_policy_attachment applied, drifted, repaired, imported, destroyed.
final class CIRoleKindsTests: XCTestCase {
    private var moto: MotoServer!
    private var directory: URL!
    private var cli: CommandRunner!

    private let providerArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    private let roleName = "floe-provider-tests-ci"
    private let roleArn = "arn:aws:iam::123456789012:role/floe-provider-tests-ci"
    private let policyArn = "arn:aws:iam::123456789012:policy/floe-provider-tests-permissions"
    private let subject = "repo:floe-org/floe:ref:refs/heads/main"
    private var base: [String] { ["--var", "owner=team-a", "--var", "budget_email=alerts@example.com"] }
    private var vars: [String] {
        base + ["--var", "enable_github_ci_role=true", "--var", "github_repository=floe-org/floe", "--var", "github_ref=ref:refs/heads/main"]
    }

    override func setUpWithError() throws {
        (moto, cli) = try CommandRunner.referenceStackOnSharedMoto()
        directory = cli.directory
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    @discardableResult
    private func sandbox(_ arguments: [String], expect status: Int32? = 0, file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Result {
        let result = try cli.run(arguments)
        if let status, result.status != status {
            XCTFail("sandbox \(arguments.joined(separator: " ")) exited \(result.status), expected \(status)\n--- stdout\n\(result.stdout)\n--- stderr\n\(result.stderr)",
                    file: file, line: line)
        }
        return result
    }

    @discardableResult
    private func boto(_ script: String, _ arguments: [String] = []) throws -> String {
        try Boto.run(script, endpoint: moto.endpoint, arguments: arguments)
    }

    /// What IAM holds for the CI role: the provider, the role's trust policy and session length, its attachments.
    private func witness() throws -> JSONValue {
        let text = try boto(#"""
            from botocore.exceptions import ClientError
            iam = boto3.client("iam")
            out = {"providers": {}, "roles": {}}
            for entry in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]:
                p = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=entry["Arn"])
                out["providers"][entry["Arn"]] = {"url": p["Url"], "client_ids": p.get("ClientIDList", []),
                                                  "thumbprints": p.get("ThumbprintList", []), "tags": {t["Key"]: t["Value"] for t in p.get("Tags", [])}}
            for role in iam.list_roles()["Roles"]:
                name = role["RoleName"]
                r = iam.get_role(RoleName=name)["Role"]
                attached = [a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
                out["roles"][name] = {"arn": r["Arn"], "trust": r["AssumeRolePolicyDocument"], "max": r.get("MaxSessionDuration"),
                                      "attached": attached, "tags": {t["Key"]: t["Value"] for t in r.get("Tags", [])}}
            print(json.dumps(out))
            """#)
        return try XCTUnwrap(JSONValue.parse(text), text)
    }

    private func assertCIRole(file: StaticString = #filePath, line: UInt = #line) throws {
        let world = try witness()
        let provider = try XCTUnwrap(world["providers"]?[providerArn], "no provider: \(world.compactJSON)", file: file, line: line)
        XCTAssertEqual(provider["url"], .string("token.actions.githubusercontent.com"), file: file, line: line)
        XCTAssertEqual(provider["client_ids"], .array([.string("sts.amazonaws.com")]), file: file, line: line)
        XCTAssertEqual(Set(provider["thumbprints"]?.arrayValue?.compactMap(\.stringValue) ?? []),
                       ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"], file: file, line: line)
        XCTAssertEqual(provider["tags"]?["ManagedBy"], .string("sandbox"), file: file, line: line)
        let role = try XCTUnwrap(world["roles"]?[roleName], "no role: \(world.compactJSON)", file: file, line: line)
        XCTAssertEqual(role["arn"], .string(roleArn), file: file, line: line)
        XCTAssertEqual(role["max"], .number(3600), file: file, line: line)
        XCTAssertEqual(role["attached"], .array([.string(policyArn)]), "the CI role holds exactly the stack's policy", file: file, line: line)
        XCTAssertEqual(role["tags"]?["ManagedBy"], .string("sandbox"), file: file, line: line)
        let statement = try XCTUnwrap(role["trust"]?["Statement"]?.arrayValue?.first, "\(role)", file: file, line: line)
        XCTAssertEqual(statement["Principal"]?["Federated"], .string(providerArn), file: file, line: line)
        XCTAssertEqual(statement["Action"], .string("sts:AssumeRoleWithWebIdentity"), file: file, line: line)
        XCTAssertEqual(statement["Condition"]?["StringEquals"]?["token.actions.githubusercontent.com:aud"], .string("sts.amazonaws.com"), file: file, line: line)
        XCTAssertEqual(statement["Condition"]?["StringLike"]?["token.actions.githubusercontent.com:sub"], .string(subject), file: file, line: line)
    }

    private func assertNothingLeft(file: StaticString = #filePath, line: UInt = #line) throws {
        let world = try witness()
        XCTAssertEqual(world["providers"], .object([:]), "provider left: \(world.compactJSON)", file: file, line: line)
        XCTAssertEqual(world["roles"], .object([:]), "role left: \(world.compactJSON)", file: file, line: line)
    }

    func testCIRoleAppliesConvergesRepairsDriftAndDestroysCleanly() throws {
        // Off by default: the reference stack plans none of the three.
        let off = try sandbox(["plan"] + base)
        XCTAssertFalse(off.stdout.contains("ci_role"), off.stdout)
        let ciPolicy = try sandbox(["policy", "--for", "ci"] + base).stdout

        let first = try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 2)
        for address in ["iam_openid_connect_provider.github_oidc", "iam_role.ci_role", "iam_role_policy_attachment.ci_policy"] {
            XCTAssertTrue(first.stdout.contains("+ \(address)"), "\(address) not planned:\n\(first.stdout)")
        }
        try sandbox(["apply", "--auto-approve"] + vars)
        try assertCIRole()
        XCTAssertEqual(try sandbox(["output", "ci_role_arn"]).stdout, roleArn + "\n")
        XCTAssertEqual(try sandbox(["policy", "--for", "ci"] + vars).stdout, ciPolicy, "the CI role kinds change nothing in the CI policy")
        let again = try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 0)
        XCTAssertTrue(again.stdout.contains("No changes."), again.stdout)

        // Drift: someone widens the trust policy to every repository and detaches the policy.
        try boto(#"""
            iam = boto3.client("iam")
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": sys.argv[1]},
                     "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}]}
            iam.update_assume_role_policy(RoleName=sys.argv[2], PolicyDocument=json.dumps(trust))
            iam.detach_role_policy(RoleName=sys.argv[2], PolicyArn=sys.argv[3])
            """#, [providerArn, roleName, policyArn])
        let drifted = try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 2)
        XCTAssertTrue(drifted.stdout.contains("~ iam_role.ci_role"), drifted.stdout)
        XCTAssertTrue(drifted.stdout.contains("assume_role_policy"), drifted.stdout)
        XCTAssertTrue(drifted.stdout.contains("+ iam_role_policy_attachment.ci_policy"), drifted.stdout)
        XCTAssertTrue(drifted.stdout.contains("deleted outside sandbox"), drifted.stdout)
        try sandbox(["apply", "--auto-approve"] + vars)
        try assertCIRole()
        try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 0)

        // Turning it off again deletes the three and nothing else.
        let disable = try sandbox(["plan", "--detailed-exitcode"] + base, expect: 2)
        XCTAssertTrue(disable.stdout.contains("0 to add, 0 to change, 0 to replace, 3 to destroy"), disable.stdout)
        try sandbox(["destroy", "--auto-approve"])
        try assertNothingLeft()
    }

    func testEachKindIsImported() throws {
        try sandbox(["apply", "--auto-approve"] + base)
        // Made outside sandbox (by an earlier setup, say): the provider, the role with the stack's trust policy, the attachment.
        try boto(#"""
            iam = boto3.client("iam")
            iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
                                                ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
            trust = {"Version": "2012-10-17", "Statement": [{"Sid": "GitHubActions", "Effect": "Allow", "Principal": {"Federated": sys.argv[1]},
                     "Action": "sts:AssumeRoleWithWebIdentity",
                     "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                                   "StringLike": {"token.actions.githubusercontent.com:sub": sys.argv[4]}}}]}
            iam.create_role(RoleName=sys.argv[2], AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=7200)
            iam.attach_role_policy(RoleName=sys.argv[2], PolicyArn=sys.argv[3])
            """#, [providerArn, roleName, policyArn, subject])
        let before = try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 2)
        XCTAssertTrue(before.stdout.contains("! iam_openid_connect_provider.github_oidc exists in AWS but is not managed: run sandbox import iam_openid_connect_provider.github_oidc \(providerArn)"), before.stdout)
        XCTAssertTrue(before.stdout.contains("! iam_role.ci_role exists in AWS but is not managed: run sandbox import iam_role.ci_role \(roleName)"), before.stdout)

        let imported = try sandbox(["import", "iam_openid_connect_provider.github_oidc", providerArn] + vars)
        XCTAssertTrue(imported.stdout.contains("Imported iam_openid_connect_provider.github_oidc"), imported.stdout)
        try sandbox(["import", "iam_role.ci_role", roleName] + vars)
        try sandbox(["import", "iam_role_policy_attachment.ci_policy", "\(roleName)/\(policyArn)"] + vars)
        let missing = try sandbox(["import", "iam_role.ci_role", "no-such-role"] + vars, expect: nil)
        XCTAssertNotEqual(missing.status, 0, missing.output)

        // Imported as they were: the second thumbprint, the session length and the tags are what apply changes in place.
        let after = try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 2)
        XCTAssertTrue(after.stdout.contains("~ iam_openid_connect_provider.github_oidc"), after.stdout)
        XCTAssertTrue(after.stdout.contains("~ iam_role.ci_role"), after.stdout)
        XCTAssertFalse(after.stdout.contains("iam_role_policy_attachment.ci_policy"), "the attachment is imported as it is:\n\(after.stdout)")
        XCTAssertFalse(after.stdout.contains("-/+"), after.stdout)
        XCTAssertFalse(after.stdout.contains("! "), after.stdout)
        try sandbox(["apply", "--auto-approve"] + vars)
        try assertCIRole()
        try sandbox(["plan", "--detailed-exitcode"] + vars, expect: 0)
        try sandbox(["destroy", "--auto-approve"])
        try assertNothingLeft()
    }
}
