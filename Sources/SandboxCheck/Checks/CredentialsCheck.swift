import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// Resolves credentials (refusing ones already expired), then asks STS who they belong to.
struct CredentialsCheck: ReadinessCheck {
    var name: CheckName { .credentials }
    /// Nothing runs without credentials; they need only an AWS setup that could be read.
    var requires: Set<CheckName> { [.awsConfiguration] }

    static let genericFix = "run aws sso login (with AWS_PROFILE or --profile set), export AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let aws = context.aws
        let fix = "run aws sso login --profile \(aws.profile.name), export AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        let resolved: ResolvedCredentials?
        do {
            resolved = try await aws.credentials.resolve()
        } catch {
            return failure(error.oneLine, fix: fix)
        }
        let source = resolved?.source.description ?? "unknown"
        let now = context.clock.now()
        if let expiration = resolved?.credentials.expiration, expiration <= now {
            return failure("credentials from \(source) expired at \(ISO8601DateFormatter().string(from: expiration))", fix: "refresh them: " + fix)
        }
        let caller: CallerIdentity
        do {
            caller = try await STSClient(aws.client).getCallerIdentity()
        } catch {
            // STS answering 4xx (InvalidClientTokenId, SignatureDoesNotMatch, AccessDenied, ExpiredToken) means the
            // credentials were rejected: a setup problem. No answer at all is the network's or the endpoint's.
            if let refused = error as? AWSError, (400..<500).contains(refused.status), refused.kind != .throttled {
                return failure("credentials from \(source) were rejected: \(refused.oneLine)", fix: fix)
            }
            let category = error.failureCategory
            return CheckOutcome(CheckResult(name: name.description, status: .fail, detail: "sts:GetCallerIdentity failed: \(error.oneLine)",
                                            fix: category == .credentials ? fix : "check the network, AWS_ENDPOINT_URL/--endpoint-url and the region",
                                            category: category == .internal ? .aws : category))
        }
        var detail = "account \(caller.account), \(caller.arn), from \(source)"
        if let expiration = resolved?.credentials.expiration {
            detail += ", valid for \(max(0, Int(expiration.timeIntervalSince(now) / 60)))m"
        }
        var findings = Findings()
        findings.identity = caller
        return CheckOutcome(CheckResult(name: name.description, status: .pass, detail: detail), findings: findings)
    }

    func failure(_ detail: String, fix: String) -> CheckOutcome {
        CheckOutcome(CheckResult(name: name.description, status: .fail, detail: detail, fix: fix, category: .credentials))
    }
}
