import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SandboxAWS
import SandboxCleanup
import SandboxServices
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// Cleanup against the synthetic S3 (`bench/synthetic_s3.py`) with S3's per-prefix DELETE limit modelled tightly:
/// with the default settings it finishes under sustained SlowDown and leaves nothing.
final class SustainedSlowDownTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testCleanupFinishesUnderSustainedSlowDownWithDefaults() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.repoRoot.appendingPathComponent("bench/synthetic_s3.py").path, "--port", "0", "--delete-rate", "4000"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        // SIGKILL by PID: the test process blocks SIGTERM and its children inherit the mask.
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        let port = try XCTUnwrap(text.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }, text)
        let endpoint = try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)"))
        let runId = "run-20250401T000000Z"
        let keys = 20_000
        try await post(endpoint, "/_seed?bucket=\(testBucket)&prefix=runs/\(runId)/&count=\(keys)&fanout=8")
        try await post(endpoint, "/_seed?bucket=\(testBucket)&prefix=runs/\(runId)-2/&count=10&fanout=1")

        let started = Date()
        let result = try await makeEngine(try testScope(runId), endpoint: endpoint).run()
        let seconds = Date().timeIntervalSince(started)

        XCTAssertNil(result.error)
        XCTAssertTrue(result.proven, "\(result.remaining)")
        XCTAssertEqual(result.objectsDeleted, keys)
        XCTAssertGreaterThan(result.throttles, 0, "the token bucket must have answered SlowDown")
        XCTAssertGreaterThan(result.deleteRate, 0)
        let stats = try await get(endpoint, "/_stats")
        XCTAssertEqual(stats["remaining"] as? Int, 10, "only the neighbour run's keys are left")
        XCTAssertEqual(stats["deletes"] as? Int, keys / 1000, "every accepted DeleteObjects carried 1,000 keys")
        XCTAssertGreaterThan(stats["slowdowns"] as? Int ?? 0, 0)
        // Not a timing assertion: the floor is 5 s at 4,000 keys/s; the log line helps read a slow CI run.
        print("sustained SlowDown: \(keys) keys in \(String(format: "%.1f", seconds)) s, \(result.throttles) throttles, \(Int(result.deleteRate)) keys/s, \(result.requests) requests")
    }

    private func post(_ endpoint: URL, _ path: String) async throws {
        var request = URLRequest(url: try XCTUnwrap(URL(string: endpoint.absoluteString + path)))
        request.httpMethod = "POST"
        _ = try await URLSession.shared.data(for: request)
    }

    private func get(_ endpoint: URL, _ path: String) async throws -> [String: Any] {
        let (data, _) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: endpoint.absoluteString + path)))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
