/// The stable name of a resource in a stack: its type and its local name, as in `s3_bucket.data`.
public struct ResourceAddress: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let type: String
    public let name: String

    public init(type: String, name: String) {
        self.type = type
        self.name = name
    }

    /// Parses `TYPE.NAME`; nil when the text has no dot or an empty part.
    public init?(parsing text: String) {
        guard let dot = text.firstIndex(of: ".") else { return nil }
        let type = String(text[..<dot])
        let name = String(text[text.index(after: dot)...])
        guard !type.isEmpty, !name.isEmpty, !name.contains(".") else { return nil }
        self.init(type: type, name: name)
    }

    public var description: String { "\(type).\(name)" }

    public static func < (lhs: ResourceAddress, rhs: ResourceAddress) -> Bool {
        lhs.description < rhs.description
    }
}
