import Foundation

/// Parses HTTP dates (the `Date` of a clock-skew answer, S3's `Last-Modified`): RFC 7231's IMF-fixdate and the obsolete forms it
/// tells recipients to accept, with the leniency botocore (dateutil) shows for what S3 and its emulators send.
///
/// Accepted: `Sun, 06 Nov 1994 08:49:37 GMT` (also a one-digit day, no weekday, no seconds, `UTC`/`UT`/`Z` or a
/// `±hhmm` offset, or no zone), RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
/// Names are matched without regard to case; a weekday is not checked against the date, as RFC 7231 allows.
public enum HTTPDate {
    /// The date, or nil when `text` is none of the accepted forms or names an impossible day or time.
    /// - Parameter now: two-digit years are read as the most recent year less than 50 years ahead of it.
    public static func parse(_ text: String, now: Date = Date()) -> Date? {
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
        if let first = fields.first, weekdays.contains(first.lowercased()) { fields.removeFirst() }
        let parts: (day: String, month: String, year: String, time: String, zone: String?)
        switch fields.count {
        case 2...3:
            // RFC 850: 06-Nov-94 08:49:37 GMT
            let date = fields[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard date.count == 3 else { return nil }
            parts = (date[0], date[1], date[2], fields[1], fields.count == 3 ? fields[2] : nil)
        case 4 where months[fields[0].lowercased()] != nil:
            // asctime: Nov  6 08:49:37 1994 (always GMT)
            parts = (fields[1], fields[0], fields[3], fields[2], nil)
        case 4, 5:
            // IMF-fixdate and RFC 1123 variants: 06 Nov 1994 08:49:37 GMT
            parts = (fields[0], fields[1], fields[2], fields[3], fields.count == 5 ? fields[4] : nil)
        default:
            return nil
        }
        guard let day = digits(parts.day, 1...2), let month = months[parts.month.lowercased()],
              let yearValue = digits(parts.year, 2...4), parts.year.count != 3,
              let (hour, minute, second) = clock(parts.time), let offset = zoneOffset(parts.zone)
        else { return nil }
        let year = parts.year.count == 2 ? fullYear(twoDigit: yearValue, now: now) : yearValue
        guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return utc.date(from: components)?.addingTimeInterval(TimeInterval(-offset))
    }

    static let weekdays: Set<String> = [
        "mon", "tue", "wed", "thu", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]

    static let months: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    ]

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        if let gmt = TimeZone(secondsFromGMT: 0) { calendar.timeZone = gmt }
        return calendar
    }()

    /// A number of `count` ASCII digits, nothing else.
    static func digits(_ text: String, _ count: ClosedRange<Int>) -> Int? {
        guard count.contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text)
    }

    /// `HH:MM:SS` within a day (a leap second allowed); `HH:MM` as botocore reads it.
    static func clock(_ text: String) -> (Int, Int, Int)? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 2 || fields.count == 3, let hour = digits(fields[0], 2...2), let minute = digits(fields[1], 2...2),
              let second = fields.count == 3 ? digits(fields[2], 2...2) : 0, hour <= 23, minute <= 59, second <= 60 else { return nil }
        return (hour, minute, second)
    }

    /// Seconds east of GMT: `GMT`, `UTC`, `UT`, `Z` or none are zero; `+hhmm`/`-hhmm` as written.
    static func zoneOffset(_ zone: String?) -> Int? {
        guard let zone else { return 0 }
        if ["gmt", "utc", "ut", "z"].contains(zone.lowercased()) { return 0 }
        guard zone.utf8.count == 5, let sign = zone.first, sign == "+" || sign == "-",
              let hours = digits(String(zone.dropFirst().prefix(2)), 2...2), let minutes = digits(String(zone.suffix(2)), 2...2),
              hours <= 23, minutes <= 59 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// RFC 7231 7.1.1.1: a two-digit year that would be 50 or more years ahead is the most recent past year with
    /// those digits (compared by year, as botocore's dateutil does).
    static func fullYear(twoDigit: Int, now: Date) -> Int {
        let current = utc.component(.year, from: now)
        let candidate = current - current % 100 + twoDigit
        return candidate >= current + 50 ? candidate - 100 : candidate
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
