import Foundation

/// AWS naming rules, checked offline so a bad name fails at `validate`, not halfway through `apply`.
public enum NameRule: Sendable, Equatable {
    case s3Bucket
    case iamName
    case iamUserName
    case iamPath
    case budgetName
    case email
    case gluePrefix
    case runPrefix
    /// An OpenID Connect issuer: https, a host, no port, query or fragment (IAM's rules for Url).
    case httpsURL
    /// A certificate thumbprint: 40 hexadecimal digits.
    case thumbprint

    /// Returns what is wrong with `value`, or nil when it is valid.
    public func problem(with value: String) -> String? {
        switch self {
        case .s3Bucket: return Self.bucketProblem(value)
        case .httpsURL:
            guard value.hasPrefix("https://"), value.count <= 255, let url = URLComponents(string: value), let host = url.host, !host.isEmpty,
                  url.port == nil, url.query == nil, url.fragment == nil else {
                return "an OpenID Connect URL is https://HOST[/PATH] without port, query or fragment (at most 255 characters)"
            }
            return nil
        case .thumbprint:
            guard value.count == 40, value.allSatisfy(\.isHexDigit) else { return "a thumbprint is 40 hexadecimal digits" }
            return nil
        case .iamName: return Self.iamNameProblem(value, max: 128)
        case .iamUserName: return Self.iamNameProblem(value, max: 64)
        case .iamPath:
            guard value.count <= 512, value.hasPrefix("/"), value.hasSuffix("/"),
                  value.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value <= 0x7E }) else {
                return "IAM paths start and end with / and use printable ASCII (at most 512 characters)"
            }
            return nil
        case .budgetName:
            guard !value.isEmpty, value.count <= 100, !value.contains(":"), !value.contains("\\") else {
                return "budget names are 1-100 characters without ':' or '\\'"
            }
            return nil
        case .email:
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
                  !value.contains(where: { $0.isWhitespace }), value.count <= 254 else {
                return "not an e-mail address"
            }
            return nil
        case .gluePrefix:
            guard let first = value.first, first.isASCII, first.isLowercase, value.hasSuffix("_"), value.count <= 200,
                  value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                return "Glue database prefixes are lowercase snake_case, start with a letter and end with _ (for example floe_provider_)"
            }
            return nil
        case .runPrefix:
            guard !value.isEmpty, value.hasSuffix("/"), !value.hasPrefix("/"), !value.contains("//"),
                  !value.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
                  !value.contains(where: { $0.isNewline || $0 == "*" }) else {
                return "run prefixes are relative key prefixes ending in / without '..', '//' or a leading / (for example runs/)"
            }
            return nil
        }
    }

    static func iamNameProblem(_ value: String, max: Int) -> String? {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "_+=,.@-"))
        guard !value.isEmpty, value.count <= max,
              value.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
            return "IAM names are 1-\(max) characters of letters, digits and _+=,.@-"
        }
        return nil
    }

    static func bucketProblem(_ name: String) -> String? {
        guard (3...63).contains(name.count) else { return "bucket names are 3-63 characters long (this one has \(name.count))" }
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") }) else {
            return "bucket names use only lowercase letters, digits, dots and hyphens"
        }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "bucket names begin and end with a letter or digit"
        }
        if name.contains("..") { return "bucket names must not contain two adjacent dots" }
        let octets = name.split(separator: ".")
        if octets.count == 4, octets.allSatisfy({ Int($0).map { (0...255).contains($0) } ?? false }) {
            return "bucket names must not look like an IP address"
        }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            return "bucket names must not start with \(prefix)"
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return "bucket names must not end with \(suffix)"
        }
        return nil
    }
}
