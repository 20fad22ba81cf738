import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// Deletes everything a run holds in S3: listings fanned out over the run prefix's common prefixes and over key
/// ranges of a prefix with many pages (`KeyRangeSplit`; a bounded number in flight), keys gathered into full
/// 1,000-key DeleteObjects batches, sent at the rate S3 admits (`AdaptiveDeleteRate`). Every key is checked against the scope when listed and again before it is sent.
///
/// Memory stays flat: listings pause while more than `bufferedKeysLimit` keys wait for a delete slot.
struct S3Sweep: Sendable {
    let scope: RunScope
    let s3: S3Client
    let settings: AdaptiveDeleteRate.Settings
    let listingsInFlight: Int
    let keyRetries: Int
    let sleeper: Sleeper
    let monotonic: @Sendable () -> Double
    let tally: Tally

    /// A key (or version) to delete, with what the report counts for it.
    struct Entry: Sendable {
        let id: ObjectIdentifier
        let kind: EntryKind
        let size: Int64
    }

    enum EntryKind: Sendable { case object, version, marker }

    /// One listing call still to make: a prefix, whether to group by `/` (the fan-out), where to resume, and the
    /// key range it covers: keys after `startAfter` (first call only) up to and including `through`.
    struct ListingJob: Sendable {
        let prefix: String
        let delimited: Bool
        var token: String?
        var versionMarker: String?
        var startAfter: String?
        var through: String?
        /// Pages this range has listed: a range is split only once it has shown a second full page.
        var pages = 0
    }

    struct Listed: Sendable {
        var entries: [Entry] = []
        var refused: [String] = []
        var jobs: [ListingJob] = []
        /// Key ranges this listing was allowed to start but did not.
        var unusedSplits = 0
    }

    enum Event: Sendable {
        case listed(Listed)
        case deleted(keys: Int, sentAt: Double)
        /// S3 throttled the request (or some of its keys): `rest` goes back in the queue.
        case throttled(rest: [Entry], deleted: Int, sentAt: Double)
    }

    /// Keys listed but not yet sent: enough for half the widest window plus a page from each listing in flight. Each
    /// key held costs about 150 bytes, and a full window holds as many again in its requests.
    var bufferedKeysLimit: Int { (settings.maxWindow / 2 + listingsInFlight + 2) * S3Client.maxKeysPerDelete }

    /// Lists and deletes until every listing is exhausted; returns the delete rate controller's final state.
    func run(versioned: Bool) async throws -> AdaptiveDeleteRate {
        var rate = AdaptiveDeleteRate(settings: settings, now: monotonic())
        var jobs = [ListingJob(prefix: scope.prefix, delimited: true)]
        var buffer: [Entry] = []
        var ready: [[Entry]] = []
        var listing = 0, deleting = 0
        var listedKeys = 0
        // Every key range costs at most one request beyond ceil(N/1,000) (the page it ends in): bounded here.
        var splitsLeft = 4 * listingsInFlight
        let batchSize = S3Client.maxKeysPerDelete
        try await withThrowingTaskGroup(of: Event.self) { group in
            while true {
                while listing < listingsInFlight, buffer.count + ready.count * batchSize < bufferedKeysLimit, let job = jobs.popLast() {
                    listing += 1
                    // Split only while fewer ranges are open than two per listing slot, so slots never idle.
                    let open = jobs.count + listing
                    let splits = job.pages >= 1 && !versioned ? min(splitsLeft, max(0, 2 * listingsInFlight - open), 15) : 0
                    splitsLeft -= splits
                    group.addTask { .listed(try await list(job, versioned: versioned, splits: splits)) }
                }
                while buffer.count >= batchSize {
                    ready.append(Array(buffer.prefix(batchSize)))
                    buffer.removeFirst(batchSize)
                }
                // A partial batch waits for more keys until nothing more can come: requests stay at ceil(N/1,000).
                if listing == 0, jobs.isEmpty, !buffer.isEmpty {
                    ready.append(buffer)
                    buffer = []
                }
                while deleting < rate.window, !ready.isEmpty {
                    let batch = ready.removeLast()
                    let wait = rate.reserve(keys: batch.count, now: monotonic())
                    deleting += 1
                    group.addTask {
                        try await sleeper.sleep(seconds: wait)
                        return try await delete(batch)
                    }
                }
                if listing == 0, deleting == 0, jobs.isEmpty, ready.isEmpty, buffer.isEmpty { break }
                guard let event = try await group.next() else { break }
                let now = monotonic()
                switch event {
                case .listed(let listed):
                    listing -= 1
                    splitsLeft += listed.unusedSplits
                    buffer.append(contentsOf: listed.entries)
                    jobs.append(contentsOf: listed.jobs)
                    listedKeys += listed.entries.count
                    for key in listed.refused { await tally.refuse(key) }
                    await tally.listed(listedKeys, done: listing == 0 && jobs.isEmpty)
                case .deleted(let keys, _):
                    deleting -= 1
                    rate.succeeded(keys: keys, now: now)
                case .throttled(let rest, let deleted, let sentAt):
                    deleting -= 1
                    if deleted > 0 { rate.succeeded(keys: deleted, now: now) }
                    rate.throttled(sentAt: sentAt, now: now)
                    await tally.throttled(rate.throttles)
                    if rate.stalled(now: now) {
                        throw SimpleError(.aws, "S3 DeleteObjects on \(scope.s3URI): throttled (SlowDown) for \(Int(settings.stallTimeout))s without one key deleted, \(rest.count) key(s) of this batch left; run cleanup again later, or raise --stall-timeout")
                    }
                    ready.append(rest)
                }
            }
        }
        return rate
    }

