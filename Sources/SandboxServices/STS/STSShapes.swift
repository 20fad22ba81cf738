import Foundation
import SandboxSigV4

/// Who the caller is (`GetCallerIdentity`).
public struct CallerIdentity: Sendable, Equatable, Hashable {
    public var account: String
    public var arn: String
    public var userId: String

    public init(account: String, arn: String, userId: String) {
        self.account = account
        self.arn = arn
        self.userId = userId
    }
}

/// Temporary credentials for an assumed role, with their expiration.
public struct AssumedRole: Sendable, Equatable {
    public var credentials: Credentials
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    public var assumedRoleArn: String
    /// `ROLEID:SESSION`.
    public var assumedRoleId: String

    public init(credentials: Credentials, assumedRoleArn: String, assumedRoleId: String = "") {
        self.credentials = credentials
        self.assumedRoleArn = assumedRoleArn
        self.assumedRoleId = assumedRoleId
    }
}
