import Foundation
import SandboxCore

/// Where a stack's state lives: a local SQLite file, or that same file as an object in S3.
public enum StateLocation: Sendable, Equatable, CustomStringConvertible {
    case local(path: String)
    case s3(bucket: String, key: String)

    /// Parses `s3://BUCKET/KEY`; anything else is a local path.
    public static func parse(_ text: String) throws -> StateLocation {
        guard text.hasPrefix("s3://") else {
            guard !text.isEmpty else { throw SimpleError(.usage, "the state location is empty") }
            return .local(path: text)
        }
        let rest = text.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw SimpleError(.usage, "'\(text)' names no object key; use s3://BUCKET/KEY such as s3://my-bucket/state/aws-provider-tests.sqlite")
        }
        let bucket = String(rest[..<slash])
        let key = String(rest[rest.index(after: slash)...])
        guard !bucket.isEmpty, !key.isEmpty, !key.hasSuffix("/"), !key.split(separator: "/").contains(".."),
              bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw SimpleError(.usage, "'\(text)' is not a valid state location; use s3://BUCKET/KEY")
        }
        return .s3(bucket: bucket, key: key)
    }

    public var description: String {
        switch self {
        case .local(let path): return path
        case .s3(let bucket, let key): return "s3://\(bucket)/\(key)"
        }
    }

    public var isRemote: Bool { if case .s3 = self { return true }; return false }
}
