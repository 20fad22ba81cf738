import Foundation
import SandboxCore

/// A failure reading or writing a state file; always category `.state`, always one line.
public struct StateError: SandboxError, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The file was written by a newer sandbox whose schema this build does not know.
        case newerSchema(found: Int, supported: Int)
        /// The file exists but is not an SQLite database.
        case notADatabase
        /// The file is an SQLite database but not a sandbox state file.
        case notAStateFile
        /// No file at the path, and the caller asked not to create one.
        case missing
        /// Another process kept the database busy past the busy timeout.
        case busy
        /// The file is damaged or holds values this build cannot read.
        case corrupt(String)
        /// A run, resource or journal entry the caller named does not exist.
        case notFound(String)
        /// The record already exists.
        case conflict(String)
        /// The caller passed a value the store cannot accept.
        case invalid(String)
        /// The lock this handle held was removed or taken over by someone else.
        case lockLost
        /// The file system refused (directory creation, permissions).
        case io(String)
        /// Any other SQLite error.
        case database(String)
    }

    /// The state file concerned.
    public let path: String
    /// What went wrong.
    public let kind: Kind

    public init(path: String, _ kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var category: FailureCategory { .state }

    public var userMessage: String {
        let text: String
        switch kind {
        case .newerSchema(let found, let supported):
            text = "state file \(path) has schema version \(found), this sandbox understands up to \(supported); upgrade sandbox"
        case .notADatabase:
            text = "\(path) is not a sandbox state file (not an SQLite database); move it aside or choose another state path"
        case .notAStateFile:
            text = "\(path) is an SQLite database but not a sandbox state file; move it aside or choose another state path"
        case .missing:
            text = "no state file at \(path); nothing has been applied for this stack yet"
        case .busy:
            text = "state file \(path) stayed busy (another sandbox process is writing it); try again"
        case .corrupt(let detail):
            text = "state file \(path) is corrupt: \(detail); restore it or move it aside"
        case .notFound(let what):
            text = "\(what) not found in state file \(path)"
        case .conflict(let what):
            text = "\(what) already exists in state file \(path)"
        case .invalid(let detail):
            text = "invalid state update for \(path): \(detail)"
        case .lockLost:
            text = "lost the lock on state file \(path) (was `sandbox state unlock` run?); stop and re-run"
        case .io(let detail):
            text = "cannot use state file \(path): \(detail)"
        case .database(let detail):
            text = "state file \(path): SQLite error: \(detail)"
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
