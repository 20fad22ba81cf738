import Foundation
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// Signs seeded, generated requests with our signer and with botocore (through `botocore_sign.py`, run once)
/// and compares every Authorization header exactly.
final class BotocoreCrossCheckTests: XCTestCase {
    static let requestCount = 60
    static let seed: UInt64 = 0x5167_4EC0_2026

    func testAuthorizationMatchesBotocoreForGeneratedRequests() throws {
        var generator = RequestGenerator(seed: Self.seed)
        let cases = (0..<Self.requestCount).map { _ in generator.next() }
        let answers = try BotocoreSigner.sign(cases)
        XCTAssertEqual(answers.count, cases.count, "botocore answered a different number of requests")

        for (index, (item, theirs)) in zip(cases, answers).enumerated() {
            let ours = item.signOurs()
            if ours.authorization != theirs.authorization {
                XCTFail("""
                    request \(index) (\(item.label)): \(item.method) \(item.url)
                    ours:     \(ours.authorization)
                    botocore: \(theirs.authorization)
                    --- our canonical request ---
                    \(ours.canonicalRequest)
                    --- botocore's canonical request ---
                    \(theirs.canonicalRequest)
                    """)
            }
        }
    }

    /// Guards the generator itself: the cross-check is only as good as the shapes it covers.
    func testGeneratedRequestsCoverTheTrickyShapes() {
        var generator = RequestGenerator(seed: Self.seed)
        let cases = (0..<Self.requestCount).map { _ in generator.next() }
        let labels = Set(cases.map(\.label))
        for label in ["s3-virtual", "s3-path", "iam-form", "sts-form", "iam-get", "glue-json", "budgets-json", "rest-json-path"] {
            XCTAssertTrue(labels.contains(label), "no \(label) request generated")
        }
        let s3Paths = cases.filter { $0.service == "s3" }.map(\.path).joined()
        for fragment in [" ", "+", "~", "%", "=", "ü"] + RequestGenerator.keyParts {
            XCTAssertTrue(s3Paths.contains(fragment), "no S3 key with '\(fragment)'")
        }
        XCTAssertTrue(cases.contains { Set($0.query.map(\.0)).count < $0.query.count }, "no repeated query key")
        XCTAssertTrue(cases.contains { $0.query.contains { $0.1.isEmpty } }, "no empty query value")
        XCTAssertTrue(cases.contains { $0.body.isEmpty }, "no empty body")
        XCTAssertTrue(cases.contains { $0.body.contains(0xFF) || $0.body.contains(0x00) }, "no binary body")
        XCTAssertTrue(cases.contains { $0.credentials.sessionToken != nil }, "no session token")
        XCTAssertTrue(cases.contains { $0.credentials.sessionToken == nil }, "no long-term keys")
        XCTAssertTrue(cases.contains { $0.headers["X-Amz-Target"] != nil }, "no X-Amz-Target")
    }

    func testGeneratorIsDeterministic() {
        var first = RequestGenerator(seed: Self.seed)
        var second = RequestGenerator(seed: Self.seed)
        for _ in 0..<10 {
            XCTAssertEqual(first.next().signOurs().authorization, second.next().signOurs().authorization)
        }
    }
}

// MARK: - Generated requests

struct CrossCheckRequest {
    var label: String
    var service: String
    var region: String
    var method: String
    var scheme: String
    var host: String
    /// Decoded, as `SigningRequest.path` takes it.
    var path: String
    var query: [(String, String)]
    var headers: [String: String]
    var body: Data
    var credentials: Credentials
    var date: Date

    /// The wire URL, built as `AWSClient.address` builds it: the decoded path encoded once, slashes kept.
    var url: String {
        var text = "\(scheme)://\(host)\(URIEncoding.encode(path, keepSlash: true))"
        if !query.isEmpty {
            text += "?" + query.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        }
        return text
    }

