import SandboxCore

/// The account guard: the credentials' account is the expected one and in the stack's allowed_account_ids.
struct AccountCheck: ReadinessCheck {
    /// `--expect-account`.
    let expected: String?
    /// The stack's allowed_account_ids (empty: any).
    let allowed: [String]

    var name: CheckName { .account }
    var requires: Set<CheckName> { [.credentials] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        CheckOutcome(verdict(try context.identity().account))
    }

    func verdict(_ account: String) -> CheckResult {
        if let expected, expected != account {
            return CheckResult(name: name.description, status: .fail, detail: "credentials are for account \(account), expected \(expected)",
                               fix: "switch profile or credentials to account \(expected)", category: .credentials)
        }
        if !allowed.isEmpty, !allowed.contains(account) {
            return CheckResult(name: name.description, status: .fail,
                               detail: "account \(account) is not in allowed_account_ids (\(allowed.joined(separator: ", ")))",
                               fix: "switch profile or credentials", category: .credentials)
        }
        let rule = expected != nil || !allowed.isEmpty ? "allowed" : "no account restriction configured"
        return CheckResult(name: name.description, status: .pass, detail: "\(account) (\(rule))")
    }
}
