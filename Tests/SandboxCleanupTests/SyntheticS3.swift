import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `bench/synthetic_s3.py` on a free loopback port, stopped by its PID.
final class SyntheticS3 {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("bench/synthetic_s3.py")
    let process = Process()
    let endpoint: URL

    init(arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, "--port", "0"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = text.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
              let url = URL(string: "http://127.0.0.1:\(port)") else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw XCTSkip("synthetic_s3.py did not announce a port: \(text)")
        }
        endpoint = url
    }

    /// SIGKILL by PID: the test process blocks SIGTERM and its children inherit the mask.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func post(_ path: String) async throws {
        var request = URLRequest(url: try XCTUnwrap(URL(string: endpoint.absoluteString + path)))
        request.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: request)
    }

    func stats() async throws -> [String: Any] {
        let (data, _) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: endpoint.absoluteString + "/_stats")))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
