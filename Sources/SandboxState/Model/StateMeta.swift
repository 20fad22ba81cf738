import Foundation

/// The header of a state file: which schema, which lineage, how many writes.
public struct StateMeta: Sendable, Codable, Hashable {
    /// The schema version the file is at.
    public var schemaVersion: Int
    /// A UUID made when the file was created; it never changes, so two files with different lineages are unrelated.
    public var lineage: String
    /// Bumped by one in the same transaction as every change to resources, runs or cleanups.
    public var serial: Int
    /// The version of the sandbox that last changed the state.
    public var writerVersion: String
    /// When the file was created.
    public var createdAt: Date

    public init(schemaVersion: Int, lineage: String, serial: Int, writerVersion: String, createdAt: Date) {
        self.schemaVersion = schemaVersion
        self.lineage = lineage
        self.serial = serial
        self.writerVersion = writerVersion
        self.createdAt = createdAt
    }
}

/// Everything `sandbox state list/show` displays, read in one consistent transaction.
public struct StateSnapshot: Sendable, Codable, Hashable {
    /// The file's path.
    public var path: String
    /// The file's header.
    public var meta: StateMeta
    /// Every resource, by address.
    public var resources: [ResourceRecord]
    /// Every run, oldest first.
    public var runs: [RunRecord]
    /// The lock, when someone holds it.
    public var lock: LockInfo?
    /// Journal `started` lines with no outcome: calls interrupted mid-flight.
    public var unfinishedJournal: [JournalEntry]

    public init(
        path: String, meta: StateMeta, resources: [ResourceRecord], runs: [RunRecord],
        lock: LockInfo?, unfinishedJournal: [JournalEntry]
    ) {
        self.path = path
        self.meta = meta
        self.resources = resources
        self.runs = runs
        self.lock = lock
        self.unfinishedJournal = unfinishedJournal
    }
}
