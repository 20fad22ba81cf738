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
    public let maxPasses: Int
    public let keyRetries: Int
    public let progress: CleanupProgress?
    public let sleeper: Sleeper
    /// The account, for the Glue ARNs an AccessDenied names.
    public var accountId: String?

    public init(scope: RunScope, client: AWSClient, deletesInFlight: Int = 4, maxPasses: Int = 3, keyRetries: Int = 3,
                progress: CleanupProgress? = nil) {
        self.scope = scope
        self.s3 = S3Client(client)
        self.glue = GlueClient(client)
        self.stats = client.stats
        self.deletesInFlight = max(1, deletesInFlight)
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

    func sweepS3(versioned: Bool, tally: Tally) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            func submit(_ batch: [ObjectIdentifier], kinds: [EntryKind], sizes: [Int64]) async throws {
                guard !batch.isEmpty else { return }
                if inFlight >= deletesInFlight {
                    try await group.next()
                    inFlight -= 1
                }
                inFlight += 1
                group.addTask { try await self.deleteBatch(batch, kinds: kinds, sizes: sizes, tally: tally) }
            }
            if versioned {
                var keyMarker: String?
                var versionMarker: String?
                repeat {
                    let page = try await s3.listObjectVersions(bucket: scope.bucket, prefix: scope.prefix, keyMarker: keyMarker, versionIdMarker: versionMarker, maxKeys: 1000)
                    var batch: [ObjectIdentifier] = [], kinds: [EntryKind] = [], sizes: [Int64] = []
                    for version in page.versions {
                        guard scope.contains(key: version.key) else { await tally.refuse(version.key); continue }
                        batch.append(ObjectIdentifier(key: version.key, versionId: version.versionId))
                        kinds.append(version.isDeleteMarker ? .marker : .version)
                        sizes.append(Int64(version.size))
                    }
                    try await submit(batch, kinds: kinds, sizes: sizes)
                    keyMarker = page.isTruncated ? page.nextKeyMarker : nil
                    versionMarker = page.isTruncated ? page.nextVersionIdMarker : nil
                } while keyMarker != nil
            } else {
                var token: String?
                repeat {
                    let page = try await s3.listObjectsV2(bucket: scope.bucket, prefix: scope.prefix, delimiter: nil, continuationToken: token, maxKeys: 1000)
                    var batch: [ObjectIdentifier] = [], sizes: [Int64] = []
                    for object in page.objects {
                        guard scope.contains(key: object.key) else { await tally.refuse(object.key); continue }
                        batch.append(ObjectIdentifier(key: object.key, versionId: nil))
                        sizes.append(Int64(object.size))
                    }
                    try await submit(batch, kinds: Array(repeating: .object, count: batch.count), sizes: sizes)
                    token = page.isTruncated ? page.nextContinuationToken : nil
                } while token != nil
            }
            try await group.waitForAll()
        }
        try await abortUploads(tally: tally)
    }

    enum EntryKind: Sendable { case object, version, marker }

    func deleteBatch(_ batch: [ObjectIdentifier], kinds: [EntryKind], sizes: [Int64], tally: Tally) async throws {
        var pending = batch
        var attempt = 0
        var lastErrors: [DeleteObjectError] = []
        let index = Dictionary(zip(batch.map { "\($0.key)\u{0}\($0.versionId ?? "")" }, zip(kinds, sizes)), uniquingKeysWith: { a, _ in a })
        while !pending.isEmpty {
            // The last fence before a delete: every key in the request must be inside the run's prefix.
            if let outside = pending.first(where: { !scope.contains(key: $0.key) }) {
                throw SimpleError(.internal, "refusing to delete \(outside.key.debugDescription): it is outside \(scope.s3URI)")
            }
            let response = try await s3.deleteObjects(bucket: scope.bucket, pending, quiet: true)
            let failed = Set(response.errors.map { "\($0.key)\u{0}\($0.versionId ?? "")" })
            var succeeded: [(EntryKind, Int64)] = []
            for id in pending where !failed.contains("\(id.key)\u{0}\(id.versionId ?? "")") {
                succeeded.append(index["\(id.key)\u{0}\(id.versionId ?? "")"] ?? (.object, 0))
            }
            await tally.add(succeeded)
            lastErrors = response.errors
            pending = pending.filter { failed.contains("\($0.key)\u{0}\($0.versionId ?? "")") }
            attempt += 1
            if pending.isEmpty || attempt > keyRetries { break }
            try await sleeper.sleep(seconds: min(4, 0.2 * pow(2, Double(attempt - 1))))
        }
        if !pending.isEmpty {
            await tally.fail(lastErrors.map { KeyFailure(key: $0.key, versionId: $0.versionId, code: $0.code, message: $0.message) })
        }
    }

    func abortUploads(tally: Tally) async throws {
        var uploads: [MultipartUpload] = []
        for try await page in s3.uploadPages(bucket: scope.bucket, prefix: scope.prefix) {
            for upload in page.uploads {
                if scope.contains(key: upload.key) { uploads.append(upload) } else { await tally.refuse(upload.key) }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for upload in uploads {
                if inFlight >= deletesInFlight { try await group.next(); inFlight -= 1 }
                inFlight += 1
                group.addTask {
                    do {
                        try await self.s3.abortMultipartUpload(bucket: self.scope.bucket, key: upload.key, uploadId: upload.uploadId)
                    } catch let error as AWSError where error.code == "NoSuchUpload" {
                        return
                    }
                    await tally.aborted()
                }
            }
            try await group.waitForAll()
        }
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

/// Running totals shared by concurrent delete batches.
actor Tally {
    var objects = 0, versions = 0, markers = 0, uploads = 0
    var bytes: Int64 = 0
    var failures: [KeyFailure] = []
    var refused: [String] = []
    let progress: CleanupProgress?
    let started: Date

    init(progress: CleanupProgress?, started: Date) {
        self.progress = progress
        self.started = started
    }

    func add(_ entries: [(CleanupEngine.EntryKind, Int64)]) {
        for (kind, size) in entries {
            switch kind {
            case .object: objects += 1
            case .version: versions += 1
            case .marker: markers += 1
            }
            bytes += size
        }
        progress?.deleted(objects: objects + versions + markers, bytes: bytes, elapsed: Date().timeIntervalSince(started))
    }

    func aborted() { uploads += 1 }
    func fail(_ items: [KeyFailure]) { failures.append(contentsOf: items) }
    func refuse(_ key: String) { refused.append(key) }

    func snapshot() -> (objects: Int, versions: Int, markers: Int, uploads: Int, bytes: Int64, failures: [KeyFailure], refused: [String]) {
        (objects, versions, markers, uploads, bytes, failures, refused)
    }
}
