import Foundation

/// A parsed XML element: enough of a DOM for AWS's REST-XML and Query responses.
public final class XMLNode: @unchecked Sendable {
    public let name: String
    public private(set) var children: [XMLNode] = []
    public fileprivate(set) var text: String = ""

    public init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child with this local name.
    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Every child with this local name.
    public func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// The text of the first child with this name, or nil.
    public func string(_ name: String) -> String? { child(name)?.text }

    /// Follows a path of child names.
    public func path(_ names: String...) -> XMLNode? {
        var node: XMLNode? = self
        for name in names { node = node?.child(name) }
        return node
    }

    /// Depth-first search for the first descendant with this name.
    public func descendant(_ name: String) -> XMLNode? {
        for child in children {
            if child.name == name { return child }
            if let found = child.descendant(name) { return found }
        }
        return nil
    }

    func append(_ child: XMLNode) { children.append(child) }

    func setText(_ value: String) { text = value }

    /// Parses a document; nil when the bytes are not well-formed XML (truncated documents included).
    public static func parse(_ data: Data) -> XMLNode? {
        var builder = XMLTreeBuilder()
        guard XMLReading.read(data, into: &builder) != nil else { return nil }
        return builder.root
    }

    /// FoundationXML's tree: the reference `XMLFastParser` must agree with.
    static func foundationParse(_ data: Data) -> XMLNode? {
        var builder = XMLTreeBuilder()
        guard XMLReading.foundationRead(data, into: &builder) != nil else { return nil }
        return builder.root
    }

    /// Serialises the element (used to build S3 request bodies).
    public func render() -> String {
        var out = "<\(name)>"
        if children.isEmpty {
            out += Self.escape(text)
        } else {
            for child in children { out += child.render() }
        }
        out += "</\(name)>"
        return out
    }

    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        XMLText.appendEscaped(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Builds XML request bodies declaratively: `XMLNode.element("Tag", ["Key": "a"])`.
extension XMLNode {
    public static func element(_ name: String, _ text: String) -> XMLNode {
        XMLNode(name: name, text: text)
    }

    public static func element(_ name: String, _ children: [XMLNode]) -> XMLNode {
        XMLNode(name: name, children: children)
    }

    public func document(namespace: String? = "http://s3.amazonaws.com/doc/2006-03-01/") -> Data {
        var body = render()
        if let namespace, let close = body.firstIndex(of: ">") {
            body.insert(contentsOf: " xmlns=\"\(namespace)\"", at: close)
        }
        return Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body).utf8)
    }
}