    func signOurs() -> SignedRequest {
        let request = SigningRequest(method: method, host: host, path: path, query: query, headers: headers, body: body)
        return SigV4Signer(service: service, region: region).sign(request, credentials: credentials, date: date)
    }

    var json: [String: Any] {
        [
            "method": method,
            "url": url,
            "headers": headers,
            "body": body.base64EncodedString(),
            "accessKey": credentials.accessKeyId,
            "secret": credentials.secretAccessKey,
            "token": credentials.sessionToken.map { $0 as Any } ?? NSNull(),
            "region": region,
            "service": service,
            "timestamp": SigV4Signer.amzDate(date),
        ]
    }
}

/// Drawing helpers for the request generator.
extension SeededGenerator {
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }

    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }

    mutating func string(_ alphabet: String, count: Int) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { _ in characters[int(characters.count)] })
    }

    mutating func bytes(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }) }
}

struct RequestGenerator {
    private var random: SeededGenerator
    private var counter = 0

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    static let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-2", "sa-east-1"]
    static let keyParts = [
        "my file.txt", "ünïcödé", "文件.txt", "a+b", "tilde~name", "100%", "k=v", "two  spaces", "emoji😀",
        "semi;colon,comma", "quote'apos", "hash#mark", "question?", "(paren)[bracket]", "*star", "amp&er", "plain",
        "dash-under_dot.", "colon:at@", "dollar$", "caret^back`", "pipe|brace{}",
    ]
    static let queryValues = ["", "a b", "x+y", "tilde~", "50%", "k=v", "ünï", "a/b", "&amp", "*", "plain"]
    static let keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    static let secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    mutating func next() -> CrossCheckRequest {
        defer { counter += 1 }
        // Cycle through the shapes so every one appears; randomise everything inside a shape.
        switch counter % 8 {
        case 0: return s3(virtualHosted: true)
        case 1: return s3(virtualHosted: false)
        case 2: return queryForm(service: "iam")
        case 3: return queryForm(service: "sts")
        case 4: return iamGet()
        case 5: return json(service: "glue", target: "AWSGlue", operations: ["GetTable", "CreateDatabase", "GetDatabases", "DeleteTable"])
        case 6: return json(service: "budgets", target: "AWSBudgetServiceGateway", operations: ["CreateBudget", "DescribeBudget", "DeleteBudget"])
        default: return restJSONPath()
        }
    }

    private mutating func credentials() -> Credentials {
        let id = (random.chance(50) ? "AKIA" : "ASIA") + random.string(Self.keyAlphabet, count: 16)
        let secret = random.string(Self.secretAlphabet, count: 40)
        let token = random.chance(50) ? random.string(Self.secretAlphabet, count: 40 + random.int(300)) + "==" : nil
        return Credentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
    }

    private mutating func date() -> Date {
        // Anywhere from 2015 to 2035, to the second.
        Date(timeIntervalSince1970: TimeInterval(1_420_070_400 + random.int(631_152_000)))
    }

    private mutating func customEndpoint() -> (String, String) {
        random.pick([("http", "127.0.0.1:5000"), ("http", "localhost:4566"), ("https", "s3-proxy.internal.example:8443")])
    }

    private var s3Count = 0

    /// Two key parts taken in turn (so every tricky part appears), plus up to two random ones.
    private mutating func s3Key() -> String {
        var parts = [Self.keyParts[(2 * s3Count) % Self.keyParts.count], Self.keyParts[(2 * s3Count + 1) % Self.keyParts.count]]
        s3Count += 1
        for _ in 0..<random.int(3) { parts.insert(random.pick(Self.keyParts), at: random.int(parts.count + 1)) }
        var key = parts.joined(separator: "/")
        if random.chance(10) { key += "/" }
        return key
    }

