import Foundation
import SandboxAWS

/// A ListObjectsV2 or ListObjectVersions page read as it streams, without an element tree: cleanup lists a
/// million keys a thousand at a time, several pages at once, and a page's tree was six nodes and three strings a key.
///
/// It reads what the tree decoders read (the first of a repeated leaf, entries in document order) and decodes the
/// page once it is complete, because `EncodingType` may come after the keys it applies to.
struct S3ListPageReader: XMLEventReader {
    /// One `Contents`, `Version` or `DeleteMarker`: its leaves as sent.
    struct Entry {
        var isDeleteMarker = false
        var key, versionId, isLatest, size, eTag, lastModified: String?
    }

    private(set) var entries: [Entry] = []
    private(set) var commonPrefixes: [String] = []
    private var page: [String: String] = [:]
    private var entry: Entry?
    private var prefixElement: (open: Bool, prefix: String?) = (false, nil)
    private let entryNames: Set<String>

    /// `versions`: entries are `Version` and `DeleteMarker` elements; otherwise `Contents`.
    init(versions: Bool) {
        entryNames = versions ? ["Version", "DeleteMarker"] : ["Contents"]
        entries.reserveCapacity(1000)
    }

    mutating func open(_ name: String, depth: Int) {
        guard depth == 1 else { return }
        if entryNames.contains(name) {
            entry = Entry(isDeleteMarker: name == "DeleteMarker")
        } else if name == "CommonPrefixes" {
            prefixElement = (true, nil)
        }
    }

    /// Asked for every leaf (six a key): a switch on the name, no hashing.
    func wantsText(of name: String, depth: Int) -> Bool {
        switch (depth, name) {
        case (1, "IsTruncated"), (1, "NextContinuationToken"), (1, "KeyCount"), (1, "EncodingType"), (1, "NextKeyMarker"), (1, "NextVersionIdMarker"):
            true
        case (2, "Key"), (2, "VersionId"), (2, "IsLatest"), (2, "Size"), (2, "ETag"), (2, "LastModified"):
            entry != nil
        case (2, "Prefix"):
            entry == nil && prefixElement.open
        default:
            false
        }
    }

    mutating func text(_ text: String, of name: String, depth: Int) {
        if depth == 1 {
            if page[name] == nil { page[name] = text }
        } else if depth == 2, entry != nil {
            switch name {
            case "Key": if entry?.key == nil { entry?.key = text }
            case "VersionId": if entry?.versionId == nil { entry?.versionId = text }
            case "IsLatest": if entry?.isLatest == nil { entry?.isLatest = text }
            case "Size": if entry?.size == nil { entry?.size = text }
            case "ETag": if entry?.eTag == nil { entry?.eTag = text }
            case "LastModified": if entry?.lastModified == nil { entry?.lastModified = text }
            default: break
            }
        } else if depth == 2, prefixElement.open, prefixElement.prefix == nil {
            prefixElement.prefix = text
        }
    }

    mutating func close(_ name: String, depth: Int) {
        guard depth == 1 else { return }
        if let done = entry {
            entries.append(done)
            entry = nil
        } else if prefixElement.open {
            if let prefix = prefixElement.prefix { commonPrefixes.append(prefix) }
            prefixElement = (false, nil)
        }
    }

    private var decode: @Sendable (String) -> String { S3Wire.keyDecoder(encodingType: page["EncodingType"]) }
    private var isTruncated: Bool { S3Wire.bool(page["IsTruncated"]) ?? false }

    var objectListPage: ObjectListPage {
        let decode = decode
        let objects = entries.map { entry in
            S3Object(key: decode(entry.key ?? ""), size: S3Wire.int(entry.size) ?? 0, eTag: S3Wire.nonEmpty(entry.eTag),
                     lastModified: Timestamp.parse(entry.lastModified))
        }
        let prefixes = commonPrefixes.map(decode)
        return ObjectListPage(objects: objects, commonPrefixes: prefixes,
                              nextContinuationToken: isTruncated ? S3Wire.nonEmpty(page["NextContinuationToken"]) : nil,
                              isTruncated: isTruncated, keyCount: S3Wire.int(page["KeyCount"]) ?? (objects.count + prefixes.count))
    }

    var versionListPage: VersionListPage {
        let decode = decode
        let versions = entries.map { entry in
            ObjectVersion(key: decode(entry.key ?? ""), versionId: entry.versionId ?? "null", isLatest: S3Wire.bool(entry.isLatest) ?? false,
                          size: S3Wire.int(entry.size) ?? 0, isDeleteMarker: entry.isDeleteMarker, eTag: S3Wire.nonEmpty(entry.eTag),
                          lastModified: Timestamp.parse(entry.lastModified))
        }
        return VersionListPage(versions: versions, commonPrefixes: commonPrefixes.map(decode),
                               nextKeyMarker: isTruncated ? S3Wire.nonEmpty(page["NextKeyMarker"]).map(decode) : nil,
                               nextVersionIdMarker: isTruncated ? S3Wire.nonEmpty(page["NextVersionIdMarker"]) : nil,
                               isTruncated: isTruncated)
    }
}
