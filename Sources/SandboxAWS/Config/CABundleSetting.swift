import Foundation

/// Which CAs to trust, as botocore decides: `AWS_CA_BUNDLE`, else the selected profile's `ca_bundle`, else the system
/// store. A bundle replaces the system store rather than adding to it, as it does for the AWS CLI.
public enum CABundleSetting {
    public static func resolve(environment: [String: String], profile: ConfigProfile) throws -> TrustStore {
        if let path = environment["AWS_CA_BUNDLE"]?.trimmingCharacters(in: .whitespaces), !path.isEmpty {
            return try TrustStore.bundle(path: path, origin: "AWS_CA_BUNDLE")
        }
        if let path = profile.value("ca_bundle") {
            return try TrustStore.bundle(path: path, origin: profile.location(of: "ca_bundle"))
        }
        return .system
    }
}
