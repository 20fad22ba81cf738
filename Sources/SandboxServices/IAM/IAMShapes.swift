import Foundation

/// A customer managed policy.
public struct ManagedPolicy: Sendable, Equatable, Hashable {
    public var arn: String
    public var name: String
    public var policyId: String
    public var path: String
    public var defaultVersionId: String
    public var attachmentCount: Int
    public var description: String?
    public var createDate: Date?

    public init(arn: String, name: String, policyId: String, path: String = "/", defaultVersionId: String = "v1",
                attachmentCount: Int = 0, description: String? = nil, createDate: Date? = nil) {
        self.arn = arn
        self.name = name
        self.policyId = policyId
        self.path = path
        self.defaultVersionId = defaultVersionId
        self.attachmentCount = attachmentCount
        self.description = description
        self.createDate = createDate
    }
}

/// One version of a managed policy. `document` is the JSON text (IAM sends it url-encoded; it is decoded here).
/// Listings leave the document out, so it is empty there.
public struct PolicyVersion: Sendable, Equatable, Hashable {
    public var versionId: String
    public var isDefault: Bool
    public var document: String
    public var createDate: Date?

    public init(versionId: String, isDefault: Bool, document: String = "", createDate: Date? = nil) {
        self.versionId = versionId
        self.isDefault = isDefault
        self.document = document
        self.createDate = createDate
    }
}

public struct IAMUser: Sendable, Equatable, Hashable {
    public var userName: String
    public var userId: String
    public var arn: String
    public var path: String
    public var createDate: Date?

    public init(userName: String, userId: String, arn: String, path: String = "/", createDate: Date? = nil) {
        self.userName = userName
        self.userId = userId
        self.arn = arn
        self.path = path
        self.createDate = createDate
    }
}

/// A managed policy attached to a user.
public struct AttachedPolicy: Sendable, Equatable, Hashable {
    public var name: String
    public var arn: String

    public init(name: String, arn: String) {
        self.name = name
        self.arn = arn
    }
}
