import SandboxAWS
import SandboxCore
import SandboxEngine
import SandboxProviders
import SandboxStack

/// One stack resource exists and matches what the stack sets.
struct ResourceDriftCheck: ReadinessCheck {
    let address: ResourceAddress

    var name: CheckName { .resource(address) }
    var requires: Set<CheckName> { [.stack] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let evaluation = try context.evaluation()
        // Left out of the evaluated stack (an `enabled` that is not known): nothing to check.
        guard let resource = evaluation.desired.resources[address] else { return CheckOutcome(nil) }
        let bucket = Self.bucket(of: resource)
        var missing = false
        let result: CheckResult
        do {
            result = try await verdict(resource, context: evaluation.provider) { missing = true }
        } catch {
            result = .failed(name, error)
        }
        var findings = Findings()
        if missing, Self.isBucket(resource), let bucket { findings.missingBuckets = [bucket] }
        return CheckOutcome(result, findings: findings, bucket: bucket)
    }

    func verdict(_ resource: DesiredResource, context: ProviderContext, missing: () -> Void) async throws -> CheckResult {
        let name = self.name.description
        guard let provider = KindCatalogue.standard.provider(for: address.type) else {
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
            return .denied(self.name, error, calls: provider.readCalls(resource.attributes, context: context))
        }
        guard let live else {
            missing()
            return CheckResult(name: name, status: .fail, detail: "\(provider.physicalId(resource.attributes) ?? "?") does not exist",
                               fix: "run sandbox apply", category: .aws)
        }
        var differences = provider.differences(desired: resource.attributes, live: live)
        // The check compares only what the stack sets; tags sandbox adds at apply are not known here.
        differences.removeAll { $0.name == "tags" }
        if Self.notificationsWithoutSubscribers(resource, live: live) > 0 {
            return CheckResult(name: name, status: .fail, detail: "budget has a notification without subscribers", fix: "run sandbox apply", category: .aws)
        }
        guard differences.isEmpty else {
            let id = provider.physicalId(live) ?? provider.physicalId(resource.attributes) ?? "?"
            return CheckResult(name: name, status: .fail, detail: "drift in \(id): " + differences.map(DriftDescription.describe).joined(separator: "; "),
                               fix: "run sandbox plan, then sandbox apply", category: .aws)
        }
        return CheckResult(name: name, status: .pass, detail: "\(provider.physicalId(live) ?? "") matches the stack")
    }

    // kind-specific: an s3_bucket is the bucket other checks need; a bucket setting names the bucket it lives in.
    static func isBucket(_ resource: DesiredResource) -> Bool { resource.address.type == S3BucketKind.name }

    // kind-specific: the bucket a resource is (s3_bucket's name) or lives in (a bucket setting's bucket).
    static func bucket(of resource: DesiredResource) -> String? { resource.attributes[isBucket(resource) ? "name" : "bucket"]?.stringValue }

    // kind-specific: a budget's notifications that reach nobody (drift the attribute comparison cannot show).
    static func notificationsWithoutSubscribers(_ resource: DesiredResource, live: Attributes) -> Int {
        resource.address.type == BudgetKind.name ? live["notifications_without_subscribers"]?.intValue ?? 0 : 0
    }
}
