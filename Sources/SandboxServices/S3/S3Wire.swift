import Crypto
import Foundation
import SandboxCore
import SandboxAWS

/// Wire-level helpers shared by the S3 operations: request building, XML bodies, checksums, key decoding.
enum S3Wire {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// Base64 of the MD5 of `body`: the `Content-MD5` header S3 requires on configuration PUTs and DeleteObjects.
    static func contentMD5(_ body: Data) -> String {
        Data(Insecure.MD5.hash(data: body)).base64EncodedString()
    }

    /// An XML request body with S3's namespace, and the headers that go with it.
    static func xmlBody(_ root: XMLNode) -> (Data, [String: String]) {
        let body = root.document(namespace: namespace)
        return (body, ["Content-Type": "application/xml", "Content-MD5": contentMD5(body)])
    }

    /// Decodes a value S3 sent with `encoding-type=url`: form encoding, so `+` is a space and `%2B` a plus.
    static func urlDecode(_ text: String) -> String {
        // Most keys have nothing encoded: no copy for them.
        guard text.utf8Contains(UInt8(ascii: "%")) || text.utf8Contains(UInt8(ascii: "+")) else { return text }
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < input.count, let high = hex(input[index + 1]), let low = hex(input[index + 2]) {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A function that decodes listing keys when the response says they were url-encoded (`<EncodingType>url`),
    /// and leaves them alone when the server ignored the request for encoding.
    static func keyDecoder(for root: XMLNode) -> @Sendable (String) -> String {
        keyDecoder(encodingType: root.string("EncodingType"))
    }

    static func keyDecoder(encodingType: String?) -> @Sendable (String) -> String {
        if encodingType?.lowercased() == "url" {
            return { urlDecode($0) }
        }
        return { $0 }
    }

    static func bool(_ text: String?) -> Bool? {
        guard let text else { return nil }
        switch text {  // the spellings S3 sends, without trimming or lowercasing a copy
        case "true": return true
        case "false": return false
        default: break
        }
        switch text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    /// Digits as S3 sends them parse without a copy; only padded text is trimmed first.
    static func int(_ text: String?) -> Int? {
        guard let text else { return nil }
        if let value = Int(text) { return value }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Empty or absent markers and tokens mean "none".
    static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
