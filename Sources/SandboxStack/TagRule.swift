import Foundation

/// The tag rules IAM, S3 and Budgets share, checked offline so a bad tag fails at `validate`, not at the first write.
///
/// From the services' models: keys 1-128 and values 0-256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`, at most 50 tags
/// on a resource (IAM's and S3's limit; Budgets allows 200), and the `aws:` key prefix reserved for AWS in any case.
public enum TagRule {
    /// The most tags IAM and S3 accept on one resource.
    public static let maxTags = 50

    /// What is wrong with a tag key, or nil when IAM and S3 both accept it.
    public static func keyProblem(_ key: String) -> String? {
        let length = key.unicodeScalars.count
        guard (1...128).contains(length) else { return "tag keys are 1-128 characters, got \(length)" }
        if key.lowercased().hasPrefix("aws:") { return "tag keys starting with aws: are reserved for AWS" }
        if let bad = key.unicodeScalars.first(where: { !allowed($0) }) {
            return "tag keys use letters, digits, spaces and _ . : / = + - @ only; found \(describe(bad))"
        }
        return nil
    }

    /// What is wrong with a tag value, or nil when IAM and S3 both accept it.
    public static func valueProblem(_ value: String) -> String? {
        let length = value.unicodeScalars.count
        guard length <= 256 else { return "tag values are at most 256 characters, got \(length)" }
        if let bad = value.unicodeScalars.first(where: { !allowed($0) }) {
            return "tag values use letters, digits, spaces and _ . : / = + - @ only; found \(describe(bad))"
        }
        return nil
    }

    /// Problems of a resource's complete tag set: the count, and keys IAM would see as duplicates (it ignores case).
    public static func setProblems(_ keys: [String]) -> [String] {
        var problems: [String] = []
        if keys.count > maxTags { problems.append("\(keys.count) tags, but IAM and S3 accept at most \(maxTags) on a resource") }
        var seen: [String: String] = [:]
        for key in keys.sorted() {
            if let other = seen[key.lowercased()] {
                problems.append("tag keys \(other) and \(key) differ only in case, which IAM refuses")
            } else {
                seen[key.lowercased()] = key
            }
        }
        return problems
    }

    /// `\p{L}`, `\p{Z}`, `\p{N}` and `_.:/=+-@`.
    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        if "_.:/=+-@".unicodeScalars.contains(scalar) { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        let code = "U+" + String(format: "%04X", scalar.value)
        return scalar.properties.generalCategory == .control || scalar.properties.isWhitespace ? code : "'\(scalar)' (\(code))"
    }
}
