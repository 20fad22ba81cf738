import Foundation

/// The outcome a journal line records.
public enum JournalOutcome: String, Sendable, Codable, CaseIterable {
    /// The call is about to be made.
    case started
    /// The call succeeded.
    case ok
    /// The call failed.
    case failed
}

/// One line of the append-only journal of AWS calls that change something.
///
/// A call is two lines: `started` before it is sent, then `ok` or `failed` pointing back with `startId`.
/// A `started` line with no follow-up means sandbox stopped mid-call and the target's real state is unknown.
public struct JournalEntry: Sendable, Codable, Hashable {
    /// Increasing with time.
    public var id: Int64
    /// When the line was written.
    public var at: Date
    /// The AWS operation, such as `S3:CreateBucket`.
    public var operation: String
    /// What it acts on: a resource address, bucket name or prefix.
    public var target: String
    /// The outcome this line records.
    public var outcome: JournalOutcome
    /// The AWS request id, when AWS returned one.
    public var requestId: String?
    /// A short, secret-free detail, such as the error code and message.
    public var detail: String?
    /// For an `ok` or `failed` line, the id of its `started` line.
    public var startId: Int64?

    public init(
        id: Int64, at: Date, operation: String, target: String, outcome: JournalOutcome,
        requestId: String? = nil, detail: String? = nil, startId: Int64? = nil
    ) {
        self.id = id
        self.at = at
        self.operation = operation
        self.target = target
        self.outcome = outcome
        self.requestId = requestId
        self.detail = detail
        self.startId = startId
    }
}
