import Foundation
import SandboxAWS
import SandboxCore
import SandboxEngine
import SandboxServices
import SandboxStack
import SandboxState

/// The process-wide things every command needs: environment, logger and the secret redactor.
struct Invocation: Sendable {
    let environment: [String: String]
    let log: Log
    let redactor: Redactor
    let clock: WallClock

    init(output: OutputOptionGroup?) {
        environment = ProcessInfo.processInfo.environment
        redactor = Redactor()
        let level = output?.logLevel.flatMap(LogLevel.init(name:)) ?? environment["SANDBOX_LOG"].flatMap(LogLevel.init(name:)) ?? .warn
        log = Log(level: level, redactor: redactor)
        clock = SystemClock()
    }

    /// Resolves how to reach AWS; throws usage or credential errors before any request.
    func aws(_ options: AWSOptions) throws -> AWSEnvironment {
        try AWSEnvironment(options: options, environment: environment, log: log, redactor: redactor, clientVersion: SandboxVersion.current)
    }
}

/// Where the stack and state files are.
enum Paths {
    static func stack(_ flag: String?, environment: [String: String]) throws -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["SANDBOX_STACK"], !env.isEmpty { return env }
        let reference = "Stacks/aws-provider-tests.yaml"
        if FileManager.default.fileExists(atPath: reference) { return reference }
        let candidates = ((try? FileManager.default.contentsOfDirectory(atPath: "Stacks")) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        if candidates.count == 1 { return "Stacks/\(candidates[0])" }
        throw SimpleError(.usage, candidates.isEmpty
            ? "no stack file: pass --stack FILE or add one under Stacks/"
            : "several stacks in Stacks/ (\(candidates.joined(separator: ", "))): pass --stack FILE")
    }

    static func state(_ flag: String?, stack: Stack, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["SANDBOX_STATE"], !env.isEmpty { return env }
        return "State/\(stack.name).sqlite"
    }
}

/// A stack loaded, its variables resolved, and AWS reached: what plan, apply, destroy, cleanup and check share.
struct StackSession: Sendable {
    let invocation: Invocation
    let stack: Stack
    let state: StateTarget
    let variables: [String: JSONValue]
    let aws: AWSEnvironment
    let identity: CallerIdentity
    let region: String
    let context: ProviderContext

    /// Loads and validates everything offline first, then makes the first AWS call (STS) and applies the account guard.
    static func open(_ invocation: Invocation, stackOptions: StackOptionGroup, awsOptions: AWSOptionGroup, requireVariables: Bool = true) async throws -> StackSession {
        let stackPath = try Paths.stack(stackOptions.stack, environment: invocation.environment)
        let stack = try StackParser.load(path: stackPath)
        let (variables, _) = try VariableValues.resolve(stack, inputs: VariableInputs(assignments: stackOptions.vars, files: stackOptions.varFiles,
                                                                                      environment: invocation.environment), requireAll: requireVariables)
        var options = awsOptions.options
        if let pinned = stack.region {
            if let flag = options.region, flag != pinned {
                throw SimpleError(.usage, "\(stack.file) pins region \(pinned) but --region is \(flag); drop --region or change the stack")
            }
            options.region = pinned
        }
        let aws = try invocation.aws(options)
        let identity = try await STSClient(aws.client).getCallerIdentity()
        try AccountGuard.check(account: identity.account, stack: stack)
        let region = aws.region.region.name
        var tags: [String: String] = [:]
        let evaluation = EvaluationContext(variables: variables, accountId: identity.account, region: region, stackName: stack.name)
        for entry in stack.tags {
            if case .known(let value)? = try? StackEvaluator.evaluate(entry.value, in: evaluation) { tags[entry.key] = value.description }
        }
        tags["ManagedBy"] = "sandbox"
        let context = ProviderContext(client: aws.client, accountId: identity.account, region: region, commonTags: tags,
                                      consistency: ConsistencyPolicy(sleeper: aws.client.sleeper))
        let location = try StateTarget.location(stackOptions, stack: stack, environment: invocation.environment)
        return StackSession(invocation: invocation, stack: stack, state: StateTarget(location: location, invocation: invocation, aws: aws),
                            variables: variables, aws: aws, identity: identity, region: region, context: context)
    }

    func desired() throws -> DesiredState {
        try DesiredState.evaluate(stack, variables: variables, accountId: identity.account, region: region, providerContext: context)
    }

    /// The state's path or URI, for messages.
    var statePath: String { state.location.description }
}

/// Refuses to touch an account the stack does not allow.
enum AccountGuard {
    static func check(account: String, stack: Stack, expected: String? = nil) throws {
        if let expected, expected != account {
            throw SimpleError(.credentials, "the credentials are for account \(account), expected \(expected); switch profile or credentials")
        }
        if !stack.allowedAccountIds.isEmpty, !stack.allowedAccountIds.contains(account) {
            throw SimpleError(.credentials, "account \(account) is not in \(stack.file)'s allowed_account_ids (\(stack.allowedAccountIds.joined(separator: ", "))); switch profile or credentials")
        }
    }
}
