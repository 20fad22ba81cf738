import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A streaming consumer of an XML answer: each element opening and closing, and the text of each element without
/// children, with its depth (the root is at 0). A decoder written as one reads a 1,000-key list page without the
/// 6,000-node tree `XMLNode` builds; `XMLTreeBuilder` is the reader that builds that tree.
public protocol XMLEventReader {
    mutating func open(_ name: String, depth: Int)
    /// The text of the leaf `name`, just before it closes. Text between child elements is never reported.
    mutating func text(_ text: String, of name: String, depth: Int)
    mutating func close(_ name: String, depth: Int)
    /// False for a leaf whose text the reader ignores: it is still checked, but never decoded into a String.
    func wantsText(of name: String, depth: Int) -> Bool
}

extension XMLEventReader {
    public func wantsText(of name: String, depth: Int) -> Bool { true }
}

public enum XMLReading {
    /// Reads `data` into `reader`: the root element's name, or nil when the bytes are not well-formed XML (truncated
    /// documents included). Plain documents (every AWS answer seen so far) take the byte-level parser; the rest go
    /// to FoundationXML, starting again from the reader as it was given.
    public static func read<Reader: XMLEventReader>(_ data: Data, into reader: inout Reader) -> String? {
        var attempt = reader
        if let root = XMLFastParser.read(data, into: &attempt) {
            reader = attempt
            return root
        }
        return foundationRead(data, into: &reader)
    }

    /// FoundationXML's events: the reference `XMLFastParser` must agree with, and the parser of every document it declines.
    static func foundationRead<Reader: XMLEventReader>(_ data: Data, into reader: inout Reader) -> String? {
        let delegate = EventForwarder(reader)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = delegate
        // FoundationXML can report success for a document cut short: every element must also have closed.
        guard parser.parse(), delegate.open.isEmpty, let root = delegate.root else { return nil }
        reader = delegate.reader
        return root
    }
}

/// Builds the `XMLNode` tree of a document from its events.
public struct XMLTreeBuilder: XMLEventReader {
    public private(set) var root: XMLNode?
    private var stack: [XMLNode] = []

    public init() {}

    public mutating func open(_ name: String, depth: Int) {
        let node = XMLNode(name: name)
        stack.last?.append(node)
        if root == nil { root = node }
        stack.append(node)
    }

    public mutating func text(_ text: String, of name: String, depth: Int) { stack.last?.setText(text) }

    public mutating func close(_ name: String, depth: Int) { _ = stack.popLast() }
}

/// FoundationXML's delegate callbacks as reader events: text runs are joined, and reported only for a leaf.
private final class EventForwarder<Reader: XMLEventReader>: NSObject, XMLParserDelegate {
    var reader: Reader
    var root: String?
    /// The open elements, and whether each has had a child.
    var open: [(name: String, hasChildren: Bool)] = []
    var textBuffer = ""

    init(_ reader: Reader) { self.reader = reader }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root == nil { root = elementName }
        if !open.isEmpty { open[open.count - 1].hasChildren = true }
        reader.open(elementName, depth: open.count)
        open.append((elementName, false))
        textBuffer = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        textBuffer += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard let element = open.popLast() else { return }
        if !element.hasChildren, reader.wantsText(of: element.name, depth: open.count) {
            reader.text(textBuffer, of: element.name, depth: open.count)
        }
        reader.close(element.name, depth: open.count)
        textBuffer = ""
    }
}
