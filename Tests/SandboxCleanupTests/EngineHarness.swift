import Foundation
import SandboxCore
import SandboxAWS
import SandboxCleanup
import SandboxServices
import SandboxSigV4
import SandboxTestSupport
import XCTest

/// The run id pattern these tests use: allows `...Z-2` next to `...Z`, so neighbours can share a prefix.
let testPattern = "^run-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?$"
let testBucket = "cleanup-tests-bucket"
let testRoot = "runs/"
let testGluePrefix = "sbx_"

func testScope(_ runId: String) throws -> RunScope {
    try RunScope(runId: RunID(runId, matching: testPattern), bucket: testBucket, root: testRoot, gluePrefix: testGluePrefix)
}

/// An engine wired through the real transport to a moto endpoint, with its own request counter.
func makeEngine(_ scope: RunScope, endpoint: URL, progress: CleanupProgress? = nil) throws -> CleanupEngine {
    let client = AWSClient(region: try Region("us-east-1"), endpoints: EndpointResolver(global: endpoint),
                           credentialProvider: StaticCredentialProvider(Credentials(accessKeyId: "AKIAIOSFODNN7EXAMPLE",
                                                                                    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")),
                           transport: AsyncHTTPClientTransport(), stats: RequestStats())
    return CleanupEngine(scope: scope, client: client, progress: progress)
}

/// What boto3 is asked to create: objects (explicit or in bulk), overwrites, deletes, uploads and Glue databases.
struct Seed: Encodable {
    struct Object: Encodable {
        let key: String
        let size: Int
    }
    struct Bulk: Encodable {
        /// `{i}` in the pattern is replaced by the zero-padded index.
        let pattern: String
        let count: Int
        let size: Int
    }
    var bucket = testBucket
    var versioned = false
    var objects: [Object] = []
    var bulk: [Bulk] = []
    /// Keys written again after the first pass (new versions in a versioned bucket).
    var overwrite: [String] = []
    /// Keys deleted afterwards (delete markers in a versioned bucket).
    var delete: [String] = []
    var uploads: [String] = []
    var databases: [String: [String]] = [:]

    mutating func add(_ key: String, size: Int = 7) { objects.append(Object(key: key, size: size)) }
}

/// One object version, delete marker or current object as boto3 lists it.
struct Entry: Codable, Hashable, Comparable {
    let key: String
    let versionId: String
    let etag: String
    let latest: Bool
    let size: Int
    let marker: Bool

    static func < (a: Entry, b: Entry) -> Bool {
        a.key == b.key ? a.versionId < b.versionId : Array(a.key.utf8).lexicographicallyPrecedes(Array(b.key.utf8))
    }
}

/// The independent witness: everything in the bucket and the Glue catalog, listed by boto3.
struct Snapshot: Codable, Equatable {
    var entries: [Entry]
    var uploads: [[String]]
    var glue: [String: [String]]

    /// The snapshot without anything under `prefix` (compared as bytes) and without `database`.
    func removing(prefix: String, database: String) -> Snapshot {
        let bytes = Array(prefix.utf8)
        return Snapshot(entries: entries.filter { !Array($0.key.utf8).starts(with: bytes) },
                        uploads: uploads.filter { !Array($0[0].utf8).starts(with: bytes) },
                        glue: glue.filter { $0.key != database })
    }

    func entries(under prefix: String) -> [Entry] {
        let bytes = Array(prefix.utf8)
        return entries.filter { Array($0.key.utf8).starts(with: bytes) }
    }
}

enum Witness {
    /// Seeds every bucket of `seeds` (in parallel threads), then lists `snapshot` buckets and the Glue catalog.
    static let script = #"""
from botocore.config import Config
from concurrent.futures import ThreadPoolExecutor
spec = json.load(open(sys.argv[1]))
cfg = Config(max_pool_connections=16, parameter_validation=False, request_checksum_calculation="when_required")
s3 = boto3.client("s3", config=cfg)
glue = boto3.client("glue")
pool = ThreadPoolExecutor(8)
def put(bucket, key, size):
    s3.put_object(Bucket=bucket, Key=key, Body=(key.encode() * (size // max(1, len(key.encode())) + 1))[:size])
for seed in spec["seeds"]:
    bucket = seed["bucket"]
    try:
        s3.create_bucket(Bucket=bucket)
    except s3.exceptions.BucketAlreadyOwnedByYou:
        pass
    if seed["versioned"]:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    items = [(o["key"], o["size"]) for o in seed["objects"]]
    for b in seed["bulk"]:
        width = len(str(b["count"] - 1))
        items += [(b["pattern"].replace("{i}", str(i).zfill(width)), b["size"]) for i in range(b["count"])]
    list(pool.map(lambda item: put(bucket, *item), items))
    list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b"again:" + k.encode()), seed["overwrite"]))
    list(pool.map(lambda k: s3.delete_object(Bucket=bucket, Key=k), seed["delete"]))
    for key in seed["uploads"]:
        s3.create_multipart_upload(Bucket=bucket, Key=key)
    for db, tables in seed["databases"].items():
        glue.create_database(DatabaseInput={"Name": db})
        for t in tables:
            glue.create_table(DatabaseName=db, TableInput={"Name": t, "StorageDescriptor": {"Location": "s3://" + bucket + "/x/"}})
out = {}
for bucket, versioned in spec["snapshot"]:
    entries = []
    if versioned:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for v in page.get("Versions", []):
                entries.append({"key": v["Key"], "versionId": v["VersionId"], "etag": v["ETag"], "latest": v["IsLatest"], "size": v["Size"], "marker": False})
            for m in page.get("DeleteMarkers", []):
                entries.append({"key": m["Key"], "versionId": m["VersionId"], "etag": "", "latest": m["IsLatest"], "size": 0, "marker": True})
    else:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for o in page.get("Contents", []):
                entries.append({"key": o["Key"], "versionId": "null", "etag": o["ETag"], "latest": True, "size": o["Size"], "marker": False})
    uploads = []
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        uploads += [[u["Key"], u["UploadId"]] for u in page.get("Uploads", [])]
    entries.sort(key=lambda e: (e["key"].encode(), e["versionId"]))
    uploads.sort(key=lambda u: (u[0].encode(), u[1]))
    out[bucket] = {"entries": entries, "uploads": uploads}
dbs = {}
if spec["snapshot"]:
    for page in glue.get_paginator("get_databases").paginate():
        for d in page["DatabaseList"]:
            dbs[d["Name"]] = sorted(t["Name"] for p in glue.get_paginator("get_tables").paginate(DatabaseName=d["Name"]) for t in p["TableList"])
for snapshot in out.values():
    snapshot["glue"] = dbs
print(json.dumps(out))
"""#

    struct Request: Encodable {
        let seeds: [Seed]
        let snapshot: [[AnyEncodable]]
    }

    /// Seeds, then snapshots the given buckets (bucket name -> versioned?).
    static func run(seeds: [Seed], snapshot buckets: [(String, Bool)], endpoint: URL) throws -> [String: Snapshot] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("witness-\(UUID().uuidString).json")
        let request = Request(seeds: seeds, snapshot: buckets.map { [AnyEncodable($0.0), AnyEncodable($0.1)] })
        try JSONEncoder().encode(request).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try Boto.run(script, endpoint: endpoint, arguments: [file.path])
        return try JSONDecoder().decode([String: Snapshot].self, from: Data(out.utf8))
    }

    /// Seeds one bucket and returns its snapshot.
    static func seed(_ seed: Seed, endpoint: URL) throws -> Snapshot {
        try XCTUnwrap(try run(seeds: [seed], snapshot: [(seed.bucket, seed.versioned)], endpoint: endpoint)[seed.bucket])
    }

    static func snapshot(endpoint: URL, bucket: String = testBucket, versioned: Bool) throws -> Snapshot {
        try XCTUnwrap(try run(seeds: [], snapshot: [(bucket, versioned)], endpoint: endpoint)[bucket])
    }
}

struct AnyEncodable: Encodable {
    let body: (Encoder) throws -> Void
    init<T: Encodable>(_ value: T) { body = value.encode }
    func encode(to encoder: Encoder) throws { try body(encoder) }
}

/// Base class: a shared moto server, reset before each test; skipped when moto is not installed.
class MotoTestCase: XCTestCase {
    var server: MotoServer!
    var endpoint: URL { server.endpoint }

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard MotoServer.isAvailable else { throw XCTSkip("moto is not installed (python3 -m pip install 'moto[server]')") }
        server = try MotoServer.shared()
        try server.reset()
    }
}
