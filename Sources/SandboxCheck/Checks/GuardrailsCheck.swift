import SandboxCore
import SandboxProviders
import SandboxStack

/// The stack holds only allowed kinds (the parser refuses the rest), and warns when a guardrail kind is missing.
struct GuardrailsCheck: ReadinessCheck {
    let stack: Stack

    var name: CheckName { .guardrails }
    /// Listed with the resource checks and skipped with them when the stack does not evaluate.
    var requires: Set<CheckName> { [.stack] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        CheckOutcome(verdict())
    }

    func verdict() -> CheckResult {
        let forbidden = stack.resources.filter { ResourceKind.forbiddenReason($0.kind.name) != nil }.map(\.name)
        if !forbidden.isEmpty {
            return CheckResult(name: name.description, status: .fail, detail: "forbidden kinds in \(stack.file): \(forbidden.joined(separator: ", "))",
                               fix: "remove them from the stack", category: .usage)
        }
        let kinds = Set(stack.resources.map(\.kind.name))
        let missing = Self.guardrails.filter { !kinds.contains($0.kind) }.map(\.what)
        let base = "no forbidden kinds (EKS, EC2, NAT, Glue jobs/crawlers, Lake Formation, S3 Tables, access keys) in \(stack.file)"
        if !missing.isEmpty {
            return CheckResult(name: name.description, status: .warn, detail: base + "; the stack declares no \(missing.joined(separator: ", no "))",
                               fix: "add them to the stack")
        }
        return CheckResult(name: name.description, status: .pass, detail: base + "; budget, lifecycle and public access block declared")
    }

    // kind-specific: the kinds that bound what a sandbox can cost or expose, and how the warning names them.
    static let guardrails: [(kind: String, what: String)] = [
        (BudgetKind.name, "a budget"), (BucketLifecycleKind.name, "a run-prefix lifecycle rule"),
        (PublicAccessBlockKind.name, "a public access block"),
    ]
}
