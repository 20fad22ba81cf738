import Foundation
import SandboxCleanup
import SandboxCore
import SandboxFuzzing
import SandboxStack
import SandboxTestSupport
import SandboxProviders
import XCTest

/// The fuzz properties (`Tests/Fuzz`, `make fuzz` runs them coverage-guided under libFuzzer) run here on a bounded,
/// seeded stream of mutated inputs, so every `make test` repeats exactly the same cases.
final class FuzzPropertyTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let tokens: [String] = [
        ":", "\n", "  ", "- ", "${", "}", "\"", "'", "&a ", "*a", "\\n", "\u{1B}[31m", "\u{0}", "{", "[", "]", "#", ",", "\t", "? ",
        "version: 2\n", "type: s3_bucket\n", "depends_on: [bucket]\n", "e\u{301}", "\u{2028}", "${var.owner}", "${bucket.name}", "!!str ",
        "---\n", "...", "|\n", ">-\n", "%", "~", "null", "1e309", "-1", "0x10", "\"\\u0007\"", "\"a\\nb\": 1\n", "runs/", "../",
    ]

    static func mutate(_ input: [UInt8], _ pool: [[UInt8]], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8.random(in: 1...255, using: &rng)
            case 1:
                bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: at)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...32, using: &rng))
                if at < end { bytes.removeSubrange(at..<end) }
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &rng))
                if at < end { bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &rng)) }
            case 4:
                let other = pool.randomElement(using: &rng)!
                if !other.isEmpty {
                    let from = Int.random(in: 0..<other.count, using: &rng)
                    bytes.insert(contentsOf: other[from..<min(other.count, from + Int.random(in: 1...120, using: &rng))], at: at)
                }
            default:
                bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            }
        }
        return bytes
    }

    func stackSeeds() throws -> [[UInt8]] {
        var seeds = [Array(try Data(contentsOf: Self.root.appendingPathComponent("Stacks/aws-provider-tests.yaml")))]
        let corpus = Self.root.appendingPathComponent("Tests/Corpus/stacks")
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() where name.hasSuffix(".yaml") {
            let data = try Data(contentsOf: corpus.appendingPathComponent(name))
            if data.count < 200_000 { seeds.append(Array(data)) }
        }
        seeds.append(Array("version: 1\nname: t\nresources:\n  b: { type: s3_bucket }\n".utf8))
        return seeds
    }

    func testStackParserPropertiesHoldOnSeededMutations() throws {
        let seeds = try stackSeeds()
        var rng = SeededGenerator(seed: 0x5EED_57AC)
        var accepted = 0, refused = 0
        for seed in seeds {
            XCTAssertNil(FuzzTargets.stack(seed), "seed input")
        }
        for iteration in 0..<2_500 {
            // Mostly small edits of the two valid seeds (the reference stack, a minimal one), some of the corpus.
            let base = Int.random(in: 0..<10, using: &rng) < 7 ? (Bool.random(using: &rng) ? seeds[0] : seeds[seeds.count - 1])
                : seeds.randomElement(using: &rng)!
            let input = Self.mutate(base, seeds, &rng)
            if let problem = FuzzTargets.stack(input) {
                XCTFail("iteration \(iteration): \(problem)\ninput: \(String(decoding: input.prefix(400), as: UTF8.self).debugDescription)")
                return
            }
            if (try? StackParser.parse(String(decoding: input, as: UTF8.self), file: "f.yaml")) != nil { accepted += 1 } else { refused += 1 }
        }
        XCTAssertGreaterThan(accepted, 60, "the mutations keep some stacks valid")
        XCTAssertGreaterThan(refused, 600)
    }

    func testRunScopePropertiesHoldOnSeededInputs() {
        var rng = SeededGenerator(seed: 0x0052_554E)
        let alphabet = Array("floe-provider-20260101T000000Z".unicodeScalars) + ["/", ".", "..", "\\", "*", "%", "_", " ", "\u{0}", "\u{301}", "é", "A", "z", "-", "\u{7F}", "runs/"]
            .flatMap(\.unicodeScalars)
        func text(_ maximum: Int) -> String {
            var out = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...maximum, using: &rng) { out.append(alphabet.randomElement(using: &rng)!) }
            return String(out)
        }
        var built = 0
        for iteration in 0..<12_000 {
            let runId = Bool.random(using: &rng) ? "floe-provider-2026\(Int.random(in: 1000...1299, using: &rng))T\(Int.random(in: 100_000...235_959, using: &rng))Z" : text(40)
            let fields = [runId, text(20) + (Bool.random(using: &rng) ? "\u{301}x" : ""), Bool.random(using: &rng) ? runId + "x" : text(20),
                          ["runs/", "a/b/", "", "runs", "r/../", "ü/"].randomElement(using: &rng)!, ["floe_provider_", "", "P_", "a-b_"].randomElement(using: &rng)!]
            let input = [UInt8.random(in: 0...255, using: &rng)] + Array(fields.joined(separator: "\u{1F}").utf8)
            if let problem = FuzzTargets.runScope(input) {
                XCTFail("iteration \(iteration): \(problem)\nfields: \(fields.map(\.debugDescription))")
                return
            }
            if (try? RunScope(runId: runId, bucket: "floe-provider-tests-123456789012-us-east-1", root: "runs/", gluePrefix: "floe_provider_",
                              idPattern: ".+")) != nil { built += 1 }
        }
        XCTAssertGreaterThan(built, 1_200, "enough inputs make a scope to test contains(key:)")
    }

    // MARK: - Regressions the properties found

    /// S3 lists "runs/ID/\u{301}x" under the prefix "runs/ID/"; `String.hasPrefix` compares characters and said no,
    /// so cleanup refused the key and its verification did not count it: PASS while the object remained.
    func testAKeyStartingWithACombiningMarkIsInsideTheRun() throws {
        let scope = try RunScope(runId: "floe-provider-20260101T000000Z", bucket: "floe-provider-tests-123456789012-us-east-1", root: "runs/",
                                 gluePrefix: "floe_provider_", idPattern: "^floe-provider-[0-9]{8}T[0-9]{6}Z$")
        XCTAssertTrue(scope.contains(key: scope.prefix + "\u{301}x"))
        XCTAssertTrue(scope.contains(key: scope.prefix + "\u{20DD}"))
        XCTAssertFalse(scope.contains(key: "runs/floe-provider-20260101T000000Z\u{301}/x"), "a different folder")
        XCTAssertFalse(scope.contains(key: scope.prefix + "a\u{0}b"))
        XCTAssertNil(FuzzTargets.runScope([0] + Array(("floe-provider-20260101T000000Z\u{1F}\u{301}x").utf8)))
    }

    /// A run root (it can come from a variable) with control characters was echoed raw in the refusal.
    func testRunScopeRefusalsEscapeControlCharacters() {
        for (root, prefix) in [("r\u{0}\u{0}n-1x", "floe_provider_"), ("runs/", "p\u{1B}[2J_"), ("runs/\n", "floe_provider_")] {
            XCTAssertThrowsError(try RunScope(runId: "run-1", bucket: "floe-provider-tests-123456789012-us-east-1", root: root,
                                              gluePrefix: prefix, idPattern: ".+")) { error in
                let message = (error as? SandboxError)?.userMessage ?? "\(error)"
                XCTAssertTrue(FuzzTargets.isOneLine(message), message.debugDescription)
            }
        }
        XCTAssertNil(FuzzTargets.runScope([0x80] + Array("run-1\u{1F}x\u{1F}y\u{1F}r\u{0}\u{0}n-1x".utf8)))
        // The run id comes from the command line; String.debugDescription leaves C1 controls such as U+0098 raw.
        XCTAssertThrowsError(try RunScope(runId: "\u{1}\u{98}", bucket: "floe-provider-tests-123456789012-us-east-1", root: "runs/",
                                          gluePrefix: "floe_provider_", idPattern: ".+")) { error in
            let message = (error as? SandboxError)?.userMessage ?? ""
            XCTAssertTrue(message.contains(#"\u{98}"#) && FuzzTargets.isOneLine(message), message.debugDescription)
        }
    }

    /// Keys echoed in diagnostics carried newlines and terminal escapes into one-line errors.
    func testDiagnosticsEscapeControlCharacters() {
        let yaml = "version: 1\nname: x\n\"bad\\nkey\\u001b[31m\\u2028\": 1\nresources: {}\n"
        XCTAssertNil(FuzzTargets.stack(Array(yaml.utf8)))
        do {
            _ = try StackParser.parse(yaml, file: "t.yaml")
            XCTFail("accepted an unknown key")
        } catch let error as DiagnosticsError {
            let message = error.diagnostics.map(\.description).joined(separator: "|")
            XCTAssertTrue(message.contains(#"unknown key 'bad\nkey\u{1B}[31m\u{2028}'"#), message)
            XCTAssertTrue(FuzzTargets.isOneLine(error.userMessage), error.userMessage)
        } catch {
            XCTFail("\(error)")
        }
        XCTAssertEqual(Diagnostic(at: nil, "tab\there\r\n\u{7}").message, #"tab\there\r\n\u{7}"#)
        XCTAssertEqual(Diagnostic(at: nil, "plain 'é' text: ${x}").message, "plain 'é' text: ${x}")
    }
}
