import Foundation

/// Finds secrets in text before it is written anywhere: the values of the credentials in use, and
/// anything shaped like an AWS secret access key or session token.
public enum SecretScanner {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let kind: String
        public var description: String { kind }
    }

    public static func scan(_ text: String, knownSecrets: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        for secret in knownSecrets where secret.count >= 8 && text.contains(secret) {
            findings.append(Finding(kind: "the value of a credential in use"))
        }
        for token in tokens(in: text) {
            if token.count == 40, isSecretKeyShaped(token) {
                findings.append(Finding(kind: "a 40-character string shaped like an AWS secret access key"))
            } else if token.count >= 100, token.contains(where: \.isUppercase), token.contains(where: \.isLowercase) {
                findings.append(Finding(kind: "a long base64 string shaped like an AWS session token"))
            }
        }
        return findings
    }

    /// Runs of base64 characters, split at anything else.
    static func tokens(in text: String) -> [Substring] {
        text.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "/" || $0 == "+" || $0 == "=")) }
    }

    static func isSecretKeyShaped(_ token: Substring) -> Bool {
        let body = token.hasSuffix("=") ? token.dropLast() : token
        return body.contains(where: \.isUppercase) && body.contains(where: \.isLowercase) && body.contains(where: \.isNumber)
            && !body.allSatisfy({ $0.isHexDigit })
    }
}
