import Foundation
import SandboxCore
import SandboxStack

/// Exactly what belongs to one test run: the keys under `ROOT + RUN_ID + "/"` in one bucket and one
/// Glue database. Built only from validated input; every deletion is checked against it key by key.
public struct RunScope: Sendable, Equatable, Codable {
    public let runId: RunID
    public let bucket: String
    /// The root all runs live under, such as `runs/`.
    public let root: String
    /// `root + runId + "/"`: the only key prefix cleanup may delete under.
    public let prefix: String
    public let gluePrefix: String
    /// `gluePrefix + runId`, lower-cased, dashes to underscores.
    public let database: String

    /// Validates the parts the run id does not vouch for; throws a usage error naming the first problem (values quoted
    /// with escapes: a root or prefix can come from a variable, and an error line must not carry control characters to
    /// a terminal).
    public init(runId: RunID, bucket: String, root: String, gluePrefix: String) throws {
        if let problem = NameRule.s3Bucket.problem(with: bucket) {
            throw SimpleError(.usage, "run bucket '\(Diagnostic.escapingControlCharacters(bucket))': \(problem)")
        }
        if let problem = NameRule.runPrefix.problem(with: root) {
            throw SimpleError(.usage, "run root '\(Diagnostic.escapingControlCharacters(root))': \(problem)")
        }
        if let problem = NameRule.gluePrefix.problem(with: gluePrefix) {
            throw SimpleError(.usage, "Glue prefix '\(Diagnostic.escapingControlCharacters(gluePrefix))': \(problem)")
        }
        let prefix = root + runId.rawValue + "/"
        // Defence in depth: the prefix must be strictly below the root and one level deep.
        guard prefix.hasPrefix(root), prefix.count > root.count + 1, !prefix.dropFirst(root.count).dropLast().contains("/") else {
            throw SimpleError(.usage, "run id '\(runId)' does not name a single folder under \(root)")
        }
        let database = Self.databaseName(gluePrefix: gluePrefix, runId: runId.rawValue)
        guard database.count <= 255, database.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }),
              database.count > gluePrefix.count else {
            throw SimpleError(.usage, "run id '\(runId)' does not give a valid Glue database name ('\(database)'): use letters, digits and dashes")
        }
        self.runId = runId
        self.bucket = bucket
        self.root = root
        self.prefix = prefix
        self.gluePrefix = gluePrefix
        self.database = database
    }

    /// The Glue database of a run: prefix plus run id, lower-cased, dashes to underscores.
    public static func databaseName(gluePrefix: String, runId: String) -> String {
        (gluePrefix + runId).lowercased().replacingOccurrences(of: "-", with: "_")
    }

    /// True only for keys inside this run's prefix (the folder marker `prefix` itself included), compared byte for byte as S3 does: `String.hasPrefix`
    /// compares canonically equivalent text as equal (U+212A KELVIN SIGN is "K"), which would let a neighbour through.
    public func contains(key: String) -> Bool {
        key.hasUTF8Prefix(prefix) && !key.utf8Contains(0, from: prefix.utf8.count)
    }

    /// The URI shown in reports.
    public var s3URI: String { "s3://\(bucket)/\(prefix)" }
}

/// Mints and parses run ids from a stack's `id_template` (`{timestamp}` = UTC `yyyyMMdd'T'HHmmss'Z'`).
public enum RunIdentifier {
    static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter
    }()

    public static func mint(template: String, at date: Date) -> String {
        template.replacingOccurrences(of: "{timestamp}", with: formatter.string(from: date))
    }

    /// The time embedded in a run id (the first `yyyyMMddTHHmmssZ`), if any.
    public static func timestamp(in runId: String) -> Date? {
        let pattern = "[0-9]{8}T[0-9]{6}Z"
        guard let range = runId.range(of: pattern, options: .regularExpression) else { return nil }
        return formatter.date(from: String(runId[range]))
    }
}
