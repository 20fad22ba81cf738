import Foundation
import SandboxAWS
import SandboxCore
import SandboxEngine
import SandboxPolicy
import SandboxStack

/// The lock object of a remote (S3) state, read by the caller: a remote state is checked on a private copy whose
/// own lock table says nothing about who holds the remote state.
public enum RemoteLockReading: Sendable {
    case free
    /// Who holds it (holder, process, operation, since) and when it expires.
    case held(String, expires: Date)
    case unreadable(String)
}

/// What the check needs and how strict it is.
public struct ReadinessOptions: Sendable {
    public var expectAccount: String?
    public var failOnLeftovers: Bool
    public var probe: Bool
    public var statePath: String
    /// For a remote state: where it lives and what its lock object says.
    public var remoteLock: (location: String, reading: RemoteLockReading)?
    /// What the state backend's object and lock need of the CI identity (empty for a local state).
    public var stateCalls: [DeclaredCall] = []

    public init(expectAccount: String? = nil, failOnLeftovers: Bool = false, probe: Bool = false, statePath: String) {
        self.expectAccount = expectAccount
        self.failOnLeftovers = failOnLeftovers
        self.probe = probe
        self.statePath = statePath
    }
}

/// Proves a sandbox is ready for provider tests: the checks of `checks(...)`, walked by `CheckRunner`.
public struct ReadinessChecker: Sendable {
    public let stack: Stack
    public let variables: [String: JSONValue]
    public let aws: AWSEnvironment
    public let options: ReadinessOptions
    public let clock: WallClock

    public init(stack: Stack, variables: [String: JSONValue], aws: AWSEnvironment, options: ReadinessOptions, clock: WallClock = SystemClock()) {
        self.stack = stack
        self.variables = variables
        self.aws = aws
        self.options = options
        self.clock = clock
    }

    public func run() async -> ReadinessReport {
        let started = Date()
        let runner = CheckRunner(checks: Self.checks(stack: stack, variables: variables, options: options))
        let (results, findings) = await runner.run(CheckContext(aws: aws, clock: clock, findings: Findings()))
        var environment: [String: String] = [:]
        if let evaluation = findings.evaluation {
            let exported = Set(stack.outputs.filter(\.isEnvironmentVariable).map(\.name))
            for (key, value) in evaluation.desired.outputs(known: evaluation.known) where exported.contains(key) { environment[key] = value.description }
        }
        return ReadinessReport(results: results, accountId: findings.identity?.account, region: aws.region.region.name,
                               seconds: Date().timeIntervalSince(started), environment: environment)
    }

    /// Every check, in the order the report lists them. A resource disabled with `enabled: false` is not part of
    /// the sandbox, so it has no check.
    static func checks(stack: Stack, variables: [String: JSONValue], options: ReadinessOptions) -> [any ReadinessCheck] {
        var checks: [any ReadinessCheck] = [
            CredentialsCheck(), AccountCheck(expected: options.expectAccount, allowed: stack.allowedAccountIds), RegionCheck(pinned: stack.region),
            StateCheck(path: options.statePath, remoteLock: options.remoteLock), StackCheck(stack: stack, variables: variables),
        ]
        checks += stack.resources.filter { $0.isEnabled(variables: variables) }.map { ResourceDriftCheck(address: $0.address) }
        checks += [GuardrailsCheck(stack: stack), PolicyCoverageCheck(file: stack.file, stateCalls: options.stateCalls),
                   LeftoversCheck(failOnLeftovers: options.failOnLeftovers, statePath: options.statePath), SpendCheck()]
        if options.probe { checks.append(ProbeCheck()) }
        return checks
    }

    /// The report when AWS cannot even be set up (unreadable config files, no region): that failure, then every check skipped.
    public static func setupFailure(_ error: Error, stack: Stack, variables: [String: JSONValue] = [:], options: ReadinessOptions) -> ReadinessReport {
        let category = error.failureCategory
        let name: CheckName = category == .credentials ? .credentials : .awsConfiguration
        let fix = category == .credentials ? CredentialsCheck.genericFix : "fix the AWS settings named above (--region/AWS_REGION, --endpoint-url, ~/.aws/config)"
        let failure = CheckResult(name: name.description, status: .fail, detail: error.oneLine, fix: fix, category: category == .internal ? .usage : category)
        let runner = CheckRunner(checks: checks(stack: stack, variables: variables, options: options))
        return ReadinessReport(results: runner.skipped(after: name, failure), accountId: nil, region: nil, seconds: 0, environment: [:])
    }
}
