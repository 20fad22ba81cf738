import Foundation
import SandboxCore

/// Where a test run stands with respect to its cleanup.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    /// The run's data may still exist.
    case open
    /// Cleanup ran and verified that nothing of the run is left.
    case cleaned
    /// Cleanup ran and something is left; see the cleanup report.
    case cleanupFailed = "cleanup-failed"
}

/// One test run against the sandbox: the scope cleanup deletes.
public struct RunRecord: Sendable, Codable, Hashable {
    /// The run's id, unique within the state file.
    public var runId: RunID
    /// The workspace the run belongs to.
    public var workspace: String
    /// The S3 prefix the run writes under, when it uses S3.
    public var s3Prefix: String?
    /// The Glue database the run creates tables in, when it uses Glue.
    public var glueDatabase: String?
    /// When the run started.
    public var startedAt: Date
    /// Where the run stands.
    public var status: RunStatus
    /// When the run finished (or its cleanup did).
    public var finishedAt: Date?
    /// Where the run's report was written.
    public var reportPath: String?
    /// The test outcome as reported by the test runner (counts, failures), when known.
    public var testResult: JSONValue?

    public init(
        runId: RunID,
        workspace: String,
        s3Prefix: String? = nil,
        glueDatabase: String? = nil,
        startedAt: Date,
        status: RunStatus = .open,
        finishedAt: Date? = nil,
        reportPath: String? = nil,
        testResult: JSONValue? = nil
    ) {
        self.runId = runId
        self.workspace = workspace
        self.s3Prefix = s3Prefix
        self.glueDatabase = glueDatabase
        self.startedAt = startedAt
        self.status = status
        self.finishedAt = finishedAt
        self.reportPath = reportPath
        self.testResult = testResult
    }
}
