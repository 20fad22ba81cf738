import SandboxAWS
import SandboxCore
import SandboxPolicy

extension CheckResult {
    /// A read the identity may not make: skipped when the CI policy need not grant it (the applying identity's
    /// business), failed when it must.
    static func denied(_ name: CheckName, _ error: AWSError, calls: [DeclaredCall]) -> CheckResult {
        let matching = calls.filter { $0.operation == error.operation }
        let needs = CIRole.needs(error.operation, in: calls) ?? "\(error.service) \(error.operation)"
        if !matching.isEmpty, matching.allSatisfy({ !$0.required }) {
            let actions = Set(matching.map(\.action)).sorted().joined(separator: " and ")
            return .skip(name, "skipped: needs \(actions); run check as the applying identity to verify it")
        }
        return CheckResult(name: name.description, status: .fail,
                           detail: "access denied: needs \(needs) (\(error.service) \(error.operation) answered \(error.code))",
                           fix: "grant it to this identity (sandbox policy --for ci prints the CI policy) or use other credentials", category: .aws)
    }
}
