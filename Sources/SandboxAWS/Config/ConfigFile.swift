import Foundation
import SandboxCore

/// A `~/.aws/config` or `~/.aws/credentials` file that cannot be read or parsed, with where and why.
public struct ConfigFileError: SandboxError, Equatable {
    /// The file at fault.
    public let path: String
    /// The 1-based line at fault; nil when the whole file is (unreadable, not UTF-8).
    public let line: Int?
    /// What is wrong, without quoting the line: it may hold a secret.
    public let reason: String
    public let category: FailureCategory = .credentials

    /// An error at `path:line` (or the whole file when `line` is nil).
    public init(path: String, line: Int?, reason: String) {
        self.path = path
        self.line = line
        self.reason = reason
    }

    public var userMessage: String {
        if let line { return "\(path):\(line): \(reason)" }
        return "\(path): \(reason)"
    }
}

/// One parsed AWS INI file: its sections in order, with lower-cased keys and the line each key came from.
///
/// The dialect is botocore's (Python's `configparser` in strict mode): `#` and `;` start comment lines, a key is
/// separated from its value by the first `=` or `:`, and a key with an empty value followed by more-indented
/// `key = value` lines is a sub-section (`s3 =\n  addressing_style = path`). A section or a key repeated within one
/// file is an error, as it is for the AWS CLI; `[DEFAULT]` holds defaults for every other section of its file.
/// Values keep inline `#` and `;`, as botocore does, because `credential_process` commands legitimately contain them.
public struct ConfigFile: Sendable, Equatable {
    /// One `[header]` and the properties below it.
    public struct Section: Sendable, Equatable {
        /// The text between the brackets with runs of whitespace collapsed (`profile dev`).
        public let header: String
        /// The line of the header.
        public let line: Int
        /// Lower-cased keys to their trimmed values.
        public internal(set) var values: [String: String] = [:]
        /// Nested `key = value` blocks under a key with an empty value.
        public internal(set) var subsections: [String: [String: String]] = [:]
        /// The line each key was set on, for error messages.
        public internal(set) var lines: [String: Int] = [:]
    }

    /// Where the file was read from; used in error messages.
    public let path: String
    /// The sections in the order they first appear.
    public let sections: [Section]

    /// A file from already parsed sections.
    public init(path: String, sections: [Section]) {
        self.path = path
        self.sections = sections
    }

    /// The section with this exact header, if any.
    public func section(_ header: String) -> Section? {
        sections.first { $0.header == header }
    }

    /// Reads and parses the file; nil when it does not exist (a missing file is an empty configuration).
    public static func load(path: String) throws -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigFileError(path: path, line: nil, reason: "cannot read the file (\(Self.describe(error)))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigFileError(path: path, line: nil, reason: "the file is not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses INI text; `path` only labels errors.
    public static func parse(_ text: String, path: String) throws -> ConfigFile {
        var sections: [Section] = []
        var current: Int?
        // The property that indented lines continue, with its own indentation.
        var open: (key: String, indent: Int, isSubsection: Bool)?

        // "\r\n" is one Character in Swift, so Windows line ends need their own test.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for (offset, line) in lines.enumerated() {
            let lineNumber = offset + 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count

            func fail(_ reason: String) -> ConfigFileError {
                ConfigFileError(path: path, line: lineNumber, reason: reason)
            }

            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw fail("section header has no closing ']'")
                }
                let rest = trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces)
                guard rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix(";") else {
                    throw fail("unexpected text after the section header's ']'")
                }
                let header = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                    .split(whereSeparator: \.isWhitespace).joined(separator: " ")
                guard !header.isEmpty else { throw fail("empty section header '[]'") }
                if let existing = sections.first(where: { $0.header == header }) {
                    throw fail("section [\(header)] appears a second time (first on line \(existing.line)); merge the two, as the AWS CLI refuses the file too")
                }
                sections.append(Section(header: header, line: lineNumber))
                current = sections.count - 1
                open = nil
                continue
            }

            guard let index = current else {
                throw fail("property before any [section] header")
            }

            if let property = open, indent > property.indent {
                if property.isSubsection {
                    // botocore splits sub-section lines at '=' only.
                    guard let (key, value) = Self.splitProperty(trimmed, delimiters: ["="]) else {
                        throw fail("expected 'key = value' inside the '\(property.key)' sub-section")
                    }
                    sections[index].subsections[property.key, default: [:]][key] = value
                } else {
                    // A continuation line: the value goes on, as in Python's configparser.
                    sections[index].values[property.key, default: ""] += "\n" + trimmed
                }
                continue
            }

            guard let (key, value) = Self.splitProperty(trimmed) else {
                throw fail(trimmed.contains("=") || trimmed.contains(":") ? "property has an empty name" : "expected 'key = value' or a [section] header")
            }
            if let first = sections[index].lines[key] {
                throw fail("'\(key)' is set a second time in [\(sections[index].header)] (first on line \(first)); keep one, as the AWS CLI refuses the file too")
            }
            sections[index].values[key] = value
            sections[index].lines[key] = lineNumber
            open = (key, indent, value.isEmpty)
        }
        return ConfigFile(path: path, sections: Self.applyingDefaults(sections))
    }

    /// configparser's `[DEFAULT]`: not a section of its own, its keys are there in every other section that lacks them.
    static func applyingDefaults(_ sections: [Section]) -> [Section] {
        guard let defaults = sections.first(where: { $0.header == "DEFAULT" }) else { return sections }
        return sections.filter { $0.header != "DEFAULT" }.map { section in
            var section = section
            for (key, value) in defaults.values where section.values[key] == nil {
                section.values[key] = value
                section.lines[key] = defaults.lines[key]
                if let nested = defaults.subsections[key] { section.subsections[key] = nested }
            }
            return section
        }
    }

    /// Splits `key = value` (or `key: value`) at the first delimiter; nil when there is none or the key is empty.
    static func splitProperty(_ line: String, delimiters: Set<Character> = ["=", ":"]) -> (String, String)? {
        guard let equals = line.firstIndex(where: { delimiters.contains($0) }) else { return nil }
        let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
        guard !key.isEmpty else { return nil }
        let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        return (key, value)
    }

    static func describe(_ error: Error) -> String {
        let cocoa = error as NSError
        if let posix = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        if cocoa.domain == NSCocoaErrorDomain, cocoa.code == NSFileReadNoPermissionError { return "permission denied" }
        return cocoa.localizedDescription
    }
}
