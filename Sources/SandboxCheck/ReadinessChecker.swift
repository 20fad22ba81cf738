import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxServices
import SandboxStack
import SandboxState

/// What the check needs and how strict it is.
public struct ReadinessOptions: Sendable {
    public var expectAccount: String?
    public var failOnLeftovers: Bool
    public var probe: Bool
    public var statePath: String

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
        var results: [CheckResult] = []
        func timed(_ name: String, _ body: () async throws -> CheckResult) async -> CheckResult {
            let t0 = Date()
            do {
                let result = try await body()
                return CheckResult(name: result.name, status: result.status, detail: result.detail, fix: result.fix,
                                   seconds: Date().timeIntervalSince(t0), category: result.category)
            } catch {
                return CheckResult(name: name, status: .fail, detail: error.oneLine, fix: nil, seconds: Date().timeIntervalSince(t0),
                                   category: error.failureCategory)
            }
        }

        // 1. Credentials: nothing else can run without them.
        var identity: CallerIdentity?
        var source = "unknown"
        results.append(await timed("credentials") {
            let caller = try await STSClient(aws.client).getCallerIdentity()
            identity = caller
            source = try await aws.credentials.resolve()?.source.description ?? "unknown"
            return CheckResult(name: "credentials", status: .pass, detail: "account \(caller.account), \(caller.arn), from \(source)")
        })
        guard let identity else {
            if let failed = results.last {
                results[results.count - 1] = CheckResult(name: failed.name, status: .fail, detail: failed.detail,
                                                         fix: "run aws sso login --profile \(aws.profile.name), export AWS_PROFILE, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
                                                         seconds: failed.seconds, category: failed.category == .credentials ? .credentials : failed.category)
            }
            return ReadinessReport(results: results + Self.skipped(after: "credentials"), accountId: nil, region: aws.region.region.name,
                                   seconds: Date().timeIntervalSince(started), environment: [:])
        }

        // 2. Account guard and 3. region.
        results.append(accountCheck(identity.account))
        results.append(regionCheck())
        // 6. Guardrails (the parser refuses forbidden kinds; say so explicitly for the record).
        results.append(CheckResult(name: "guardrails", status: .pass,
                                   detail: "no forbidden kinds (EKS, EC2, NAT, Glue jobs/crawlers, Lake Formation, S3 Tables, access keys) in \(stack.file)"))
        if results.contains(where: { $0.status == .fail && $0.name == "account" }) {
            return ReadinessReport(results: results, accountId: identity.account, region: aws.region.region.name,
                                   seconds: Date().timeIntervalSince(started), environment: [:])
        }

        let region = aws.region.region.name
        let context = ProviderContext(client: aws.client, accountId: identity.account, region: region, commonTags: [:],
                                      consistency: ConsistencyPolicy(attempts: 1, sleeper: aws.client.sleeper))
        // 4. State.
        let (stateResult, records) = stateCheck()
        results.append(stateResult)

        var known: [String: Attributes] = [:]
        for record in records where record.status == .created { known[record.address.name] = record.attributes }
        let desired: DesiredState
        do {
            desired = try DesiredState.evaluate(stack, variables: variables, accountId: identity.account, region: region,
                                                providerContext: context, known: known, lenient: true)
        } catch {
            results.append(CheckResult(name: "stack", status: .fail, detail: error.oneLine, category: .usage))
            return ReadinessReport(results: results, accountId: identity.account, region: region, seconds: Date().timeIntervalSince(started), environment: [:])
        }

