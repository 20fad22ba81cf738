import Foundation
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxPolicy
import SandboxServices
import SandboxStack

/// The two identities of a sandbox. The applying identity (an administrator) runs plan, apply, destroy and import
/// and is out of scope here. The CI identity runs the provider tests and sandbox's CI-side commands (check, run new,
/// run list, cleanup, report) and, with state in S3, reads and writes the state object: it holds exactly the stack's
/// iam_policy documents, and every call those commands declare must be allowed by them.
public enum CIRole {
    public static let commands = ["check", "cleanup", "run new", "run list", "report"]
    /// Statements whose Sid starts with this are the CI-side commands' own (not the tests').
    public static let sidPrefix = "Sandbox"

    /// Every call the CI-side commands declare, for the stack as evaluated (account, region, bucket, prefixes).
    /// - Parameter stateCalls: the state backend's calls when state lives in S3 (declared by SandboxBackend).
    public static func calls(desired: DesiredState, context: ProviderContext, settings: RunSettings?, stateCalls: [DeclaredCall]) -> [DeclaredCall] {
        var calls = checkCalls(desired: desired, context: context, settings: settings)
        if let settings { calls += CleanupEngine.declaredCalls(settings: settings, region: context.region, account: context.accountId) }
        return calls + stateCalls
    }

    /// What `sandbox check` reads: each resource, the leftovers and the spend, and what `--probe` does.
    public static func checkCalls(desired: DesiredState, context: ProviderContext, settings: RunSettings?) -> [DeclaredCall] {
        var calls: [DeclaredCall] = []
        for declaration in desired.stack.resources {
            guard let resource = desired.resources[declaration.address],
                  let provider = KindCatalogue.standard.provider(for: resource.address.type) else { continue }
            calls += provider.readCalls(resource.attributes, context: context)
        }
        if let settings {
            calls += LeftoverScanner.declaredCalls(settings: settings, region: context.region, account: context.accountId)
            calls += ReadinessChecker.probeCalls(settings: settings, region: context.region, account: context.accountId)
        }
        // The policy proof's confirmation on AWS; skipped (one line) when the identity may not call it.
        calls += IAMPermissions.calls("SimulateCustomPolicy", resource: "*").map { $0.by("", required: false) }
        return calls.map { $0.by("check") }
    }

    /// The stack's iam_policy documents as the CI identity holds them, in declaration order.
    public static func policies(desired: DesiredState) throws -> [IAMPolicy] {
        try policyResources(desired).map { resource in
            try IAMPolicy(name: resource.attributes["name"]?.stringValue ?? resource.address.description,
                          document: resource.attributes["document"] ?? .null)
        }
    }

    /// The statements the tests use: the stack's policies without the CI commands' own `Sandbox…` statements.
    public static func testStatements(desired: DesiredState) -> [JSONValue] {
        policyResources(desired).flatMap { resource -> [JSONValue] in
            let statement = resource.attributes["document"]?.objectValue?["Statement"]
            let items = statement.map { $0.arrayValue ?? [$0] } ?? []
            return items.filter { !($0.objectValue?["Sid"]?.stringValue?.hasPrefix(sidPrefix) ?? false) }
        }
    }

    static func policyResources(_ desired: DesiredState) -> [DesiredResource] {
        desired.stack.resources.compactMap { desired.resources[$0.address] }.filter { $0.address.type == IAMPolicyKind.name }
    }

    /// One line naming the permissions an operation that was denied needs, from the declarations.
    static func needs(_ operation: String, in calls: [DeclaredCall]) -> String? {
        let matching = calls.filter { $0.operation == operation }
        guard let first = matching.first else { return nil }
        return Set(matching.map(\.action)).sorted().joined(separator: " and ") + " on \(first.resource)"
    }
}

extension ReadinessChecker {
    /// `--probe`: a put, read and delete under a fresh `sandbox-probe-…/` folder of the run root, a listing of that
    /// folder (and of its versions, each deleted by id), and a Glue database created and dropped under the prefix.
    public static func probeCalls(settings: RunSettings, region: String, account: String) -> [DeclaredCall] {
        let key = settings.root + "sandbox-probe-*"
        var calls = ["PutObject", "GetObject", "DeleteObject"].flatMap { S3Permissions.object($0, settings.bucket, key: key, region: region) }
        calls += S3Permissions.list(settings.bucket, prefix: key, region: region)
        // In a versioned bucket the probe also lists its folder's versions and deletes each by version id.
        calls += S3Permissions.list(settings.bucket, prefix: key, versions: true, region: region)
        calls += S3Permissions.deleteVersion(settings.bucket, key: key, region: region)
        let place = GluePermissions.Place(region: region, account: account)
        for operation in ["CreateDatabase", "DeleteDatabase", "GetDatabase"] {
            calls += GluePermissions.calls(operation, database: settings.gluePrefix + "sandbox_probe_*", in: place)
        }
        return calls
    }
}