    /// One listing page: its in-scope keys, the common prefixes to fan out to, and the page that follows, or, when
    /// `splits` allows, the rest of the range cut into key ranges listed side by side.
    func list(_ job: ListingJob, versioned: Bool, splits: Int = 0) async throws -> Listed {
        var out = Listed()
        let delimiter = job.delimited ? "/" : nil
        var prefixes: [String] = []
        var next: ListingJob?
        // An entry after `through` belongs to the next range: it is dropped here and ends this range.
        var beyond = false
        let inRange: (String) -> Bool = { key in
            guard let through = job.through, KeyRangeSplit.precedes(through, key) else { return true }
            beyond = true
            return false
        }
        var first: String?, last: String?
        if versioned {
            let page = try await s3.listObjectVersions(bucket: scope.bucket, prefix: job.prefix, delimiter: delimiter,
                                                       keyMarker: job.token ?? job.startAfter, versionIdMarker: job.versionMarker, maxKeys: 1000)
            out.entries.reserveCapacity(page.versions.count)
            for version in page.versions where inRange(version.key) {
                guard scope.contains(key: version.key) else { out.refused.append(version.key); continue }
                out.entries.append(Entry(id: ObjectIdentifier(key: version.key, versionId: version.versionId),
                                         kind: version.isDeleteMarker ? .marker : .version, size: Int64(version.size)))
            }
            prefixes = page.commonPrefixes.filter(inRange)
            if page.isTruncated, !beyond, let key = page.nextKeyMarker {
                next = ListingJob(prefix: job.prefix, delimited: job.delimited, token: key, versionMarker: page.nextVersionIdMarker,
                                  through: job.through, pages: job.pages + 1)
            }
            first = page.versions.first?.key
            last = page.versions.last?.key
        } else {
            let page = try await s3.listObjectsV2(bucket: scope.bucket, prefix: job.prefix, delimiter: delimiter,
                                                  continuationToken: job.token, startAfter: job.token == nil ? job.startAfter : nil,
                                                  maxKeys: 1000)
            out.entries.reserveCapacity(page.objects.count)
            for object in page.objects where inRange(object.key) {
                guard scope.contains(key: object.key) else { out.refused.append(object.key); continue }
                out.entries.append(Entry(id: ObjectIdentifier(key: object.key, versionId: nil), kind: .object, size: Int64(object.size)))
            }
            prefixes = page.commonPrefixes.filter(inRange)
            if page.isTruncated, !beyond, let token = page.nextContinuationToken {
                next = ListingJob(prefix: job.prefix, delimited: job.delimited, token: token, through: job.through, pages: job.pages + 1)
            }
            first = page.objects.first?.key
            last = page.objects.last?.key
        }
        // Keys and common prefixes come as two sorted lists: the page spans from the least first to the greatest last.
        if let head = prefixes.first, first.map({ KeyRangeSplit.precedes(head, $0) }) ?? true { first = head }
        if let tail = prefixes.last, last.map({ KeyRangeSplit.precedes($0, tail) }) ?? true { last = tail }
        for prefix in prefixes {
            // A common prefix outside the scope (an endpoint ignoring `prefix`) is never listed, let alone deleted.
            guard scope.contains(key: prefix), prefix != job.prefix else { out.refused.append(prefix); continue }
            out.jobs.append(ListingJob(prefix: prefix, delimited: false))
        }
        out.unusedSplits = splits
        if var next {
            if splits > 0, let first, let last, scope.contains(key: last) {
                let points = KeyRangeSplit.points(prefix: job.prefix, first: first, last: last, upper: job.through,
                                                  delimited: job.delimited, count: splits)
                out.unusedSplits = splits - points.count
                for (index, point) in points.enumerated() {
                    out.jobs.append(ListingJob(prefix: job.prefix, delimited: job.delimited, startAfter: point,
                                               through: index + 1 < points.count ? points[index + 1] : job.through))
                }
                if let point = points.first { next.through = point }
            }
            out.jobs.append(next)
        }
        return out
    }