        // 5, 7, 8 and 9 read independently: run them in parallel.
        let resourceChecks = desired.order.compactMap { name in stack.resource(named: name).flatMap { desired.resources[$0.address] } }
        async let resourceResults = withTaskGroup(of: (Int, CheckResult).self) { group -> [CheckResult] in
            for (index, resource) in resourceChecks.enumerated() {
                group.addTask { (index, await timed("resource \(resource.address)") { try await self.resourceCheck(resource, context: context) }) }
            }
            var out = [CheckResult?](repeating: nil, count: resourceChecks.count)
            for await (index, result) in group { out[index] = result }
            return out.compactMap { $0 }
        }
        var runContext = desired.context
        for (name, attributes) in known { runContext.attributes[name] = attributes }
        let settings = try? RunSettings.resolve(stack, context: runContext)
        async let leftovers = timed("leftovers") { try await self.leftoverCheck(settings: settings, context: context, desired: desired) }
        async let spend = timed("spend") { try await self.spendCheck(desired: desired, context: context) }
        async let probe = options.probe ? timed("access probe") { try await self.probeCheck(settings: settings, context: context) } : nil
        results.append(contentsOf: await resourceResults)
        results.append(await leftovers)
        results.append(await spend)
        if let probe = await probe { results.append(probe) }

