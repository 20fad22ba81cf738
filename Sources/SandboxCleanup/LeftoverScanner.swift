import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// A run whose data is still in the sandbox: its prefix under the run root and/or its Glue database.
public struct Leftover: Sendable, Codable, Equatable {
    public let runId: RunID
    /// When the run started: the time in its id, or what state recorded.
    public let startedAt: Date?
    public var hasPrefix: Bool
    public var hasDatabase: Bool

    public init(runId: RunID, startedAt: Date?, hasPrefix: Bool, hasDatabase: Bool) {
        self.runId = runId
        self.startedAt = startedAt
        self.hasPrefix = hasPrefix
        self.hasDatabase = hasDatabase
    }
}

/// Lists run prefixes (a delimiter listing under the root) and Glue databases with the prefix, and maps
/// them back to run ids. Anything that does not parse as a run id is reported and left alone.
public struct LeftoverScanner: Sendable {
    public let settings: RunSettings
    public let s3: S3Client
    public let glue: GlueClient

    public init(settings: RunSettings, client: AWSClient) {
        self.settings = settings
        self.s3 = S3Client(client)
        self.glue = GlueClient(client)
    }

    public func scan(recorded: [RunID: Date]) async throws -> (runs: [Leftover], ignored: [String]) {
        async let prefixes = listPrefixes()
        async let databases = listDatabases()
        var byRun: [RunID: Leftover] = [:]
        var ignored: [String] = []
        func note(_ runId: RunID) -> Leftover {
            byRun[runId] ?? Leftover(runId: runId, startedAt: RunIdentifier.timestamp(in: runId.rawValue) ?? recorded[runId],
                                     hasPrefix: false, hasDatabase: false)
        }
        for name in try await prefixes {
            guard let scope = settings.scope(ifRun: name) else {
                ignored.append("s3://\(settings.bucket)/\(settings.root)\(name)/ (not a run id)")
                continue
            }
            var leftover = note(scope.runId)
            leftover.hasPrefix = true
            byRun[scope.runId] = leftover
        }
        let knownIds = Set(byRun.keys).union(recorded.keys)
        for database in try await databases {
            let known = knownIds.first { RunScope.databaseName(gluePrefix: settings.gluePrefix, runId: $0.rawValue) == database }
            let found = known.map { settings.scope(ifRun: $0.rawValue) } ?? restore(String(database.dropFirst(settings.gluePrefix.count)))
            guard let scope = found else {
                ignored.append("Glue database \(database) (not a run id)")
                continue
            }
            var leftover = note(scope.runId)
            leftover.hasDatabase = true
            byRun[scope.runId] = leftover
        }
        return (byRun.values.sorted { $0.runId < $1.runId }, ignored.sorted())
    }

    func listPrefixes() async throws -> [String] {
        var names: [String] = []
        for try await page in s3.objectPages(bucket: settings.bucket, prefix: settings.root, delimiter: "/") {
            for prefix in page.commonPrefixes where prefix.hasPrefix(settings.root) && prefix.hasSuffix("/") {
                names.append(String(prefix.dropFirst(settings.root.count).dropLast()))
            }
        }
        return names
    }

    func listDatabases() async throws -> [String] {
        var names: [String] = []
        for try await page in glue.databasePages() {
            names.append(contentsOf: page.map(\.name).filter { $0.hasPrefix(settings.gluePrefix) })
        }
        return names
    }

    /// Database names lower-case the run id and turn dashes into underscores; try the likely originals.
    func restore(_ suffix: String) -> RunScope? {
        let dashed = suffix.replacingOccurrences(of: "_", with: "-")
        var candidates = [dashed, dashed.uppercased()]
        // Timestamps keep their upper-case T and Z: 20260101t120000z -> 20260101T120000Z.
        if let range = dashed.range(of: "[0-9]{8}t[0-9]{6}z", options: .regularExpression) {
            candidates.append(dashed.replacingCharacters(in: range, with: dashed[range].uppercased()))
        }
        return candidates.lazy.compactMap { settings.scope(ifRun: $0) }.first
    }
}
