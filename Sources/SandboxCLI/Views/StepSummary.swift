import Foundation

/// Appends Markdown to the file `GITHUB_STEP_SUMMARY` names, creating it when it does not exist yet.
enum StepSummary {
    static func append(_ markdown: String, environment: [String: String]) {
        guard let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(Data((markdown + "\n").utf8))
        try? handle.close()
    }
}