        var environment: [String: String] = [:]
        for (key, value) in desired.outputs(known: known) { environment[key] = value.description }
        return ReadinessReport(results: results, accountId: identity.account, region: region, seconds: Date().timeIntervalSince(started),
                               environment: environment)
    }

    static func skipped(after name: String) -> [CheckResult] {
        ["account", "region", "state", "resources", "leftovers", "spend"].map {
            CheckResult(name: $0, status: .skip, detail: "not checked: \(name) failed")
        }
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
            if let lock = try store.lock().currentLock() {
                let sameHost = lock.host == ProcessIdentity.current.host
                if sameHost && !ProcessIdentity.isAlive(lock.pid) {
                    return (CheckResult(name: "state", status: .fail, detail: "locked by a process that is gone: \(lock)",
                                        fix: "run sandbox state unlock", category: .state), records)
                }
                return (CheckResult(name: "state", status: .warn, detail: "\(records.count) resources; locked by \(lock)"), records)
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

    func resourceCheck(_ resource: DesiredResource, context: ProviderContext) async throws -> CheckResult {
        let name = "resource \(resource.address)"
        guard let provider = ProviderRegistry.provider(for: resource.address.type) else {
            return CheckResult(name: name, status: .fail, detail: "no provider", category: .internal)
        }
        guard let live = try await provider.read(resource.attributes, context: context) else {
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
            let text = differences.map { "\($0.name): live \(Self.show($0.old)), stack \(Self.show($0.new))" }.joined(separator: "; ")
            return CheckResult(name: name, status: .fail, detail: "drift: \(text)", fix: "run sandbox plan, then sandbox apply", category: .aws)
        }
        return CheckResult(name: name, status: .pass, detail: "\(provider.physicalId(live) ?? "") matches the stack")
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = value.compactJSON
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    func leftoverCheck(settings: RunSettings?, context: ProviderContext, desired: DesiredState) async throws -> CheckResult {
        guard let settings else {
            return CheckResult(name: "leftovers", status: .skip, detail: "the stack declares no runs: section")
        }
        let retentionDays = desired.resources.values.first { $0.address.type == "s3_bucket_lifecycle" }?.attributes["expiration_days"]?.numberValue ?? 3
        let cutoff = clock.now().addingTimeInterval(-retentionDays * 86400)
        var recorded: [String: Date] = [:]
        if let store = try? StateStore.openExisting(path: options.statePath), let runs = try? store.runs() {
            for run in runs where run.status != .cleaned { recorded[run.runId] = run.startedAt }
        }
        let (runs, _) = try await LeftoverScanner(settings: settings, client: aws.client).scan(recorded: recorded)
        let old = runs.filter { ($0.startedAt ?? .distantFuture) < cutoff }
        guard !old.isEmpty else {
            return CheckResult(name: "leftovers", status: .pass, detail: "no run older than \(Int(retentionDays))d (\(runs.count) run(s) in progress)")
        }
        let now = clock.now()
        let listed = old.prefix(5).map { "\($0.runId) (\(Int(now.timeIntervalSince($0.startedAt ?? now) / 3600))h)" }.joined(separator: ", ")
        return CheckResult(name: "leftovers", status: options.failOnLeftovers ? .fail : .warn,
                           detail: "\(old.count) run(s) older than \(Int(retentionDays))d: \(listed)\(old.count > 5 ? ", ..." : "")",
                           fix: "run sandbox cleanup --stale", category: options.failOnLeftovers ? .aws : nil)
    }

    func spendCheck(desired: DesiredState, context: ProviderContext) async throws -> CheckResult {
        guard let budget = desired.resources.values.first(where: { $0.address.type == ResourceKind.budget.name }),
              let name = budget.attributes["name"]?.stringValue else {
            return CheckResult(name: "spend", status: .skip, detail: "the stack declares no budget")
        }
        guard let live = try await context.budgets.describeBudget(accountId: context.accountId, name: name) else {
            return CheckResult(name: "spend", status: .fail, detail: "budget \(name) does not exist", fix: "run sandbox apply", category: .aws)
        }
        let limit = NSDecimalNumber(decimal: live.limitAmount).doubleValue
        let actual = live.calculatedSpend.map { NSDecimalNumber(decimal: $0.actual).doubleValue } ?? 0
        let forecast = live.calculatedSpend?.forecasted.map { NSDecimalNumber(decimal: $0).doubleValue } ?? 0
        let threshold = (budget.attributes["actual_threshold_percent"]?.numberValue ?? 80) / 100
        let detail = String(format: "actual %.2f, forecasted %.2f of %.2f USD", actual, forecast, limit)
        if limit > 0, actual >= limit {
            return CheckResult(name: "spend", status: .fail, detail: detail + " (at or above the limit)",
                               fix: "stop running tests this month or ask the owner to raise limit_usd", category: .aws)
        }
        if limit > 0, actual >= limit * threshold || forecast >= limit {
            return CheckResult(name: "spend", status: .warn, detail: detail + " (above the alert threshold)")
        }
        return CheckResult(name: "spend", status: .pass, detail: detail)
    }

    /// Puts, reads and deletes a small object under a fresh probe prefix and creates and drops a Glue database.
    func probeCheck(settings: RunSettings?, context: ProviderContext) async throws -> CheckResult {
        guard let settings else { return CheckResult(name: "access probe", status: .skip, detail: "the stack declares no runs: section") }
        let stamp = RunIdentifier.mint(template: "{timestamp}", at: clock.now()).lowercased()
        let key = "\(settings.root)sandbox-probe-\(stamp)-\(UInt32.random(in: 0...UInt32.max))/probe.txt"
        let database = "\(settings.gluePrefix)sandbox_probe_\(stamp)_\(UInt32.random(in: 0...UInt32.max))"
        let body = Data("sandbox access probe".utf8)
        _ = try await context.s3.putObject(bucket: settings.bucket, key: key, body: body, contentType: "text/plain", ifNoneMatch: nil, ifMatch: nil)
        let read = try await context.s3.getObject(bucket: settings.bucket, key: key)
        guard read.body == body else {
            try? await context.s3.deleteObject(bucket: settings.bucket, key: key)
            return CheckResult(name: "access probe", status: .fail, detail: "read back different bytes from \(key)", category: .aws)
        }
        try await context.s3.deleteObject(bucket: settings.bucket, key: key)
        try await context.glue.createDatabase(name: database, description: "sandbox access probe", parameters: [:])
        try await context.glue.deleteDatabase(name: database)
        let leftover = try await context.s3.listObjectsV2(bucket: settings.bucket, prefix: String(key.dropLast("probe.txt".count)), delimiter: nil,
                                                          continuationToken: nil, maxKeys: 1).objects.count
        let dbLeft = try await context.glue.getDatabase(name: database) != nil
        guard leftover == 0, !dbLeft else {
            return CheckResult(name: "access probe", status: .fail, detail: "the probe left data behind (\(leftover) object(s), database \(dbLeft ? "present" : "absent"))", category: .aws)
        }
        return CheckResult(name: "access probe", status: .pass,
                           detail: "put, read and deleted s3://\(settings.bucket)/\(key); created and deleted Glue database \(database); nothing left behind")
    }
}
