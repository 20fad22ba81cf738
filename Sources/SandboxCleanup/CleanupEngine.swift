import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// Deletes exactly one run's data and proves it is gone.
///
/// S3: list a page, hand its keys (each checked against the scope) to a DeleteObjects batch, and list the
/// next page while the batch is deleted, with a bounded number of batches in flight. Glue: `GlueSweep`, every letter
/// case of the run's database. Then verify by listing, sweeping again a bounded number of times.
public struct CleanupEngine: Sendable {
    public let scope: RunScope
    public let s3: S3Client
    public let glue: GlueClient
    public let stats: RequestStats
    public let deletesInFlight: Int
    /// Pacing of DeleteObjects (window, AIMD, the no-progress bound).
    public let rate: AdaptiveDeleteRate.Settings
    /// Listings of the fan-out (the run prefix's common prefixes) in flight at once.
    public let listingsInFlight: Int
    public let maxPasses: Int
    public let keyRetries: Int
    public let progress: CleanupProgress?
    public let sleeper: Sleeper
    /// The account, for the Glue ARNs an AccessDenied names.
    public var accountId: String?
    let monotonic: @Sendable () -> Double

    /// - Parameters:
    ///   - deletesInFlight: DeleteObjects in flight at the start; the rate controller widens it up to `rate.maxWindow`.
    public init(scope: RunScope, client: AWSClient, deletesInFlight: Int = 4, maxPasses: Int = 3, keyRetries: Int = 3,
                progress: CleanupProgress? = nil, rate: AdaptiveDeleteRate.Settings = AdaptiveDeleteRate.Settings(),
                listingsInFlight: Int = 4, monotonic: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.scope = scope
        self.s3 = S3Client(client)
        self.glue = GlueClient(client)
        self.stats = client.stats
        self.deletesInFlight = max(1, deletesInFlight)
        var rate = rate
        rate.initialWindow = self.deletesInFlight
        rate.maxWindow = max(rate.maxWindow, rate.initialWindow)
        self.rate = rate
        self.listingsInFlight = max(1, listingsInFlight)
        self.monotonic = monotonic
        self.maxPasses = max(1, maxPasses)
        self.keyRetries = max(0, keyRetries)
        self.progress = progress
        self.sleeper = client.sleeper
    }

    /// Lists what the run holds without deleting anything.
    public func dryRun() async -> CleanupResult {
        var result = CleanupResult()
        result.dryRun = true
        let started = Date()
        let requestsBefore = stats.total
        do {
            result.versionedBucket = try await isVersioned()
            result.before = try await inventory(versioned: result.versionedBucket, samples: 10)
            result.alreadyClean = result.before?.isEmpty ?? false
        } catch {
            result.error = explainDenied(error) ?? error.oneLine
            result.errorCategory = error.failureCategory
        }
        result.requests = stats.total - requestsBefore
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Deletes the run's objects, versions, uploads, tables and database, then verifies.
    public func run() async -> CleanupResult {
        var result = CleanupResult()
        let started = Date()
        let requestsBefore = stats.total
        let tally = Tally(progress: progress, started: started)
        do {
            let versioned = try await isVersioned()
            result.versionedBucket = versioned
            var pass = 0
            while true {
                pass += 1
                async let s3Sweep: Void = sweepS3(versioned: versioned, tally: tally)
                async let glueSweep: (Int, [String]) = sweepGlue()
                try await s3Sweep
                let (tables, dropped) = try await glueSweep
                result.tablesDeleted += tables
                result.databaseDeleted = result.databaseDeleted || !dropped.isEmpty
                if !dropped.isEmpty { result.databasesRemoved = Array(Set((result.databasesRemoved ?? []) + dropped)).sorted() }
                result.remaining = try await inventory(versioned: versioned, samples: 10)
                // Objects can appear while a test is still writing: sweep again, a bounded number of times.
                if result.remaining.isEmpty || pass >= maxPasses { break }
            }
            result.passes = pass
        } catch {
            result.error = explainDenied(error) ?? error.oneLine
            result.errorCategory = error.failureCategory
            if let remaining = try? await inventory(versioned: result.versionedBucket, samples: 10) { result.remaining = remaining }
            else { result.remaining.databasePresent = true; result.remaining.objects = -1 }
        }
        let counts = await tally.snapshot()
        result.objectsDeleted = counts.objects
        result.versionsDeleted = counts.versions
        result.deleteMarkersDeleted = counts.markers
        result.bytesDeleted = counts.bytes
        result.uploadsAborted = counts.uploads
        result.keyFailures = counts.failures
        result.refusedKeys = counts.refused
        let pacing = await tally.pacing()
        result.throttles = pacing.throttles
        result.deleteRate = pacing.rate
        result.alreadyClean = result.error == nil && counts.objects + counts.versions + counts.markers + counts.uploads == 0
            && result.tablesDeleted == 0 && !result.databaseDeleted && result.remaining.isEmpty
        result.requests = stats.total - requestsBefore
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    func isVersioned() async throws -> Bool {
        // A bucket that ever had versioning may hold old versions and delete markers even when suspended.
        try await s3.getBucketVersioning(scope.bucket) != .unversioned
    }

    // MARK: S3

    /// Deletes the run's objects, versions and delete markers (S3Sweep), then its multipart uploads.
    func sweepS3(versioned: Bool, tally: Tally) async throws {
        let sweep = S3Sweep(scope: scope, s3: s3, settings: rate, listingsInFlight: listingsInFlight, keyRetries: keyRetries,
                            sleeper: sleeper, monotonic: monotonic, tally: tally)
        let controller = try await sweep.run(versioned: versioned)
        await tally.finishSweep(controller, now: monotonic())
        try await sweep.abortUploads()
    }

    // MARK: Glue

    /// Returns (tables deleted, names of the databases removed); see `GlueSweep`.
    func sweepGlue() async throws -> (Int, [String]) {
        let (tables, removed) = try await GlueSweep(glue: glue, scope: scope).sweep()
        return (tables, removed)
    }

    // MARK: Verification

    /// Lists what is left under the prefix and whether the database exists.
    func inventory(versioned: Bool, samples: Int) async throws -> RunInventory {
        var inventory = RunInventory()
        if versioned {
            for try await page in s3.versionPages(bucket: scope.bucket, prefix: scope.prefix) {
                for version in page.versions where scope.contains(key: version.key) {
                    if version.isDeleteMarker { inventory.deleteMarkers += 1 } else {
                        inventory.versions += 1
                        if version.isLatest { inventory.objects += 1 }
                        inventory.bytes += Int64(version.size)
                    }
                    if inventory.sampleKeys.count < samples, !inventory.sampleKeys.contains(version.key) { inventory.sampleKeys.append(version.key) }
                }
            }
        } else {
            for try await page in s3.objectPages(bucket: scope.bucket, prefix: scope.prefix, delimiter: nil) {
                for object in page.objects where scope.contains(key: object.key) {
                    inventory.objects += 1
                    inventory.bytes += Int64(object.size)
                    if inventory.sampleKeys.count < samples { inventory.sampleKeys.append(object.key) }
                }
            }
        }
        for try await page in s3.uploadPages(bucket: scope.bucket, prefix: scope.prefix) {
            inventory.uploads += page.uploads.filter { scope.contains(key: $0.key) }.count
        }
        try await GlueSweep(glue: glue, scope: scope).inventory(into: &inventory, samples: samples)
        return inventory
    }
}
