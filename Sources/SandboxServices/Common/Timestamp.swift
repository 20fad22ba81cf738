import Foundation
import SandboxAWS

/// Parses the timestamp spellings AWS (and its emulators) use: ISO 8601 with or without fractional
/// seconds and zone (`2024-05-01T12:00:00.000Z`), HTTP dates (`Wed, 01 May 2024 12:00:00 GMT`) and epoch seconds.
enum Timestamp {
    static func parse(_ raw: String?) -> Date? {
        guard let raw else { return nil }
        // ISO 8601 as AWS sends it is parsed in place; only odd spellings pay for trimming and number parsing.
        if let date = iso8601(raw) { return date }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if text != raw, let date = iso8601(text) { return date }
        return httpDate(text)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM]`; a missing zone means UTC.
    static func iso8601(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { iso8601(bytes: $0) }
    }

    private static func iso8601(bytes chars: UnsafeBufferPointer<UInt8>) -> Date? {
        func number(_ start: Int, _ length: Int) -> Int? {
            guard start + length <= chars.count else { return nil }
            var value = 0
            for byte in chars[start..<start + length] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard chars.count >= 19, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " ") || chars[10] == UInt8(ascii: "t"),
              chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < chars.count {
            switch chars[index] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                index += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = chars[index] == UInt8(ascii: "-") ? -1 : 1
                guard let hours = number(index + 1, 2) else { return nil }
                var minutesAt = index + 3
                if minutesAt < chars.count, chars[minutesAt] == UInt8(ascii: ":") { minutesAt += 1 }
                let minutes = number(minutesAt, 2) ?? 0
                offset = sign * (hours * 3600 + minutes * 60)
                index = chars.count
            default:
                return nil
            }
        }
        guard index == chars.count else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour <= 24, minute <= 59, second <= 60 else { return nil }
        let seconds = Double(daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: seconds + fraction - Double(offset))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil), without a Calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The one HTTP-date parser (`Last-Modified`, emulators that write dates that way in XML).
    static func httpDate(_ text: String) -> Date? {
        HTTPDate.parse(text)
    }
}

extension KeyedDecodingContainer {
    /// A JSON-protocol timestamp: epoch seconds as a number (AWS), or an ISO 8601 / numeric string (some emulators).
    func decodeTimestampIfPresent(forKey key: Key) throws -> Date? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let seconds = try? decode(Double.self, forKey: key) { return Date(timeIntervalSince1970: seconds) }
        let text = try decode(String.self, forKey: key)
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not a timestamp: \(text)")
        }
        return date
    }
}
