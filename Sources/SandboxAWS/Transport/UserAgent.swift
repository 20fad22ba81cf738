import Foundation

/// The `User-Agent` in the AWS SDKs' format (`product/version ua/2.1 os/NAME#RELEASE md/arch#ARCH lang/swift#VERSION`),
/// so AWS-side logs and CloudTrail name the tool, its version and platform as they do for botocore and the CLI.
public struct UserAgent: Sendable, Equatable {
    public var product: String
    public var version: String
    public var os: String
    public var osRelease: String?
    public var architecture: String
    public var language: String

    public init(product: String = "sandbox", version: String, os: String = UserAgent.currentOS,
                osRelease: String? = UserAgent.currentOSRelease, architecture: String = UserAgent.currentArchitecture,
                language: String = UserAgent.swiftVersion) {
        self.product = product
        self.version = version
        self.os = os
        self.osRelease = osRelease
        self.architecture = architecture
        self.language = language
    }

    /// The header value; every part is reduced to the characters the SDKs allow in a token.
    public var header: String {
        let osPart = osRelease.map { "os/\(Self.token(os))#\(Self.token($0))" } ?? "os/\(Self.token(os))"
        return "\(Self.token(product))/\(Self.token(version)) ua/2.1 \(osPart) md/arch#\(Self.token(architecture)) lang/swift#\(Self.token(language))"
    }

    /// botocore's rule: characters outside `A-Za-z0-9!$%&'*+-.^_`|~` become `-`.
    static func token(_ value: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%&'*+-.^_`|~")
        let mapped = String(value.map { allowed.contains($0) ? $0 : "-" })
        return mapped.isEmpty ? "unknown" : mapped
    }

    public static var currentOS: String {
        #if os(Linux)
        return "linux"
        #elseif os(macOS)
        return "macos"
        #else
        return "other"
        #endif
    }

    /// The kernel release (`uname -r`), as botocore's `platform.release()`.
    public static var currentOSRelease: String? {
        var name = utsname()
        guard uname(&name) == 0 else { return nil }
        let release = withUnsafeBytes(of: &name.release) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return release.isEmpty ? nil : release
    }

    public static var currentArchitecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "other"
        #endif
    }

    /// The Swift language version the binary was compiled with, to the minor version.
    public static var swiftVersion: String {
        #if swift(>=6.5)
        return "6.5"
        #elseif swift(>=6.4)
        return "6.4"
        #elseif swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }
}
