import Foundation
import SandboxCore

/// The alpha-validation evidence of one run: what ran, where, what the tests said, and proof of cleanup.
public struct ValidationReport: Sendable, Codable {
    public enum Status: String, Sendable, Codable { case pass = "PASS", concerns = "DONE_WITH_CONCERNS", fail = "FAIL" }

    /// Why a run did not simply pass.
    public enum Classification: String, Sendable, Codable {
        case pass
        case product
        case credentialSetup = "credential/setup"
        case infrastructure
        case cleanup
    }

    public struct Cleanup: Sendable, Codable {
        public var dryRun: Bool
        public var alreadyClean: Bool
        public var objectsDeleted: Int
        public var versionsDeleted: Int
        public var deleteMarkersDeleted: Int
        public var uploadsAborted: Int
        public var tablesDeleted: Int
        public var databaseDeleted: Bool
        public var bytesDeleted: Int64
        public var requests: Int
        public var seconds: Double
        public var passes: Int
        public var objectsRemaining: Int
        public var uploadsRemaining: Int
        public var databasePresent: Bool
        public var remainingSample: [String]
        public var keyFailures: Int
        /// True when what remains could not be listed (cleanup stopped and the verification listing failed too).
        public var remainingUnknown: Bool?
        public var error: String?
        public var errorCategory: FailureCategory?
        public var sentence: String
        /// Requests S3 throttled (SlowDown, 503) during the sweep; nil in reports written before it was counted.
        public var throttles: Int?
        /// Keys deleted a second while sweeping S3.
        public var deleteRate: Double?

        public init(dryRun: Bool, alreadyClean: Bool, objectsDeleted: Int, versionsDeleted: Int, deleteMarkersDeleted: Int, uploadsAborted: Int,
                    tablesDeleted: Int, databaseDeleted: Bool, bytesDeleted: Int64, requests: Int, seconds: Double, passes: Int,
                    objectsRemaining: Int, uploadsRemaining: Int, databasePresent: Bool, remainingSample: [String], keyFailures: Int,
                    error: String?, errorCategory: FailureCategory?, sentence: String, remainingUnknown: Bool = false) {
            self.dryRun = dryRun
            self.alreadyClean = alreadyClean
            self.objectsDeleted = objectsDeleted
            self.versionsDeleted = versionsDeleted
            self.deleteMarkersDeleted = deleteMarkersDeleted
            self.uploadsAborted = uploadsAborted
            self.tablesDeleted = tablesDeleted
            self.databaseDeleted = databaseDeleted
            self.bytesDeleted = bytesDeleted
            self.requests = requests
            self.seconds = seconds
            self.passes = passes
            self.objectsRemaining = objectsRemaining
            self.uploadsRemaining = uploadsRemaining
            self.databasePresent = databasePresent
            self.remainingSample = remainingSample
            self.keyFailures = keyFailures
            self.remainingUnknown = remainingUnknown ? true : nil
            self.error = error
            self.errorCategory = errorCategory
            self.sentence = sentence
        }

        var proven: Bool { !dryRun && error == nil && !somethingRemains }

        /// Run data is (or may be) left: objects, uploads, the database, keys S3 refused, or an inventory that failed.
        var somethingRemains: Bool {
            objectsRemaining > 0 || uploadsRemaining > 0 || databasePresent || keyFailures > 0 || remainingUnknown == true
        }
    }

    public var runId: RunID
    public var workspace: String?
    public var accountId: String
    public var region: String
    public var bucket: String
    public var s3TestPrefix: String
    public var s3RunPrefix: String
    public var glueDatabasePrefix: String
    public var glueDatabase: String
    public var startedAt: Date?
    public var finishedAt: Date
    public var sandboxVersion: String
    public var stackFile: String
    public var stackSHA256: String
    /// nil when no JUnit file was given ("not provided").
    public var tests: [JUnitSummary]?
    public var cleanup: Cleanup
    public var classifications: [Classification] = []
    public var status: Status = .fail
    public var reasons: [String] = []

    public init(runId: RunID, workspace: String?, accountId: String, region: String, bucket: String, s3TestPrefix: String, s3RunPrefix: String,
                glueDatabasePrefix: String, glueDatabase: String, startedAt: Date?, finishedAt: Date, sandboxVersion: String,
                stackFile: String, stackSHA256: String, tests: [JUnitSummary]?, cleanup: Cleanup) {
        self.runId = runId
        self.workspace = workspace
        self.accountId = accountId
        self.region = region
        self.bucket = bucket
        self.s3TestPrefix = s3TestPrefix
        self.s3RunPrefix = s3RunPrefix
        self.glueDatabasePrefix = glueDatabasePrefix
        self.glueDatabase = glueDatabase
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.sandboxVersion = sandboxVersion
        self.stackFile = stackFile
        self.stackSHA256 = stackSHA256
        self.tests = tests
        self.cleanup = cleanup
        classify()
    }

    /// Decides the classification and overall status from the test and cleanup evidence.
    public mutating func classify() {
        var classes: [Classification] = []
        var reasons: [String] = []
        var fail = false
        var concerns = false
        if let error = cleanup.error {
            switch cleanup.errorCategory {
            case .credentials?, .usage?:
                classes.append(.credentialSetup)
            default:
                classes.append(.infrastructure)
            }
            reasons.append("cleanup stopped: \(error)")
            fail = true
        }
        if cleanup.dryRun {
            concerns = true
            reasons.append("dry run: nothing was deleted")
        } else if cleanup.remainingUnknown == true {
            classes.append(.cleanup)
            reasons.append("run data may remain after cleanup: what is left could not be listed")
            fail = true
        } else if cleanup.somethingRemains {
            // Only when something is actually left: a cleanup that stopped with nothing remaining is not a cleanup failure.
            classes.append(.cleanup)
            reasons.append("run data remains after cleanup (\(cleanup.objectsRemaining) object(s), \(cleanup.uploadsRemaining) upload(s), database \(cleanup.databasePresent ? "present" : "absent"))")
            fail = true
        }
        if let tests {
            let failed = tests.reduce(0) { $0 + $1.failures + $1.errors }
            let missing = tests.filter { $0.status != .parsed }
            if failed > 0 {
                classes.append(.product)
                reasons.append("\(failed) test(s) failed or errored")
                fail = true
            }
            for file in missing {
                classes.append(.credentialSetup)
                reasons.append("\(file.file): \(file.status.rawValue)\(file.problem.map { " (\($0))" } ?? "")")
                fail = true
            }
            if tests.allSatisfy({ $0.status == .parsed }), tests.reduce(0, { $0 + $1.tests }) == 0 {
                concerns = true
                reasons.append("the JUnit files hold no test cases")
            }
        } else {
            concerns = true
            reasons.append("no test result was provided (--junit)")
        }
        if classes.isEmpty { classes = [.pass] }
        self.classifications = classes
        self.reasons = reasons
        self.status = fail ? .fail : (concerns ? .concerns : .pass)
    }

    /// Deterministic pretty JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> ValidationReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ValidationReport.self, from: Data(text.utf8))
    }
}