    /// Deletes one batch, retrying keys S3 reported as failed a bounded number of times. A throttled request,
    /// or keys failed with SlowDown, come back as `.throttled` for the rate controller to re-send.
    func delete(_ batch: [Entry]) async throws -> Event {
        var pending = batch
        var attempt = 0
        var lastErrors: [DeleteObjectError] = []
        var deleted = 0
        let sentAt = monotonic()
        let feedback = ThrottleFeedback(callerRetriesThrottles: true) { _ in }
        while !pending.isEmpty {
            // The last fence before a delete: every key in the request must be inside the run's prefix.
            if let outside = pending.first(where: { !scope.contains(key: $0.id.key) }) {
                throw SimpleError(.internal, "refusing to delete \(outside.id.key.debugDescription): it is outside \(scope.s3URI)")
            }
            let response: DeleteObjectsResult
            do {
                let ids = pending.map(\.id)
                response = try await ThrottleFeedback.$current.withValue(feedback) {
                    try await s3.deleteObjects(bucket: scope.bucket, ids, quiet: true)
                }
            } catch let error as AWSError where ThrottleFeedback.isThrottle(error) {
                return .throttled(rest: pending, deleted: deleted, sentAt: sentAt)
            }
            if response.errors.isEmpty {
                await tally.add(pending)
                return .deleted(keys: deleted + pending.count, sentAt: sentAt)
            }
            var failed: [String: DeleteObjectError] = [:]
            for error in response.errors { failed["\(error.key)\u{0}\(error.versionId ?? "")"] = error }
            var succeeded: [Entry] = [], again: [Entry] = [], slowed: [Entry] = []
            for entry in pending {
                switch failed["\(entry.id.key)\u{0}\(entry.id.versionId ?? "")"]?.code {
                case nil: succeeded.append(entry)
                case "SlowDown"?: slowed.append(entry)
                default: again.append(entry)
                }
            }
            await tally.add(succeeded)
            deleted += succeeded.count
            lastErrors = response.errors.filter { $0.code != "SlowDown" }
            if !slowed.isEmpty {
                if !again.isEmpty, attempt >= keyRetries { await tally.fail(failures(lastErrors)); again = [] }
                return .throttled(rest: slowed + again, deleted: deleted, sentAt: sentAt)
            }
            pending = again
            attempt += 1
            if pending.isEmpty || attempt > keyRetries { break }
            try await sleeper.sleep(seconds: min(4, 0.2 * pow(2, Double(attempt - 1))))
        }
        if !pending.isEmpty { await tally.fail(failures(lastErrors)) }
        return .deleted(keys: deleted, sentAt: sentAt)
    }

    private func failures(_ errors: [DeleteObjectError]) -> [KeyFailure] {
        errors.map { KeyFailure(key: $0.key, versionId: $0.versionId, code: $0.code, message: $0.message) }
    }

