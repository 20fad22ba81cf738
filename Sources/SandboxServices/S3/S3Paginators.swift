import Foundation

/// Listings as async sequences of pages, following S3's continuation tokens and markers.
extension S3Client {
    /// Every page of `ListObjectsV2` under `prefix`.
    public func objectPages(bucket: String, prefix: String? = nil, delimiter: String? = nil) -> PageSequence<ObjectListPage> {
        .tokens(service: "S3", operation: "ListObjectsV2") { (token: String?) in
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, delimiter: delimiter, continuationToken: token)
            return (page, page.isTruncated ? page.nextContinuationToken : nil)
        }
    }

    /// Every page of `ListObjectVersions` under `prefix` (versions and delete markers).
    public func versionPages(bucket: String, prefix: String? = nil) -> PageSequence<VersionListPage> {
        .tokens(service: "S3", operation: "ListObjectVersions") { (marker: Marker?) in
            let page = try await listObjectVersions(bucket: bucket, prefix: prefix, keyMarker: marker?.key, versionIdMarker: marker?.id)
            guard page.isTruncated, let key = page.nextKeyMarker else { return (page, nil) }
            return (page, Marker(key: key, id: page.nextVersionIdMarker))
        }
    }

    /// Every page of in-progress multipart uploads under `prefix`.
    public func uploadPages(bucket: String, prefix: String? = nil) -> PageSequence<UploadListPage> {
        .tokens(service: "S3", operation: "ListMultipartUploads") { (marker: Marker?) in
            let page = try await listMultipartUploads(bucket: bucket, prefix: prefix, keyMarker: marker?.key, uploadIdMarker: marker?.id)
            guard page.isTruncated, let key = page.nextKeyMarker else { return (page, nil) }
            return (page, Marker(key: key, id: page.nextUploadIdMarker))
        }
    }

    /// A key marker with its companion version-id or upload-id marker.
    struct Marker: Sendable, Equatable {
        let key: String
        let id: String?
    }
}