    private mutating func s3(virtualHosted: Bool) -> CrossCheckRequest {
        let region = random.pick(Self.regions)
        let bucket = "sandbox-\(random.string("abcdefghijklmnopqrstuvwxyz0123456789", count: 8))"
        let key = s3Key()
        let scheme: String
        let host: String
        let path: String
        if virtualHosted {
            (scheme, host, path) = ("https", "\(bucket).s3.\(region).amazonaws.com", "/" + key)
        } else {
            (scheme, host) = customEndpoint()
            path = "/\(bucket)/\(key)"
        }

        var method = random.pick(["GET", "PUT", "HEAD", "DELETE", "POST", "GET"])
        var query: [(String, String)] = []
        switch random.int(7) {
        case 0:
            query = [("list-type", "2"), ("prefix", random.pick(Self.keyParts)), ("delimiter", "/")]
            if random.chance(50) { query.append(("continuation-token", random.string(Self.secretAlphabet, count: 24) + "=")) }
        case 1: query = [("tagging", "")]
        case 2: query = [("uploads", "")]; method = "POST"
        case 3: query = [("partNumber", String(1 + random.int(10_000))), ("uploadId", random.string(Self.secretAlphabet, count: 30))]
        case 4: query = [("versions", ""), ("key-marker", random.pick(Self.keyParts)), ("version-id-marker", random.pick(Self.queryValues))]
        case 5:
            // Repeated keys, in an order the canonical sort must fix, some with empty values.
            let name = random.pick(["x", "filter", "ünï key"])
            query = [(name, random.pick(Self.queryValues)), ("a", ""), (name, random.pick(Self.queryValues)), (name, "")]
        default: break
        }

        var headers: [String: String] = [:]
        var body = Data()
        if method == "PUT" || method == "POST" {
            switch random.int(3) {
            case 0: body = Data()
            case 1: body = random.bytes(1 + random.int(2048))
            default:
                body = Data("<Tagging><TagSet><Tag><Key>owner</Key><Value>ünï &amp; co</Value></Tag></TagSet></Tagging>".utf8)
                headers["Content-Type"] = "application/xml"
            }
            if random.chance(50) { headers["Content-MD5"] = Data(random.bytes(16)).base64EncodedString() }
            if random.chance(40) { headers["x-amz-meta-Note"] = "  several   inner \t  spaces\t and tabs  " }
            if random.chance(40) { headers["x-amz-acl"] = "private" }
            if random.chance(30) { headers["x-amz-tagging"] = "k=v&other=a%20b" }
            if random.chance(30) { headers["If-None-Match"] = "*" }
        } else if method == "GET", random.chance(50) {
            headers["Range"] = "bytes=0-\(random.int(4096))"
        }
        return CrossCheckRequest(label: virtualHosted ? "s3-virtual" : "s3-path", service: "s3", region: region, method: method,
                                 scheme: scheme, host: host, path: path, query: query, headers: headers, body: body,
                                 credentials: credentials(), date: date())
    }

