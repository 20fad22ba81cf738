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

    /// Runs of base64 characters, split at anything else. `=` is base64 only as trailing padding: inside a
    /// run it separates (`NAME=VALUE`), so a secret written as an assignment is still a token of its own.
    static func tokens(in text: String) -> [Substring] {
        var result: [Substring] = []
        for run in text.split(whereSeparator: { !isBase64($0) }) {
            var start = run.startIndex
            var index = run.startIndex
            while index < run.endIndex {
                guard run[index] == "=" else { index = run.index(after: index); continue }
                var end = index
                while end < run.endIndex, run[end] == "=" { end = run.index(after: end) }
                if end == run.endIndex { break }  // trailing padding stays with its token
                if start < index { result.append(run[start..<index]) }
                start = end
                index = end
            }
            if start < run.endIndex, run[start...].contains(where: { $0 != "=" }) { result.append(run[start...]) }
        }
        return result
    }

    static func isBase64(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "/" || character == "+" || character == "=")
    }

    static func isSecretKeyShaped(_ token: Substring) -> Bool {
        let body = token.hasSuffix("=") ? token.dropLast() : token
        return body.contains(where: \.isUppercase) && body.contains(where: \.isLowercase) && body.contains(where: \.isNumber)
            && !body.allSatisfy({ $0.isHexDigit })
    }
}
