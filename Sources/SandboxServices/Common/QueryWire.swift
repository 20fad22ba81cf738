import Foundation
import SandboxSigV4

/// Value parsing shared by the Query-protocol services (IAM, STS).
enum QueryWire {
    static func bool(_ text: String?) -> Bool? {
        switch text?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    static func int(_ text: String?) -> Int? {
        text.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// IAM returns policy documents percent-encoded (RFC 3986); a document that already reads as JSON
    /// (some emulators) is kept as it is, so a literal `%` in it survives.
    static func policyDocument(_ raw: String) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") || !raw.contains("%") { return raw }
        return URIEncoding.decode(raw)
    }
}
