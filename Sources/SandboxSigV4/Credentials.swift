import Foundation

/// An AWS access key pair, optionally temporary. Its description never shows the secret parts.
public struct Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public let expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// True when the credentials expire within `margin` seconds of `now`.
    public func expires(within margin: TimeInterval, of now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= margin
    }

    public var description: String {
        let id = accessKeyId.count > 4 ? "…" + accessKeyId.suffix(4) : "****"
        return "Credentials(accessKeyId: \(id), secret: ****\(sessionToken == nil ? "" : ", sessionToken: ****"))"
    }

    public var debugDescription: String { description }
}
