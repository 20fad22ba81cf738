import Foundation
import NIOSSL
import SandboxCore

/// The CAs a server certificate must chain to: the system store, or a PEM bundle that replaces it (as botocore does).
public enum TrustStore: Sendable, CustomStringConvertible {
    case system
    /// Certificates read from `path`; `origin` says which setting named it (`AWS_CA_BUNDLE`, a profile's `ca_bundle`).
    case bundle(path: String, origin: String, certificates: [NIOSSLCertificate])

    /// Reads every certificate of a PEM bundle; a missing, unreadable or certificate-less file is a setup error.
    public static func bundle(path: String, origin: String) throws -> TrustStore {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SimpleError(.credentials, "\(origin): CA bundle \(path) does not exist or cannot be read; point it at a readable PEM file or unset it to use the system store")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw SimpleError(.credentials, "\(origin): CA bundle \(path) is not a PEM file of certificates (\(error)); export the CA as PEM ('-----BEGIN CERTIFICATE-----')")
        }
        guard !certificates.isEmpty else {
            throw SimpleError(.credentials, "\(origin): CA bundle \(path) holds no PEM certificate; export the CA as PEM ('-----BEGIN CERTIFICATE-----')")
        }
        return .bundle(path: path, origin: origin, certificates: certificates)
    }

    /// Names the store in error hints.
    public var description: String {
        switch self {
        case .system: return "the system trust store"
        case .bundle(let path, let origin, _): return "the CA bundle \(path) (from \(origin))"
        }
    }

    var trustRoots: NIOSSLTrustRoots {
        switch self {
        case .system: return .default
        case .bundle(_, _, let certificates): return .certificates(certificates)
        }
    }
}
