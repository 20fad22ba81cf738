import Foundation
import SandboxCleanup
import SandboxCore
import SandboxStack
import SandboxProviders

/// Properties checked on arbitrary input, shared by the libFuzzer target (`make fuzz`) and the seeded property
/// tests in `make test`. Each returns nil when the input behaved, or a description of the violation.
public enum FuzzTargets {
    public static let names = ["stack", "runscope"]

    public static func target(named name: String) -> (@Sendable ([UInt8]) -> String?)? {
        switch name {
        case "stack": return stack
        case "runscope": return runScope
        default: return nil
        }
    }

    // MARK: - Stack parser

    /// `StackParser.parse` on any UTF-8 text: it accepts a stack that validates cleanly and parses the same way twice,
    /// or throws diagnostics that point into the file and are one line each (no control characters reach a terminal).
    public static func stack(_ bytes: [UInt8]) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }  // load() refuses non-UTF-8 first
        let file = "fuzz.yaml"
        let stack: Stack
        do {
            stack = try StackParser.parse(text, file: file, bytes: Data(bytes))
        } catch let error as DiagnosticsError {
            return diagnosticsProblem(error.diagnostics, text: text, file: file)
        } catch let error as SandboxError {
            return isOneLine(error.userMessage) ? nil : "a multi-line error: \(error.userMessage.debugDescription)"
        } catch {
            return "StackParser threw \(type(of: error)), not a sandbox error: \(error)"
        }
        let problems = StackValidator.validate(stack).filter { $0.severity == .error }
        if !problems.isEmpty { return "accepted a stack that does not validate: \(problems.map(\.description))" }
        if let cycle = StackValidator.dependencyGraph(stack).findCycle() { return "accepted a dependency cycle: \(cycle)" }
        for resource in stack.resources where !KindCatalogue.standard.schemas.contains(where: { $0.name == resource.kind.name }) {
            return "accepted resource type \(resource.kind.name)"
        }
        guard let again = try? StackParser.parse(text, file: file, bytes: Data(bytes)) else { return "accepted once, refused the second time" }
        if again.sha256 != stack.sha256 || again.name != stack.name || again.resources.map(\.address) != stack.resources.map(\.address) {
            return "parsing is not deterministic"
        }
        return nil
    }

    static func diagnosticsProblem(_ diagnostics: [Diagnostic], text: String, file: String) -> String? {
        guard diagnostics.contains(where: { $0.severity == .error }) else { return "refused without an error diagnostic" }
        let lines = lineCount(text)
        for diagnostic in diagnostics {
            if diagnostic.message.isEmpty { return "an empty diagnostic" }
            if !isOneLine(diagnostic.description) { return "a diagnostic that is not one clean line: \(diagnostic.description.debugDescription)" }
            if let location = diagnostic.location {
                if location.file != file { return "a diagnostic in another file: \(location)" }
                if location.line < 1 || location.line > lines + 1 || location.column < 1 {
                    return "a diagnostic outside the file (\(lines) lines): \(location)"
                }
            }
        }
        return nil
    }

    /// Lines as YAML (libyaml, YAML 1.1) counts them: CRLF, CR, LF, NEL, LS and PS each end one.
    static func lineCount(_ text: String) -> Int {
        var lines = 1
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": if previous != "\r" { lines += 1 }
            case "\r", "\u{85}", "\u{2028}", "\u{2029}": lines += 1
            default: break
            }
            previous = scalar
        }
        return lines
    }

    /// No control characters, line or paragraph separators: what a terminal or CI log would act on.
    public static func isOneLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    // MARK: - Run scope

    /// Patterns a stack might use, from the reference one to permissive ones.
    static let patterns = ["^floe-provider-[0-9]{8}T[0-9]{6}Z$", ".+", "[A-Za-z0-9._-]+", "[^/]*", ".*", "(a|b|\\.)+", "[a-z]+-?[0-9]*",
                           "\\S+", "run-.*"]

    /// `RunScope.init` and `contains(key:)` on arbitrary fields: a scope is built only from a safe run id, its prefix is
    /// exactly one folder below the root, `contains` agrees with S3's byte-wise prefix listing, and two runs never
    /// share a key.
    public static func runScope(_ bytes: [UInt8]) -> String? {
        guard let selector = bytes.first else { return nil }
        let fields = String(decoding: bytes.dropFirst(), as: UTF8.self).split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        func field(_ i: Int, _ fallback: String) -> String { i < fields.count ? fields[i] : fallback }
        let pattern = patterns[Int(selector) % patterns.count]
        let runId = field(0, "")
        let root = selector & 0x80 == 0 ? "runs/" : field(3, "runs/")
        let gluePrefix = selector & 0x40 == 0 ? "floe_provider_" : field(4, "floe_provider_")
        let suffix = field(1, "part-0.parquet")
        let otherId = field(2, "other")
        let bucket = "floe-provider-tests-123456789012-us-east-1"
        guard let scope = try? RunScope(runId: runId, bucket: bucket, root: root, gluePrefix: gluePrefix, idPattern: pattern) else {
            do {
                _ = try RunScope(runId: runId, bucket: bucket, root: root, gluePrefix: gluePrefix, idPattern: pattern)
            } catch let error as SandboxError {
                if error.category != .usage { return "refused with category \(error.category), not usage" }
                if !isOneLine(error.userMessage) { return "a multi-line refusal: \(error.userMessage.debugDescription)" }
            } catch {
                return "RunScope threw \(type(of: error))"
            }
            return nil
        }
        // The run id is a single, safe path segment.
        if runId.isEmpty || runId.contains("/") || runId.contains("\\") || runId.contains("..") || runId == "." { return "accepted run id \(runId.debugDescription)" }
        if !runId.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) { return "accepted run id \(runId.debugDescription)" }
        if scope.prefix != root + runId + "/" || !scope.prefix.hasPrefix(scope.root) { return "prefix \(scope.prefix.debugDescription)" }
        if scope.database != RunScope.databaseName(gluePrefix: gluePrefix, runId: runId) { return "database \(scope.database)" }
        if scope.database.isEmpty || scope.database.count > 255
            || !scope.database.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) {
            return "invalid Glue database name \(scope.database.debugDescription)"
        }
        // contains(key:) is S3's byte-wise prefix test (minus keys with NUL), for keys inside and outside the run.
        for key in [scope.prefix + suffix, scope.prefix, suffix, root + runId, root + runId + suffix, String(scope.prefix.dropLast()) + suffix,
                    root + otherId + "/" + suffix, String(scope.prefix.prefix(max(0, scope.prefix.count - 1)))] {
            let expected = key.utf8.starts(with: scope.prefix.utf8) && !key.utf8.dropFirst(scope.prefix.utf8.count).contains(0)
            if scope.contains(key: key) != expected {
                return "contains(\(key.debugDescription)) is \(!expected) under prefix \(scope.prefix.debugDescription)"
            }
        }
        if !suffix.utf8.contains(0), !scope.contains(key: scope.prefix + suffix) { return "a key inside the run is refused: \(suffix.debugDescription)" }
        // Another valid run under the same root never shares a key with this one.
        if otherId != runId, let other = try? RunScope(runId: otherId, bucket: bucket, root: root, gluePrefix: gluePrefix, idPattern: pattern) {
            for key in [other.prefix + suffix, other.prefix, scope.prefix + suffix] where scope.contains(key: key) && other.contains(key: key) {
                return "runs \(runId.debugDescription) and \(otherId.debugDescription) both contain \(key.debugDescription)"
            }
        }
        return nil
    }
}
