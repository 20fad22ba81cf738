import Foundation

/// How dates are written in state files: ISO 8601, UTC, milliseconds, so they sort as text and read well.
enum Timestamp {
    private static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func string(_ date: Date) -> String {
        style.format(date)
    }

    static func date(_ text: String) -> Date? {
        try? style.parse(text)
    }
}
