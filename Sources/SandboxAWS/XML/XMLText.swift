import Foundation

/// XML 1.0 text at the byte level: escaping straight into a request body, and which strings XML can carry at all.
public enum XMLText {
    /// Appends `text` escaped for element content or attribute values. Works on UTF-8 bytes, not characters, so a
    /// `&` or `<` followed by a combining mark is still escaped and a CR LF pair keeps both bytes.
    public static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): append("&amp;", to: &out)
            case UInt8(ascii: "<"): append("&lt;", to: &out)
            case UInt8(ascii: ">"): append("&gt;", to: &out)
            case UInt8(ascii: "\""): append("&quot;", to: &out)
            case UInt8(ascii: "'"): append("&apos;", to: &out)
            case UInt8(ascii: "\r"): append("&#13;", to: &out)
            case UInt8(ascii: "\n"): append("&#10;", to: &out)
            default: out.append(byte)
            }
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
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            if byte < 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D { return false }
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            if previous == (0xEF, 0xBF), byte == 0xBE || byte == 0xBF { return false }
            previous = (previous.1, byte)
        }
        return true
    }
}