    private mutating func queryForm(service: String) -> CrossCheckRequest {
        let region = service == "iam" ? "us-east-1" : random.pick(Self.regions)
        let (scheme, host) = random.chance(25) ? customEndpoint()
            : ("https", service == "iam" ? "iam.amazonaws.com" : "sts.\(region).amazonaws.com")
        var pairs: [(String, String)]
        if service == "iam" {
            pairs = [("Action", random.pick(["CreateRole", "TagRole", "GetUser"])), ("Version", "2010-05-08"),
                     ("RoleName", "sandbox-\(random.string("abcdef0123456789", count: 6))"),
                     ("AssumeRolePolicyDocument", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"glue.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#),
                     ("Tags.member.1.Key", "owner"), ("Tags.member.1.Value", random.pick(Self.queryValues))]
        } else {
            pairs = [("Action", random.pick(["GetCallerIdentity", "AssumeRole"])), ("Version", "2011-06-15"),
                     ("RoleArn", "arn:aws:iam::123456789012:role/sandbox+role=x"), ("RoleSessionName", "sandbox@\(random.int(1000))")]
        }
        let body = pairs.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        return CrossCheckRequest(label: "\(service)-form", service: service, region: region, method: "POST", scheme: scheme,
                                 host: host, path: "/", query: [],
                                 headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                                 body: Data(body.utf8), credentials: credentials(), date: date())
    }

    private mutating func iamGet() -> CrossCheckRequest {
        let query: [(String, String)] = [("Version", "2010-05-08"), ("Action", random.pick(["ListUsers", "ListRoles"])),
                                         ("PathPrefix", random.pick(["/", "/sandbox/", "/a b/", "/ünï/"])),
                                         ("MaxItems", String(1 + random.int(1000)))]
        return CrossCheckRequest(label: "iam-get", service: "iam", region: "us-east-1", method: "GET", scheme: "https",
                                 host: "iam.amazonaws.com", path: "/", query: query,
                                 headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                                 body: Data(), credentials: credentials(), date: date())
    }

    private mutating func json(service: String, target: String, operations: [String]) -> CrossCheckRequest {
        let region = service == "budgets" ? "us-east-1" : random.pick(Self.regions)
        let (scheme, host) = random.chance(25) ? customEndpoint()
            : ("https", service == "budgets" ? "budgets.amazonaws.com" : "\(service).\(region).amazonaws.com")
        let name = "sandbox_\(random.string("abcdefghijklmnopqrstuvwxyz", count: 6))"
        let body = random.chance(15) ? "{}" : #"{"DatabaseName":"\#(name)","Description":"ünïcödé \"quoted\" + 100%","Tags":{"owner":"a b"}}"#
        return CrossCheckRequest(label: "\(service)-json", service: service, region: region, method: "POST", scheme: scheme,
                                 host: host, path: "/", query: [],
                                 headers: ["Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "\(target).\(random.pick(operations))"],
                                 body: Data(body.utf8), credentials: credentials(), date: date())
    }

    /// A non-S3 service with a path that needs encoding: the path is encoded twice in the canonical request.
    private mutating func restJSONPath() -> CrossCheckRequest {
        let region = random.pick(Self.regions)
        let function = random.pick(["my function", "fn:prod", "ünï", "a+b", "tilde~x", "50%", "k=v"])
        let query: [(String, String)] = random.chance(50) ? [("Qualifier", random.pick(Self.queryValues))] : []
        return CrossCheckRequest(label: "rest-json-path", service: "lambda", region: region, method: random.pick(["GET", "POST"]),
                                 scheme: "https", host: "lambda.\(region).amazonaws.com",
                                 path: "/2015-03-31/functions/\(function)/invocations", query: query,
                                 headers: ["Content-Type": "application/json"], body: Data(#"{"k":"v"}"#.utf8),
                                 credentials: credentials(), date: date())
    }
}

// MARK: - botocore

enum BotocoreSigner {
    struct Answer: Decodable {
        let authorization: String
        let canonicalRequest: String
    }

    static var scriptURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("botocore_sign.py")
    }

    /// Runs `python3 botocore_sign.py` once for all requests. Skips when python3 or botocore is missing.
    static func sign(_ requests: [CrossCheckRequest]) throws -> [Answer] {
        let input = try JSONSerialization.data(withJSONObject: requests.map(\.json))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-botocore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputURL = scratch.appendingPathComponent("in.json")
        let outputURL = scratch.appendingPathComponent("out.json")
        let errorURL = scratch.appendingPathComponent("err.txt")
        try input.write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)

        // Files, not pipes: no deadlock whatever the sizes.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path]
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        do {
            try process.run()
        } catch {
            throw XCTSkip("cannot run python3 for the botocore cross-check: \(error)")
        }
        process.waitUntilExit()

        let stderr = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        switch process.terminationStatus {
        case 0: break
        case 3: throw XCTSkip("botocore cross-check skipped: \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        case 127: throw XCTSkip("botocore cross-check skipped: python3 is not on PATH")
        default:
            XCTFail("botocore_sign.py exited \(process.terminationStatus): \(stderr)")
            return []
        }
        return try JSONDecoder().decode([Answer].self, from: Data(contentsOf: outputURL))
    }
}
