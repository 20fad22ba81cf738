import Foundation

/// A byte-level parser for the plain XML AWS answers in (elements, text, the five named and numeric character
/// references, attributes that are not read), reporting the same events as FoundationXML's parser at a fraction of
/// its cost: a 1,000-key list page no longer pays for a callback, an NSString and a Swift String copy per text run.
///
/// It accepts only a strict subset of XML 1.0. Anything outside it (comments, CDATA, DOCTYPE, processing
/// instructions after the declaration, prefixed names, CR in text, a byte XML cannot carry, a mismatched tag)
/// returns nil, and the caller falls back to FoundationXML, which keeps the final say on what is well-formed.
enum XMLFastParser {
    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&"), slash = UInt8(ascii: "/")
    private static let question = UInt8(ascii: "?"), bang = UInt8(ascii: "!"), equals = UInt8(ascii: "="), semicolon = UInt8(ascii: ";")
    private static let maxDepth = 256

    /// Reads `data` into `reader`; the root element's name, or nil when the document is outside the subset (the
    /// reader may then have seen part of it).
    static func read<Reader: XMLEventReader>(_ data: Data, into reader: inout Reader) -> String? {
        data.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return nil }
            var scanner = Scanner(bytes: UnsafeBufferPointer(start: base, count: raw.count))
            return scanner.document(&reader)
        }
    }

    /// The tree of `data`, or nil when the document is outside the subset.
    static func parse(_ data: Data) -> XMLNode? {
        var builder = XMLTreeBuilder()
        guard read(data, into: &builder) != nil else { return nil }
        return builder.root
    }

    private struct Open {
        let name: String
        let nameStart: Int, nameEnd: Int
        var hasChildren = false
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        static let declarations: [[UInt8]] = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<?xml version=\"1.0\"?>",
            "<?xml version='1.0' encoding='UTF-8'?>", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
        ].map { Array($0.utf8) }

        static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

        static func isNameStart(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == UInt8(ascii: "_")
        }

        static func isName(_ byte: UInt8) -> Bool {
            isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }

        mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        mutating func document<Reader: XMLEventReader>(_ reader: inout Reader) -> String? {
            // The declaration only as AWS writes it; any other spelling is FoundationXML's to judge.
            if bytes.count >= 2, bytes[0] == lt, bytes[1] == question {
                guard let known = Self.declarations.first(where: { bytes.starts(with: $0) }) else { return nil }
                index = known.count
            }
            skipSpace()
            guard let root = elements(&reader) else { return nil }
            skipSpace()
            return index == bytes.count ? root : nil
        }

        /// The root element and everything in it, iteratively (no recursion on hostile depth): the root's name.
        mutating func elements<Reader: XMLEventReader>(_ reader: inout Reader) -> String? {
            var stack: [Open] = []
            var root: String?
            // The character data just scanned: where it is and whether it needs more than a byte copy.
            var run = 0..<0, runHasReference = false, runHasHighBytes = false
            while true {
                guard index + 1 < bytes.count, bytes[index] == lt else { return nil }
                index += 1
                if bytes[index] == slash {
                    // An end tag: it must name the open element. A leaf's text is the one run inside it.
                    index += 1
                    guard let open = stack.popLast() else { return nil }
                    let length = open.nameEnd - open.nameStart
                    guard index + length <= bytes.count,
                          bytes[index..<(index + length)].elementsEqual(bytes[open.nameStart..<open.nameEnd]) else { return nil }
                    index += length
                    skipSpace()
                    guard index < bytes.count, bytes[index] == gt else { return nil }
                    index += 1
                    if open.hasChildren || !reader.wantsText(of: open.name, depth: stack.count) {
                        guard valid(run, runHasReference, runHasHighBytes) else { return nil }
                    } else {
                        guard let text = text(run, references: runHasReference, high: runHasHighBytes) else { return nil }
                        reader.text(text, of: open.name, depth: stack.count)
                    }
                    reader.close(open.name, depth: stack.count)
                    if stack.isEmpty { return root }
                } else {
                    guard Self.isNameStart(bytes[index]), stack.count < maxDepth else { return nil }
                    if !stack.isEmpty {
                        // Text between children is dropped, as FoundationXML's tree builder drops it, but must be valid.
                        guard valid(run, runHasReference, runHasHighBytes) else { return nil }
                        stack[stack.count - 1].hasChildren = true
                    }
                    let nameStart = index
                    while index < bytes.count, Self.isName(bytes[index]) { index += 1 }
                    let nameEnd = index
                    guard index < bytes.count, bytes[index] != UInt8(ascii: ":"), attributes() else { return nil }
                    let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
                    if root == nil { root = name }
                    reader.open(name, depth: stack.count)
                    if bytes[index] == slash {
                        guard index + 1 < bytes.count, bytes[index + 1] == gt else { return nil }
                        index += 2
                        if reader.wantsText(of: name, depth: stack.count) { reader.text("", of: name, depth: stack.count) }
                        reader.close(name, depth: stack.count)
                        if stack.isEmpty { return root }
                    } else {
                        index += 1  // `attributes()` stopped at `>` or `/`
                        stack.append(Open(name: name, nameStart: nameStart, nameEnd: nameEnd))
                    }
                }
                // Character data up to the next tag.
                let start = index
                runHasReference = false
                runHasHighBytes = false
                while index < bytes.count, bytes[index] != lt {
                    let byte = bytes[index]
                    if byte == amp {
                        runHasReference = true
                    } else if byte >= 0x80 {
                        runHasHighBytes = true
                    } else if byte < 0x20, byte != 0x09, byte != 0x0A {
                        return nil  // CR is normalised by XML parsers, other controls are not XML: FoundationXML decides
                    } else if byte == gt, index >= start + 2, bytes[index - 1] == UInt8(ascii: "]"), bytes[index - 2] == UInt8(ascii: "]") {
                        return nil
                    }
                    index += 1
                }
                run = start..<index
                guard index + 1 < bytes.count, bytes[index + 1] != bang, bytes[index + 1] != question else { return nil }
            }
        }

        func valid(_ run: Range<Int>, _ references: Bool, _ high: Bool) -> Bool {
            !(references || high) || text(run, references: references, high: high) != nil
        }

        /// Attributes are not read, only checked: `name="value"` pairs, values without `<` or references.
        mutating func attributes() -> Bool {
            var seen: [Range<Int>] = []
            while true {
                let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
                skipSpace()
                guard index < bytes.count else { return false }
                if bytes[index] == gt || bytes[index] == slash { return true }
                guard hadSpace, Self.isNameStart(bytes[index]) else { return false }
                let start = index
                while index < bytes.count, Self.isName(bytes[index]) || bytes[index] == UInt8(ascii: ":") { index += 1 }
                let name = start..<index
                let text = UnsafeBufferPointer(rebasing: bytes[name])
                if let colon = text.firstIndex(of: UInt8(ascii: ":")) {
                    // Only namespace declarations may be prefixed; `xsi:nil` and the like go to FoundationXML.
                    guard colon == 5, text.starts(with: "xmlns".utf8), colon + 1 < text.count else { return false }
                }
                for other in seen where bytes[other].elementsEqual(bytes[name]) { return false }
                seen.append(name)
                skipSpace()
                guard index < bytes.count, bytes[index] == equals else { return false }
                index += 1
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return false }
                let quote = bytes[index]
                index += 1
                let valueStart = index
                var high = false
                while index < bytes.count, bytes[index] != quote {
                    let byte = bytes[index]
                    guard byte != lt, byte != amp, byte >= 0x20 else { return false }
                    if byte >= 0x80 { high = true }
                    index += 1
                }
                guard index < bytes.count else { return false }
                if high, String(validating: UnsafeBufferPointer(rebasing: bytes[valueStart..<index]), as: UTF8.self) == nil { return false }
                index += 1
            }
        }

        /// The text of `start..<end` with references replaced; nil when it is not UTF-8 XML can carry.
        func text(_ run: Range<Int>, references: Bool, high: Bool) -> String? {
            guard !run.isEmpty else { return "" }
            let slice = UnsafeBufferPointer(rebasing: bytes[run])
            guard references else {
                // ASCII without controls (the scan refused them) is UTF-8 XML can carry as it is.
                guard high else { return String(decoding: slice, as: UTF8.self) }
                guard let text = String(validating: slice, as: UTF8.self), XMLText.isCarriable(text) else { return nil }
                return text
            }
            var out: [UInt8] = []
            out.reserveCapacity(slice.count)
            var i = 0
            while i < slice.count {
                let byte = slice[i]
                guard byte == amp else { out.append(byte); i += 1; continue }
                guard let close = slice[i...].prefix(12).firstIndex(of: semicolon) else { return nil }
                let name = UnsafeBufferPointer(rebasing: slice[(i + 1)..<close])
                switch String(decoding: name, as: UTF8.self) {
                case "amp": out.append(amp)
                case "lt": out.append(lt)
                case "gt": out.append(gt)
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                case let reference where reference.hasPrefix("#"):
                    let digits = reference.dropFirst()
                    let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                    // CR from a reference is kept by XML parsers, other controls are not XML at all.
                    guard let value, let scalar = Unicode.Scalar(value), value >= 0x20 || value == 0x09 || value == 0x0A || value == 0x0D,
                          value != 0xFFFE, value != 0xFFFF else { return nil }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    return nil
                }
                i = close + 1
            }
            guard let text = String(validating: out, as: UTF8.self), XMLText.isCarriable(text) else { return nil }
            return text
        }
    }
}
