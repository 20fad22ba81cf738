import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxPolicy
import SandboxServices
import SandboxStack
import SandboxState

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

/// Proves a sandbox is ready for provider tests. Independent reads run in parallel; each check is one result.
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
        let region = aws.region.region.name
        var results: [CheckResult] = []
        func report(_ results: [CheckResult], account: String?, environment: [String: String] = [:]) -> ReadinessReport {
            ReadinessReport(results: results, accountId: account, region: region, seconds: Date().timeIntervalSince(started), environment: environment)
        }

        // 1. Credentials: nothing else can run without them.
        var identity: CallerIdentity?
        results.append(await Self.timed("credentials") { try await self.credentialsCheck { identity = $0 } })
        guard let identity else {
            return report(results + skipped(after: "credentials"), account: nil)
        }

        // 2. Account guard and 3. region.
        results.append(accountCheck(identity.account))
        results.append(regionCheck())
        if let failed = results.first(where: { $0.status == .fail && $0.name == "account" }) {
            return report(results + skipped(after: failed.name, excluding: ["credentials", "region"]), account: identity.account)
        }

        let context = ProviderContext(client: aws.client, accountId: identity.account, region: region, commonTags: [:],
                                      consistency: ConsistencyPolicy(attempts: 1, sleeper: aws.client.sleeper))
        // 4. State.
        let (stateResult, records) = Self.timed { stateCheck() }
        results.append(stateResult)

        var known: [String: Attributes] = [:]
        for record in records where record.status == .created { known[record.address.name] = record.attributes }
        let desired: DesiredState
        do {
            desired = try DesiredState.evaluate(stack, variables: variables, accountId: identity.account, region: region,
                                                providerContext: context, known: known, lenient: true)
        } catch {
            results.append(CheckResult(name: "stack", status: .fail, detail: error.oneLine, fix: "run sandbox validate", category: .usage))
            return report(results + skipped(after: "stack", excluding: ["credentials", "account", "region", "state"]), account: identity.account)
        }

        // 5 (resources), 7 (leftovers), 8 (spend) and 9 (probe) read independently: run them in parallel.
        // Reported in the order the stack declares them, read all at once.
        let resourceChecks = stack.resources.compactMap { desired.resources[$0.address] }
        async let resourceResults = withTaskGroup(of: (Int, ResourceOutcome).self) { group -> [ResourceOutcome] in
            for (index, resource) in resourceChecks.enumerated() {
                group.addTask { (index, await self.resourceOutcome(resource, context: context)) }
            }
            var out = [ResourceOutcome?](repeating: nil, count: resourceChecks.count)
            for await (index, result) in group { out[index] = result }
            return out.compactMap { $0 }
        }
        var runContext = desired.context
        for (name, attributes) in known { runContext.attributes[name] = attributes }
        let settings: Result<RunSettings, Error>? = stack.runs == nil ? nil : Result { try RunSettings.resolve(stack, context: runContext) }
        async let leftovers = Self.timed("leftovers") { try await self.leftoverCheck(settings: settings, desired: desired) }
        async let spend = Self.timed("spend") { try await self.spendCheck(desired: desired, context: context) }
        async let probe = options.probe ? Self.timed("access probe") { try await self.probeCheck(settings: settings, context: context) } : nil

        // A missing bucket explains every check that needs it: report it once, on the bucket, and skip the rest.
        let outcomes = await resourceResults
        let missingBuckets = Set(outcomes.compactMap { $0.missingBucket })
        for outcome in outcomes {
            if let bucket = outcome.bucket, missingBuckets.contains(bucket), outcome.missingBucket == nil, outcome.result.status == .fail {
                results.append(CheckResult(name: outcome.result.name, status: .skip, detail: "not checked: bucket \(bucket) does not exist",
                                           seconds: outcome.result.seconds))
            } else {
                results.append(outcome.result)
            }
        }
        // 6. Guardrails, and the proof that the stack's policy covers every call of the CI-side commands.
        results.append(guardrailsCheck())
        let roleCalls = CIRole.calls(desired: desired, context: context, settings: try? settings?.get(), stateCalls: options.stateCalls)
        results.append(await Self.timed("policy") { try await self.policyCheck(desired: desired, calls: roleCalls, context: context) })
        for result in [await leftovers, await spend] + [await probe].compactMap({ $0 }) {
            if case .success(let settings)? = settings, missingBuckets.contains(settings.bucket), result.status == .fail {
                results.append(CheckResult(name: result.name, status: .skip, detail: "not checked: bucket \(settings.bucket) does not exist",
                                           seconds: result.seconds))
            } else {
                results.append(result)
            }
        }

        var environment: [String: String] = [:]
        let exported = Set(stack.outputs.filter(\.isEnvironmentVariable).map(\.name))
        for (key, value) in desired.outputs(known: known) where exported.contains(key) { environment[key] = value.description }
        return report(results, account: identity.account, environment: environment)
    }

    /// Runs one check, timing it; a thrown error becomes a failure of that check.
    static func timed(_ name: String, _ body: () async throws -> CheckResult) async -> CheckResult {
        let t0 = Date()
        do {
            let result = try await body()
            return CheckResult(name: result.name, status: result.status, detail: result.detail, fix: result.fix,
                               seconds: Date().timeIntervalSince(t0), category: result.category)
        } catch {
            let category = error.failureCategory
            return CheckResult(name: name, status: .fail, detail: error.oneLine, fix: category == .credentials ? credentialsFix : nil,
                               seconds: Date().timeIntervalSince(t0), category: category)
        }
    }

    static func timed<T>(_ body: () -> (CheckResult, T)) -> (CheckResult, T) {
        let t0 = Date()
        let (result, value) = body()
        return (CheckResult(name: result.name, status: result.status, detail: result.detail, fix: result.fix,
                            seconds: Date().timeIntervalSince(t0), category: result.category), value)
    }

    static let credentialsFix = "run aws sso login (with AWS_PROFILE or --profile set), export AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"

    /// Resolves credentials (refusing ones already expired), then asks STS who they belong to.
    func credentialsCheck(_ found: (CallerIdentity) -> Void) async throws -> CheckResult {
        let fix = "run aws sso login --profile \(aws.profile.name), export AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        let resolved: ResolvedCredentials?
        do {
            resolved = try await aws.credentials.resolve()
        } catch {
            return CheckResult(name: "credentials", status: .fail, detail: error.oneLine, fix: fix, category: .credentials)
        }
        let source = resolved?.source.description ?? "unknown"
        if let expiration = resolved?.credentials.expiration, expiration <= clock.now() {
            return CheckResult(name: "credentials", status: .fail,
                               detail: "credentials from \(source) expired at \(ISO8601DateFormatter().string(from: expiration))",
                               fix: "refresh them: " + fix, category: .credentials)
        }
        let caller: CallerIdentity
        do {
            caller = try await STSClient(aws.client).getCallerIdentity()
        } catch {
            // STS answering 4xx (InvalidClientTokenId, SignatureDoesNotMatch, AccessDenied, ExpiredToken) means the
            // credentials were rejected: a setup problem. No answer at all is the network's or the endpoint's.
            if let refused = error as? AWSError, (400..<500).contains(refused.status), refused.kind != .throttled {
                return CheckResult(name: "credentials", status: .fail, detail: "credentials from \(source) were rejected: \(refused.oneLine)",
                                   fix: fix, category: .credentials)
            }
            let category = error.failureCategory
            return CheckResult(name: "credentials", status: .fail, detail: "sts:GetCallerIdentity failed: \(error.oneLine)",
                               fix: category == .credentials ? fix : "check the network, AWS_ENDPOINT_URL/--endpoint-url and the region",
                               category: category == .internal ? .aws : category)
        }
        found(caller)
        var detail = "account \(caller.account), \(caller.arn), from \(source)"
        if let expiration = resolved?.credentials.expiration {
            detail += ", valid for \(max(0, Int(expiration.timeIntervalSince(clock.now()) / 60)))m"
        }
        return CheckResult(name: "credentials", status: .pass, detail: detail)
    }

    /// Every check that did not run because `name` failed, in the order they would have run.
    func skipped(after name: String, excluding: Set<String> = []) -> [CheckResult] {
        Self.skipped(stack: stack, variables: variables, probe: options.probe, after: name, excluding: excluding)
    }

    static func skipped(stack: Stack, variables: [String: JSONValue] = [:], probe: Bool, after name: String, excluding: Set<String> = []) -> [CheckResult] {
        // A disabled resource (enabled: false) is not part of the sandbox, so there is nothing to skip.
        let declared = stack.resources.filter { $0.isEnabled(variables: variables) }
        var names = ["credentials", "account", "region", "state"] + declared.map { "resource \($0.address)" } + ["guardrails", "policy", "leftovers", "spend"]
        if probe { names.append("access probe") }
        return names.filter { $0 != name && !excluding.contains($0) }.map {
            CheckResult(name: $0, status: .skip, detail: "not checked: \(name) failed")
        }
    }

    /// The report when AWS cannot even be set up (unreadable config files, no region): that failure, then every check skipped.
    public static func setupFailure(_ error: Error, stack: Stack, variables: [String: JSONValue] = [:], options: ReadinessOptions) -> ReadinessReport {
        let category = error.failureCategory
        let name = category == .credentials ? "credentials" : "aws configuration"
        let fix = category == .credentials ? credentialsFix : "fix the AWS settings named above (--region/AWS_REGION, --endpoint-url, ~/.aws/config)"
        let failure = CheckResult(name: name, status: .fail, detail: error.oneLine, fix: fix, category: category == .internal ? .usage : category)
        return ReadinessReport(results: [failure] + skipped(stack: stack, variables: variables, probe: options.probe, after: name), accountId: nil, region: nil,
                               seconds: 0, environment: [:])
    }

    /// The stack can only hold allowed kinds (the parser refuses the rest); say so, and warn when a guardrail is missing.
    func guardrailsCheck() -> CheckResult {
        let forbidden = stack.resources.filter { ResourceKind.forbiddenReason($0.kind.name) != nil }.map(\.name)
        if !forbidden.isEmpty {
            return CheckResult(name: "guardrails", status: .fail, detail: "forbidden kinds in \(stack.file): \(forbidden.joined(separator: ", "))",
                               fix: "remove them from the stack", category: .usage)
        }
        let kinds = Set(stack.resources.map(\.kind.name))
        let missing = [(ResourceKind.budget.name, "a budget"), (ResourceKind.s3BucketLifecycle.name, "a run-prefix lifecycle rule"),
                       (ResourceKind.s3PublicAccessBlock.name, "a public access block")].filter { !kinds.contains($0.0) }.map(\.1)
        let base = "no forbidden kinds (EKS, EC2, NAT, Glue jobs/crawlers, Lake Formation, S3 Tables, access keys) in \(stack.file)"
        if !missing.isEmpty {
            return CheckResult(name: "guardrails", status: .warn, detail: base + "; the stack declares no \(missing.joined(separator: ", no "))",
                               fix: "add them to the stack")
        }
        return CheckResult(name: "guardrails", status: .pass, detail: base + "; budget, lifecycle and public access block declared")
    }

    func accountCheck(_ account: String) -> CheckResult {
        if let expected = options.expectAccount, expected != account {
            return CheckResult(name: "account", status: .fail, detail: "credentials are for account \(account), expected \(expected)",
                               fix: "switch profile or credentials to account \(expected)", category: .credentials)
        }
        if !stack.allowedAccountIds.isEmpty, !stack.allowedAccountIds.contains(account) {
            return CheckResult(name: "account", status: .fail, detail: "account \(account) is not in allowed_account_ids (\(stack.allowedAccountIds.joined(separator: ", ")))",
                               fix: "switch profile or credentials", category: .credentials)
        }
        let rule = options.expectAccount != nil || !stack.allowedAccountIds.isEmpty ? "allowed" : "no account restriction configured"
        return CheckResult(name: "account", status: .pass, detail: "\(account) (\(rule))")
    }

    func regionCheck() -> CheckResult {
        let region = aws.region.region.name
        if let pinned = stack.region, pinned != region {
            return CheckResult(name: "region", status: .fail, detail: "using \(region) (from \(aws.region.source)) but the stack pins \(pinned)",
                               fix: "set --region \(pinned) or AWS_REGION=\(pinned)", category: .usage)
        }
        return CheckResult(name: "region", status: .pass, detail: "\(region) (from \(aws.region.source))")
    }

    func stateCheck() -> (CheckResult, [ResourceRecord]) {
        let path = options.statePath
        guard FileManager.default.fileExists(atPath: path) else {
            return (CheckResult(name: "state", status: .fail, detail: "no state at \(path)", fix: "run sandbox apply (or pass --state)", category: .state), [])
        }
        do {
            let store = try StateStore.openExisting(path: path)
            let records = try store.resources()
            if let remote = options.remoteLock {
                switch remote.reading {
                case .free:
                    break
                case .held(let lock, let expires) where expires < clock.now():
                    return (CheckResult(name: "state", status: .warn,
                                        detail: "\(records.count) resources; \(remote.location) lock expired: \(lock); the next writer takes it over"), records)
                case .held(let lock, _):
                    return (CheckResult(name: "state", status: .warn, detail: "\(records.count) resources; \(remote.location) locked by \(lock)"), records)
                case .unreadable(let reason):
                    return (CheckResult(name: "state", status: .fail, detail: "cannot read the lock of \(remote.location): \(reason)",
                                        fix: "check access to the state bucket", category: .infrastructure), records)
                }
            } else if let lock = try store.lock().currentLock() {
                let sameHost = lock.host == ProcessIdentity.current.host
                if sameHost && !ProcessIdentity.isAlive(lock.pid) {
                    return (CheckResult(name: "state", status: .fail, detail: "locked by a process that is gone: \(lock)",
                                        fix: "run sandbox state unlock", category: .state), records)
                }
                return (CheckResult(name: "state", status: .warn, detail: "\(records.count) resources; locked by \(lock)"), records)
            }
            if records.isEmpty {
                return (CheckResult(name: "state", status: .fail, detail: "\(path) records no resources", fix: "run sandbox apply",
                                    category: .state), records)
            }
            let pending = records.filter { $0.status != .created }
            if !pending.isEmpty {
                return (CheckResult(name: "state", status: .fail, detail: "\(pending.count) resource(s) left \(pending[0].status.rawValue) by an interrupted apply",
                                    fix: "run sandbox apply", category: .state), records)
            }
            return (CheckResult(name: "state", status: .pass, detail: "\(records.count) resources, serial \(try store.serial), schema current"), records)
        } catch {
            return (CheckResult(name: "state", status: .fail, detail: error.oneLine, category: .state), [])
        }
    }

    /// A resource check's result, and what it says about the bucket other checks need.
    struct ResourceOutcome: Sendable {
        let result: CheckResult
        /// The bucket this resource lives in (bucket settings) or is (the bucket itself).
        let bucket: String?
        /// Set when this is an `s3_bucket` that does not exist.
        let missingBucket: String?
    }

    func resourceOutcome(_ resource: DesiredResource, context: ProviderContext) async -> ResourceOutcome {
        let isBucket = resource.address.type == ResourceKind.s3Bucket.name
        let bucket = (isBucket ? resource.attributes["name"] : resource.attributes["bucket"])?.stringValue
        var missing = false
        let result = await Self.timed("resource \(resource.address)") {
            try await self.resourceCheck(resource, context: context) { missing = true }
        }
        return ResourceOutcome(result: result, bucket: bucket, missingBucket: isBucket && missing ? bucket : nil)
    }

    func resourceCheck(_ resource: DesiredResource, context: ProviderContext, missing: () -> Void = {}) async throws -> CheckResult {
        let name = "resource \(resource.address)"
        guard let provider = ProviderRegistry.provider(for: resource.address.type) else {
            return CheckResult(name: name, status: .fail, detail: "no provider", category: .internal)
        }
        guard provider.physicalId(resource.attributes) != nil || resource.unknown.isEmpty else {
            return CheckResult(name: name, status: .fail,
                               detail: "cannot tell which resource to read: \(resource.unknown.sorted().joined(separator: ", ")) not known",
                               fix: "pass the stack's variables (--var/--var-file) or run sandbox apply", category: .usage)
        }
        let live: Attributes?
        do {
            live = try await provider.read(resource.attributes, context: context)
        } catch let error as AWSError where error.kind == .accessDenied {
            return Self.denied(name, error, calls: provider.readCalls(resource.attributes, context: context))
        }
        guard let live else {
            missing()
            return CheckResult(name: name, status: .fail, detail: "\(provider.physicalId(resource.attributes) ?? "?") does not exist",
                               fix: "run sandbox apply", category: .aws)
        }
        var differences = provider.differences(desired: resource.attributes, live: live)
        // The check compares only what the stack sets; tags sandbox adds at apply are not known here.
        differences.removeAll { $0.name == "tags" }
        if resource.address.type == ResourceKind.budget.name, (live["notifications_without_subscribers"]?.intValue ?? 0) > 0 {
            return CheckResult(name: name, status: .fail, detail: "budget has a notification without subscribers", fix: "run sandbox apply", category: .aws)
        }
        guard differences.isEmpty else {
            let id = provider.physicalId(live) ?? provider.physicalId(resource.attributes) ?? "?"
            return CheckResult(name: name, status: .fail, detail: "drift in \(id): " + differences.map(Self.describe).joined(separator: "; "),
                               fix: "run sandbox plan, then sandbox apply", category: .aws)
        }
        return CheckResult(name: name, status: .pass, detail: "\(provider.physicalId(live) ?? "") matches the stack")
    }

    /// One difference in words; policy documents by the actions and resources they add or drop.
    static func describe(_ change: AttributeChange) -> String {
        if change.name == "document", let old = change.old, let new = change.new {
            let live = grants(old)
            let wanted = grants(new)
            var parts: [String] = []
            func list(_ items: Set<String>) -> String {
                let sorted = items.sorted()
                return sorted.prefix(4).joined(separator: ", ") + (sorted.count > 4 ? " and \(sorted.count - 4) more" : "")
            }
            let extraActions = live.actions.subtracting(wanted.actions)
            let lackedActions = wanted.actions.subtracting(live.actions)
            let extraResources = live.resources.subtracting(wanted.resources)
            let lackedResources = wanted.resources.subtracting(live.resources)
            if !extraActions.isEmpty { parts.append("live policy allows \(list(extraActions)) beyond the stack") }
            if !extraResources.isEmpty { parts.append("live policy covers \(list(extraResources)) beyond the stack") }
            if !lackedActions.isEmpty { parts.append("live policy lacks \(list(lackedActions))") }
            if !lackedResources.isEmpty { parts.append("live policy lacks resources \(list(lackedResources))") }
            if !parts.isEmpty { return "document: " + parts.joined(separator: "; ") }
        }
        return "\(change.name): live \(show(change.old)), stack \(show(change.new))"
    }

    /// The actions and resources a policy document's Allow statements grant.
    static func grants(_ document: JSONValue) -> (actions: Set<String>, resources: Set<String>) {
        var actions: Set<String> = []
        var resources: Set<String> = []
        func strings(_ value: JSONValue?) -> [String] {
            if let text = value?.stringValue { return [text] }
            return (value?.arrayValue ?? []).compactMap(\.stringValue)
        }
        let statements = document.objectValue?["Statement"].map { $0.arrayValue ?? [$0] } ?? []
        for statement in statements where statement.objectValue?["Effect"]?.stringValue == "Allow" {
            actions.formUnion(strings(statement.objectValue?["Action"]))
            resources.formUnion(strings(statement.objectValue?["Resource"]))
        }
        return (actions, resources)
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = value.compactJSON
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    func leftoverCheck(settings: Result<RunSettings, Error>?, desired: DesiredState) async throws -> CheckResult {
        guard let settings else {
            return CheckResult(name: "leftovers", status: .skip, detail: "the stack declares no runs: section")
        }
        let scheme = try settings.get()
        let retentionDays = desired.resources.values.first { $0.address.type == ResourceKind.s3BucketLifecycle.name }?
            .attributes["expiration_days"]?.numberValue ?? 3
        let now = clock.now()
        let cutoff = now.addingTimeInterval(-retentionDays * 86400)
        var recorded: [RunID: Date] = [:]
        if FileManager.default.fileExists(atPath: options.statePath), let store = try? StateStore.openExisting(path: options.statePath),
           let runs = try? store.runs() {
            for run in runs where run.status != .cleaned { recorded[run.runId] = run.startedAt }
        }
        let runs: [Leftover]
        do {
            (runs, _) = try await LeftoverScanner(settings: scheme, client: aws.client).scan(recorded: recorded)
        } catch let error as AWSError where error.kind == .accessDenied {
            return Self.denied("leftovers", error, calls: LeftoverScanner.declaredCalls(settings: scheme, region: aws.region.region.name,
                                                                                      account: desired.context.accountId ?? "ACCOUNT"))
        }
        let old = runs.filter { ($0.startedAt ?? .distantFuture) < cutoff }
        guard !old.isEmpty else {
            return CheckResult(name: "leftovers", status: .pass, detail: "no run older than the \(Int(retentionDays))d retention (\(runs.count) newer run(s) present)")
        }
        let listed = old.prefix(5).map { "\($0.runId) (\(Self.age(now.timeIntervalSince($0.startedAt ?? now))) old)" }.joined(separator: ", ")
        return CheckResult(name: "leftovers", status: options.failOnLeftovers ? .fail : .warn,
                           detail: "\(old.count) run(s) older than the \(Int(retentionDays))d retention: \(listed)\(old.count > 5 ? ", ..." : "")",
                           fix: "run sandbox cleanup --stale", category: options.failOnLeftovers ? .aws : nil)
    }

    static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    func spendCheck(desired: DesiredState, context: ProviderContext) async throws -> CheckResult {
        guard let budget = desired.resources.values.first(where: { $0.address.type == ResourceKind.budget.name }),
              let name = budget.attributes["name"]?.stringValue else {
            return CheckResult(name: "spend", status: .skip, detail: "the stack declares no budget")
        }
        let described: Budget?
        do {
            described = try await context.budgets.describeBudget(accountId: context.accountId, name: name)
        } catch let error as AWSError where error.kind == .accessDenied {
            return Self.denied("spend", error, calls: BudgetsPermissions.calls("DescribeBudget", budget: name, account: context.accountId))
        }
        guard let live = described else {
            // The budget's own resource check fails; spend cannot be measured without it.
            return CheckResult(name: "spend", status: .skip, detail: "not checked: budget \(name) does not exist (see resource \(budget.address))")
        }
        let limit = NSDecimalNumber(decimal: live.limitAmount).doubleValue
        let actual = live.calculatedSpend.map { NSDecimalNumber(decimal: $0.actual).doubleValue } ?? 0
        let forecast = live.calculatedSpend?.forecasted.map { NSDecimalNumber(decimal: $0).doubleValue } ?? 0
        let threshold = budget.attributes["actual_threshold_percent"]?.numberValue ?? 80
        return SpendPolicy.evaluate(limit: limit, actual: actual, forecast: forecast, thresholdPercent: threshold)
    }

    /// Puts, reads and deletes a small object under a fresh probe prefix and creates and drops a Glue database.
    /// Whatever it created is removed again even when a step fails.
    func probeCheck(settings: Result<RunSettings, Error>?, context: ProviderContext) async throws -> CheckResult {
        guard let settings else { return CheckResult(name: "access probe", status: .skip, detail: "the stack declares no runs: section") }
        let scheme = try settings.get()
        let stamp = RunIdentifier.mint(template: "{timestamp}", at: clock.now()).lowercased()
        let folder = "\(scheme.root)sandbox-probe-\(stamp)-\(UInt32.random(in: 0...UInt32.max))/"
        let key = folder + "probe.txt"
        let database = "\(scheme.gluePrefix)sandbox_probe_\(stamp)_\(UInt32.random(in: 0...UInt32.max))"
        let body = Data("sandbox access probe".utf8)
        var wroteObject = false
        var createdDatabase = false
        do {
            // Marked before each call: a call whose answer was lost (a timeout, a reset) may still have acted.
            wroteObject = true
            _ = try await context.s3.putObject(bucket: scheme.bucket, key: key, body: body, contentType: "text/plain", ifNoneMatch: nil, ifMatch: nil)
            let read = try await context.s3.getObject(bucket: scheme.bucket, key: key)
            guard read.body == body else {
                try? await context.s3.deleteObject(bucket: scheme.bucket, key: key)
                return CheckResult(name: "access probe", status: .fail, detail: "read back different bytes from s3://\(scheme.bucket)/\(key)", category: .aws)
            }
            try await context.s3.deleteObject(bucket: scheme.bucket, key: key)
            wroteObject = false
            createdDatabase = true
            do {
                try await context.glue.createDatabase(name: database, description: "sandbox access probe", parameters: [:])
            } catch let error as AWSError where error.code == "AlreadyExistsException" {
                // The name is this probe's own: the retry of a create whose answer was lost.
            }
            do {
                try await context.glue.deleteDatabase(name: database)
            } catch let error as AWSError where error.kind == .notFound {
                // The retry of a delete whose answer was lost.
            }
            createdDatabase = false
        } catch {
            if wroteObject { try? await context.s3.deleteObject(bucket: scheme.bucket, key: key) }
            if createdDatabase { try? await context.glue.deleteDatabase(name: database) }
            throw error
        }
        // In a versioned bucket the delete above only added a delete marker: remove every version and marker by id.
        let purged = try await purgeProbeVersions(bucket: scheme.bucket, folder: folder, context: context)
        let left = try await probeLeftovers(bucket: scheme.bucket, folder: folder, context: context)
        let dbLeft = try await context.glue.getDatabase(name: database) != nil
        guard left.isEmpty, !dbLeft else {
            return CheckResult(name: "access probe", status: .fail,
                               detail: "the probe left data behind (\(left.joined(separator: ", ")), database \(dbLeft ? "present" : "absent")) under s3://\(scheme.bucket)/\(folder)", category: .aws)
        }
        let versions = purged > 0 ? " and its \(purged) version(s) and delete marker(s)" : ""
        return CheckResult(name: "access probe", status: .pass,
                           detail: "put, read and deleted s3://\(scheme.bucket)/\(key)\(versions); created and deleted Glue database \(database); nothing left behind")
    }

    /// Deletes by version id every version and delete marker under the probe's own folder; returns how many.
    func purgeProbeVersions(bucket: String, folder: String, context: ProviderContext) async throws -> Int {
        var purged = 0
        for try await page in context.s3.versionPages(bucket: bucket, prefix: folder) {
            // The folder is this probe's own, fresh and random: everything under it goes ("null" ids included).
            for version in page.versions where version.key.hasPrefix(folder) {
                try await context.s3.deleteObject(bucket: bucket, key: version.key, versionId: version.versionId)
                purged += 1
            }
        }
        return purged
    }

    /// What is still under the probe folder, counted as versions, delete markers and current objects.
    func probeLeftovers(bucket: String, folder: String, context: ProviderContext) async throws -> [String] {
        var versions = 0, markers = 0
        for try await page in context.s3.versionPages(bucket: bucket, prefix: folder) {
            for version in page.versions where version.key.hasPrefix(folder) {
                if version.isDeleteMarker { markers += 1 } else { versions += 1 }
            }
        }
        var left: [String] = []
        if versions > 0 { left.append("\(versions) object version(s)") }
        if markers > 0 { left.append("\(markers) delete marker(s)") }
        return left
    }
}

/// Spend against the budget's limit: fail at or above it, warn above the alert threshold or when the forecast reaches it.
public enum SpendPolicy {
    public static func evaluate(limit: Double, actual: Double, forecast: Double, thresholdPercent: Double) -> CheckResult {
        let detail = String(format: "actual %.2f, forecasted %.2f of %.2f USD", actual, forecast, limit)
        guard limit > 0 else {
            return CheckResult(name: "spend", status: .warn, detail: detail + " (the budget has no positive limit)", fix: "set limit_usd on the budget")
        }
        if actual >= limit {
            return CheckResult(name: "spend", status: .fail, detail: detail + " (at or above the limit)",
                               fix: "stop running tests this month or ask the owner to raise limit_usd", category: .aws)
        }
        if actual >= limit * thresholdPercent / 100 {
            return CheckResult(name: "spend", status: .warn, detail: detail + String(format: " (above the %g%% alert threshold)", thresholdPercent))
        }
        if forecast >= limit {
            return CheckResult(name: "spend", status: .warn, detail: detail + " (forecast reaches the limit)")
        }
        return CheckResult(name: "spend", status: .pass, detail: detail)
    }
}
