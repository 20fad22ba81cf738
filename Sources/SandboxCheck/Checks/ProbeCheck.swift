import Foundation
import SandboxAWS
import SandboxCleanup
import SandboxCore
import SandboxEngine
import SandboxPolicy
import SandboxServices

/// `--probe`: puts, reads and deletes a small object under a fresh probe folder and creates and drops a Glue
/// database; whatever it created is removed again even when a step fails.
struct ProbeCheck: ReadinessCheck {
    var name: CheckName { .accessProbe }
    var requires: Set<CheckName> { [.stack] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let evaluation = try context.evaluation()
        guard let settings = evaluation.settings else { return CheckOutcome(.skip(name, "the stack declares no runs: section")) }
        let scheme = try settings.get()
        let result: CheckResult
        do {
            result = try await probe(scheme, context: evaluation.provider, now: context.clock.now())
        } catch {
            result = .failed(name, error)
        }
        return CheckOutcome(result, bucket: scheme.bucket)
    }

    func probe(_ scheme: RunSettings, context: ProviderContext, now: Date) async throws -> CheckResult {
        let stamp = RunIdentifier.mint(template: "{timestamp}", at: now).lowercased()
        let folder = "\(scheme.root)sandbox-probe-\(stamp)-\(UInt32.random(in: 0...UInt32.max))/"
        let key = folder + "probe.txt"
        let database = "\(scheme.gluePrefix)sandbox_probe_\(stamp)_\(UInt32.random(in: 0...UInt32.max))"
        if let problem = try await roundTrip(bucket: scheme.bucket, key: key, database: database, context: context) { return problem }
        // In a versioned bucket the delete only added a delete marker: remove every version and marker by id.
        let purged = try await purgeVersions(bucket: scheme.bucket, folder: folder, context: context)
        let left = try await leftovers(bucket: scheme.bucket, folder: folder, context: context)
        let dbLeft = try await context.glue.getDatabase(name: database) != nil
        guard left.isEmpty, !dbLeft else {
            return CheckResult(name: name.description, status: .fail,
                               detail: "the probe left data behind (\(left.joined(separator: ", ")), database \(dbLeft ? "present" : "absent")) under s3://\(scheme.bucket)/\(folder)", category: .aws)
        }
        let versions = purged > 0 ? " and its \(purged) version(s) and delete marker(s)" : ""
        return CheckResult(name: name.description, status: .pass,
                           detail: "put, read and deleted s3://\(scheme.bucket)/\(key)\(versions); created and deleted Glue database \(database); nothing left behind")
    }

    /// The object put, read back and deleted, the database created and dropped; a failure line when the bytes differ.
    func roundTrip(bucket: String, key: String, database: String, context: ProviderContext) async throws -> CheckResult? {
        let body = Data("sandbox access probe".utf8)
        var wroteObject = false
        var createdDatabase = false
        do {
            // Marked before each call: a call whose answer was lost (a timeout, a reset) may still have acted.
            wroteObject = true
            _ = try await context.s3.putObject(bucket: bucket, key: key, body: body, contentType: "text/plain", ifNoneMatch: nil, ifMatch: nil)
            let read = try await context.s3.getObject(bucket: bucket, key: key)
            guard read.body == body else {
                try? await context.s3.deleteObject(bucket: bucket, key: key)
                return CheckResult(name: name.description, status: .fail, detail: "read back different bytes from s3://\(bucket)/\(key)", category: .aws)
            }
            try await context.s3.deleteObject(bucket: bucket, key: key)
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
            if wroteObject { try? await context.s3.deleteObject(bucket: bucket, key: key) }
            if createdDatabase { try? await context.glue.deleteDatabase(name: database) }
            throw error
        }
        return nil
    }

    /// Deletes by version id every version and delete marker under the probe's own folder; returns how many.
    func purgeVersions(bucket: String, folder: String, context: ProviderContext) async throws -> Int {
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
    func leftovers(bucket: String, folder: String, context: ProviderContext) async throws -> [String] {
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

    /// A put, read and delete under a fresh `sandbox-probe-…/` folder of the run root, a listing of that folder (and
    /// of its versions, each deleted by id), and a Glue database created and dropped under the prefix.
    static func declaredCalls(settings: RunSettings, region: String, account: String) -> [DeclaredCall] {
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