    /// Aborts the run's multipart uploads, a bounded number at a time.
    func abortUploads() async throws {
        var uploads: [MultipartUpload] = []
        for try await page in s3.uploadPages(bucket: scope.bucket, prefix: scope.prefix) {
            for upload in page.uploads {
                if scope.contains(key: upload.key) { uploads.append(upload) } else { await tally.refuse(upload.key) }
            }
        }
        let limit = settings.initialWindow
        try await withThrowingTaskGroup(of: Void.self) { group in
            var inFlight = 0
            for upload in uploads {
                if inFlight >= limit { try await group.next(); inFlight -= 1 }
                inFlight += 1
                group.addTask {
                    do {
                        try await s3.abortMultipartUpload(bucket: scope.bucket, key: upload.key, uploadId: upload.uploadId)
                    } catch let error as AWSError where error.code == "NoSuchUpload" {
                        return
                    }
                    await tally.aborted()
                }
            }
            try await group.waitForAll()
        }
    }
}

/// What a sweep reports while it runs; the CLI renders it as a TTY line with rate and ETA.
public struct SweepProgress: Sendable, Equatable {
    public var deleted: Int
    public var bytes: Int64
    public var listed: Int
    /// True once every listing is exhausted, so `listed` is the total and the ETA is firm.
    public var listingDone: Bool
    public var throttles: Int
    public var elapsed: Double

    /// Keys a second since the start.
    public var rate: Double { elapsed > 0 ? Double(deleted) / elapsed : 0 }

    /// Seconds until the listed keys are deleted at the current rate; a lower bound while listing goes on.
    public var eta: Double? { rate > 0 ? Double(max(0, listed - deleted)) / rate : nil }
}

/// Running totals shared by concurrent delete batches.
actor Tally {
    var objects = 0, versions = 0, markers = 0, uploads = 0
    var bytes: Int64 = 0
    var failures: [KeyFailure] = []
    var refused: [String] = []
    var listedKeys = 0, listingDone = false, throttles = 0
    let progress: CleanupProgress?
    let started: Date

    init(progress: CleanupProgress?, started: Date) {
        self.progress = progress
        self.started = started
    }

    func add(_ entries: [S3Sweep.Entry]) {
        for entry in entries {
            switch entry.kind {
            case .object: objects += 1
            case .version: versions += 1
            case .marker: markers += 1
            }
            bytes += entry.size
        }
        report()
    }

    func listed(_ count: Int, done: Bool) {
        listedKeys = count
        listingDone = done
    }

    func throttled(_ count: Int) { throttles = count }

    var sweptThrottles = 0
    var sweptKeys = 0
    var sweptSeconds = 0.0

    /// Adds one sweep's pacing figures (a cleanup may sweep more than once).
    func finishSweep(_ controller: AdaptiveDeleteRate, now: Double) {
        sweptThrottles += controller.throttles
        sweptKeys += controller.keysDeleted
        sweptSeconds += controller.elapsed(now: now)
        throttles = 0
    }

    /// Throttled requests, and keys deleted a second while sweeping.
    func pacing() -> (throttles: Int, rate: Double) {
        (sweptThrottles + throttles, sweptSeconds > 0 ? Double(sweptKeys) / sweptSeconds : 0)
    }

    private func report() {
        guard let progress else { return }
        let deleted = objects + versions + markers
        let elapsed = Date().timeIntervalSince(started)
        progress.deleted(objects: deleted, bytes: bytes, elapsed: elapsed)
        progress.update(SweepProgress(deleted: deleted, bytes: bytes, listed: max(listedKeys, deleted), listingDone: listingDone,
                                      throttles: throttles, elapsed: elapsed))
    }

    func aborted() { uploads += 1 }
    func fail(_ items: [KeyFailure]) { failures.append(contentsOf: items) }
    func refuse(_ key: String) { refused.append(key) }

    func snapshot() -> (objects: Int, versions: Int, markers: Int, uploads: Int, bytes: Int64, failures: [KeyFailure], refused: [String]) {
        (objects, versions, markers, uploads, bytes, failures, refused)
    }
}
