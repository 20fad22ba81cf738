import Foundation

/// Renders a validation report as Markdown for humans, pull requests and `GITHUB_STEP_SUMMARY`.
public enum MarkdownRenderer {
    public static func render(_ report: ValidationReport) -> String {
        var lines: [String] = []
        lines.append("# Provider test run \(report.runId): \(report.status.rawValue)")
        lines.append("")
        lines.append(report.cleanup.sentence)
        lines.append("")
        lines.append("| Field | Value |")
        lines.append("| --- | --- |")
        func row(_ name: String, _ value: String) { lines.append("| \(name) | \(escape(value)) |") }
        row("Run id", report.runId.rawValue)
        row("Workspace", report.workspace ?? "(none)")
        row("Account", report.accountId)
        row("Region", report.region)
        row("Bucket", report.bucket)
        row("S3 test prefix", "s3://\(report.bucket)/\(report.s3TestPrefix)")
        row("S3 run prefix", "s3://\(report.bucket)/\(report.s3RunPrefix)")
        row("Glue database prefix", report.glueDatabasePrefix)
        row("Glue database", report.glueDatabase)
        row("Started", report.startedAt.map { $0.formatted(.iso8601) } ?? "unknown")
        row("Finished", report.finishedAt.formatted(.iso8601))
        row("sandbox", report.sandboxVersion)
        row("Stack", "\(report.stackFile) (sha256 \(report.stackSHA256))")
        row("Status", "\(report.status.rawValue) (\(report.classifications.map(\.rawValue).joined(separator: ", ")))")
        lines.append("")
        lines.append("## Tests")
        if let tests = report.tests {
            lines.append("")
            lines.append("| File | Status | Tests | Passed | Failed | Errors | Skipped |")
            lines.append("| --- | --- | --- | --- | --- | --- | --- |")
            for file in tests {
                lines.append("| \(escape(file.file)) | \(file.status.rawValue) | \(file.tests) | \(file.passed) | \(file.failures) | \(file.errors) | \(file.skipped) |")
            }
            let failing = tests.flatMap(\.failing)
            if !failing.isEmpty {
                lines.append("")
                lines.append("Failing tests:")
                for name in failing.prefix(50) { lines.append("- `\(name)`") }
                if failing.count > 50 { lines.append("- … and \(failing.count - 50) more") }
            }
        } else {
            lines.append("")
            lines.append("Test result: not provided.")
        }
        lines.append("")
        lines.append("## Cleanup")
        lines.append("")
        let c = report.cleanup
        lines.append("| Objects | Versions | Delete markers | Uploads aborted | Tables | Database deleted | Bytes | Requests | Seconds | Passes |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        lines.append("| \(c.objectsDeleted) | \(c.versionsDeleted) | \(c.deleteMarkersDeleted) | \(c.uploadsAborted) | \(c.tablesDeleted) | \(c.databaseDeleted ? "yes" : "no") | \(c.bytesDeleted) | \(c.requests) | \(String(format: "%.2f", c.seconds)) | \(c.passes) |")
        if let throttles = c.throttles, let rate = c.deleteRate {
            lines.append("")
            lines.append("S3 throttled \(throttles) request(s) (SlowDown/503); effective delete rate \(Int(rate.rounded())) keys/s.")
        }
        lines.append("")
        if c.remainingUnknown == true {
            lines.append("After cleanup: what remains under the run prefix and whether the run database exists could not be listed.")
        } else {
            lines.append("After cleanup: \(c.objectsRemaining) object(s) and \(c.uploadsRemaining) upload(s) remain under the run prefix; the run database is \(c.databasePresent ? "present" : "absent").")
        }
        if !c.remainingSample.isEmpty {
            lines.append("")
            lines.append("Remaining (first keys): " + c.remainingSample.map { "`\($0)`" }.joined(separator: ", "))
        }
        if !report.reasons.isEmpty {
            lines.append("")
            lines.append("## Reasons")
            lines.append("")
            for reason in report.reasons { lines.append("- \(reason)") }
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
