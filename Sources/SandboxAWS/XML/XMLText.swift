import Foundation
import SandboxCore

/// XML 1.0 text at the byte level: escaping straight into a request body, and which strings XML can carry at all.
public enum XMLText {
    /// Appends `text` escaped for element content or attribute values. Works on UTF-8 bytes, not characters, so a
    /// `&` or `<` followed by a combining mark is still escaped and a CR LF pair keeps both bytes.
    public static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            // Runs between the bytes that need escaping are copied whole: most keys are one run.
            var start = 0
            for index in bytes.indices {
                let escape: StaticString
                switch bytes[index] {
                case UInt8(ascii: "&"): escape = "&amp;"
                case UInt8(ascii: "<"): escape = "&lt;"
                case UInt8(ascii: ">"): escape = "&gt;"
                case UInt8(ascii: "\""): escape = "&quot;"
                case UInt8(ascii: "'"): escape = "&apos;"
                case UInt8(ascii: "\r"): escape = "&#13;"
                case UInt8(ascii: "\n"): escape = "&#10;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                append(escape, to: &out)
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }

    /// Appends ASCII markup as it is.
    @inline(__always)
    public static func append(_ markup: StaticString, to out: inout [UInt8]) {
        markup.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    /// False when `text` holds a character XML 1.0 cannot carry even escaped: controls other than tab, LF and CR
    /// (U+0000–U+001F) and the non-characters U+FFFE and U+FFFF. S3 answers MalformedXML to a body holding one.
    public static func isCarriable(_ text: String) -> Bool {
        text.withUTF8Bytes { bytes in
            for (index, byte) in bytes.enumerated() {
                if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D { return false }
                // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
                if byte >= 0xBE, byte <= 0xBF, index >= 2, bytes[index - 1] == 0xBF, bytes[index - 2] == 0xEF { return false }
            }
            return true
        }
    }
}
