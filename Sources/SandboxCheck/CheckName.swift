import SandboxCore

/// The name of one readiness check; `description` is the name the table, the JSON and JUnit show.
public enum CheckName: Hashable, Sendable, CustomStringConvertible {
    /// AWS could not even be set up (config files, region): only ever a failure, before credentials.
    case awsConfiguration
    case credentials
    case account
    case region
    case state
    /// The stack evaluated against the account and the recorded state; listed only when it fails.
    case stack
    case resource(ResourceAddress)
    case guardrails
    case policy
    case leftovers
    case spend
    case accessProbe

    public var description: String {
        switch self {
        case .awsConfiguration: return "aws configuration"
        case .credentials: return "credentials"
        case .account: return "account"
        case .region: return "region"
        case .state: return "state"
        case .stack: return "stack"
        case .resource(let address): return "resource \(address)"
        case .guardrails: return "guardrails"
        case .policy: return "policy"
        case .leftovers: return "leftovers"
        case .spend: return "spend"
        case .accessProbe: return "access probe"
        }
    }
}
