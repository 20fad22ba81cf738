import Foundation
@testable import SandboxAWS
import XCTest

/// The byte-level parser either declines a document or builds exactly FoundationXML's tree for it.
final class XMLFastParserTests: XCTestCase {
    static let listPage = #"""
    <?xml version="1.0" encoding="UTF-8"?>
    <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>runs%2Fr%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
      <Contents><Key>runs/r/a%20b+c</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>
      <Contents><Key>runs/r/データ &amp; &lt;x&gt; &#233;&#x1F600;</Key><Size>0</Size><Owner><ID>x</ID></Owner></Contents>
      <CommonPrefixes><Prefix>runs/r/t000/</Prefix></CommonPrefixes>
    </ListBucketResult>
    """#

    func same(_ a: XMLNode?, _ b: XMLNode?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.name == b.name && a.text == b.text && a.children.count == b.children.count
            && zip(a.children, b.children).allSatisfy { same($0, $1) }
    }

    func assertAgrees(_ data: Data, file: StaticString = #filePath, line: UInt = #line) {
        // A reader that skips some texts sees a document accepted or declined exactly as the tree builder does.
        var skipping = EventRecorder(skipping: ["Key", "a"])
        let skippingRoot = XMLFastParser.read(data, into: &skipping)
        guard let fast = XMLFastParser.parse(data) else {
            XCTAssertNil(skippingRoot, "skipped text made the fast parser accept \(String(decoding: data, as: UTF8.self).debugDescription)", file: file, line: line)
            return
        }
        let reference = XMLNode.foundationParse(data)
        XCTAssertNotNil(reference, "accepted what FoundationXML refuses: \(String(decoding: data, as: UTF8.self).debugDescription)", file: file, line: line)
        XCTAssertTrue(same(fast, reference), "trees differ for \(String(decoding: data, as: UTF8.self).debugDescription)", file: file, line: line)
        // And both parsers report the same events, skipped texts included.
        var foundation = EventRecorder(skipping: ["Key", "a"])
        XCTAssertEqual(XMLReading.foundationRead(data, into: &foundation), skippingRoot, file: file, line: line)
        XCTAssertEqual(skipping.events, foundation.events, "events differ for \(String(decoding: data, as: UTF8.self).debugDescription)", file: file, line: line)
    }

    func testAListPageTakesTheFastPathAndMatchesFoundation() throws {
        let data = Data(Self.listPage.utf8)
        let fast = try XCTUnwrap(XMLFastParser.parse(data))
        XCTAssertTrue(same(fast, XMLNode.foundationParse(data)))
        XCTAssertEqual(fast.all("Contents")[1].string("Key"), "runs/r/データ & <x> é😀")
        XCTAssertEqual(fast.all("Contents")[0].string("ETag"), "\"d41d8cd98f00b204e9800998ecf8427e\"")
    }

    func testDocumentsOutsideThePlainSubsetAreDeclinedOrAgree() {
        let documents = [
            "<a/>", "<a></a>", "<a> </a>", "<a><b/></a>", "<a x='1' y=\"2\"><b>t</b></a>", "<a x='1' x='2'/>",
            "<a><!-- c --><b>t</b></a>", "<a><![CDATA[x]]></a>", "<a>x\r\ny</a>", "<a>&#13;</a>", "<a>&#0;</a>",
            "<a>&unknown;</a>", "<a>&amp</a>", "<a><b></a></b>", "<a><b>", "<a>", "<a></a><b/>", "<a></a>junk",
            "<?xml version=\"1.0\"?><a>x</a>", "<?pi x?><a/>", "<!DOCTYPE a><a/>", "<s3:a xmlns:s3='u'>x</s3:a>",
            "<a xmlns:s3='u' s3:b='c'/>", "<a>\u{1}</a>", "<a>]]></a>", "<a>\u{FFFE}</a>", "<a b=\"<\"/>",
            "<a>\(String(repeating: "<b>", count: 300))</a>", "\u{FEFF}<a/>", "<a>é</a>", "<1a/>", "<a >x</a >", "<a/ >",
        ]
        for document in documents { assertAgrees(Data(document.utf8)) }
        assertAgrees(Data([0x3C, 0x61, 0x3E, 0xFF, 0x3C, 0x2F, 0x61, 0x3E]))  // <a>\xFF</a>: not UTF-8
    }

    /// Fixed-seed mutations of a list page: every document the fast parser accepts, FoundationXML builds alike.
    func testMutatedPagesAreDeclinedOrAgree() {
        var generator = SplitMix(seed: 16)
        let page = Array(Self.listPage.utf8)
        let alphabet = Array("<>/&;#x'\"= \r\n\tab!?[]-".utf8) + [0, 0xC3, 0xA9, 0xFF]
        for _ in 0..<1500 {
            var bytes = page
            for _ in 0..<Int(generator.next() % 3 + 1) {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                }
            }
            assertAgrees(Data(bytes))
        }
    }
}

/// Every event as a line, with the texts of `skipping` declined.
private struct EventRecorder: XMLEventReader {
    let skipping: Set<String>
    var events: [String] = []

    init(skipping: Set<String>) { self.skipping = skipping }

    mutating func open(_ name: String, depth: Int) { events.append("open \(name) \(depth)") }
    mutating func text(_ text: String, of name: String, depth: Int) { events.append("text \(name) \(depth) \(text.debugDescription)") }
    mutating func close(_ name: String, depth: Int) { events.append("close \(name) \(depth)") }
    func wantsText(of name: String, depth: Int) -> Bool { !skipping.contains(name) }
}

private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
