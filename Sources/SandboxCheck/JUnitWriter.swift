import Foundation

/// Writes the readiness check as JUnit XML so CI shows each check as a test case.
public enum JUnitWriter {
    public static func render(_ report: ReadinessReport, suite: String = "sandbox check") -> String {
        let failures = report.results.filter { $0.status == .fail }.count
        let skipped = report.results.filter { $0.status == .skip }.count
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<testsuites>")
        lines.append("  <testsuite name=\"\(escape(suite))\" tests=\"\(report.results.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"\(skipped)\" time=\"\(String(format: "%.3f", report.seconds))\">")
        for result in report.results {
            let open = "    <testcase classname=\"sandbox.check\" name=\"\(escape(result.name))\" time=\"\(String(format: "%.3f", result.seconds))\""
            switch result.status {
            case .pass:
                lines.append(open + "/>")
            case .warn:
                lines.append(open + ">")
                lines.append("      <system-out>\(escape("warning: " + result.detail))</system-out>")
                lines.append("    </testcase>")
            case .skip:
                lines.append(open + ">")
                lines.append("      <skipped message=\"\(escape(result.detail))\"/>")
                lines.append("    </testcase>")
            case .fail:
                lines.append(open + ">")
                let message = result.detail + (result.fix.map { "; fix: \($0)" } ?? "")
                lines.append("      <failure message=\"\(escape(message))\">\(escape(message))</failure>")
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters, even escaped.
                if scalar.value < 0x20 { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
