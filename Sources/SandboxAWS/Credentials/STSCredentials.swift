import Foundation
import SandboxCore
import SandboxSigV4

/// Reads the `<Credentials>` element that STS AssumeRole and AssumeRoleWithWebIdentity return.
enum STSCredentials {
    /// Extracts the temporary credentials from an `<…Result>` node; the error names only what is missing.
    static func parse(_ result: XMLNode, action: String) throws -> Credentials {
        guard let node = result.child("Credentials") ?? result.descendant("Credentials") else {
            throw CredentialProviderError("STS \(action) answered without a Credentials element")
        }
        let required = ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]
        let missing = required.filter { (node.string($0) ?? "").isEmpty }
        guard missing.isEmpty, let id = node.string("AccessKeyId"), let secret = node.string("SecretAccessKey"),
              let token = node.string("SessionToken"), let expirationText = node.string("Expiration") else {
            throw CredentialProviderError("STS \(action) answered credentials without \(missing.joined(separator: ", "))")
        }
        guard let expiration = Timestamp.iso8601(expirationText) else {
            throw CredentialProviderError("STS \(action) answered an Expiration that is not an ISO 8601 time")
        }
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// Checks `duration_seconds` against STS's limits (15 minutes to 12 hours).
    static func duration(_ text: String?, location: String) throws -> Int? {
        guard let text else { return nil }
        guard let seconds = Int(text), (900...43_200).contains(seconds) else {
            throw CredentialProviderError("\(location): duration_seconds must be an integer from 900 to 43200, got '\(text)'")
        }
        return seconds
    }
}

/// Timestamp formats found in credential responses and caches.
enum Timestamp {
    /// ISO 8601 with or without fractional seconds; also the `…UTC` suffix older AWS CLI SSO caches wrote.
    static func iso8601(_ text: String) -> Date? {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.hasSuffix("UTC") { value = String(value.dropLast(3)) + "Z" }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: value) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: value)
    }

    static func string(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
