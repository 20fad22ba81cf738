import SandboxCore

/// A validated AWS region name such as `eu-west-1`.
public struct Region: Sendable, Hashable, Codable, CustomStringConvertible {
    public let name: String

    /// Accepts `xx-name-N` shaped names (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `eu-central-2`).
    public init(_ name: String) throws {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        let valid = name.count <= 32 && parts.count >= 3
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } }
            && parts.first.map { $0.count == 2 && $0.allSatisfy(\.isLetter) } == true
            && parts.last.map { $0.allSatisfy(\.isNumber) } == true
        guard valid else {
            throw SimpleError(.usage, "invalid region '\(name)': expected a name like us-east-1; set --region or AWS_REGION")
        }
        self.name = name
    }

    private init(known name: String) { self.name = name }

    public static let usEast1 = Region(known: "us-east-1")

    public var description: String { name }

    /// The DNS suffix of the region's partition.
    public var dnsSuffix: String { name.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com" }
}

/// Picks the region: `--region` > `AWS_REGION` > `AWS_DEFAULT_REGION` > the profile's `region`.
public struct RegionResolution: Sendable {
    public let region: Region
    public let source: String

    public static func resolve(flag: String?, environment: [String: String], profileRegion: String?, profileName: String) throws -> RegionResolution? {
        let candidates: [(String?, String)] = [
            (flag, "--region"),
            (environment["AWS_REGION"], "AWS_REGION"),
            (environment["AWS_DEFAULT_REGION"], "AWS_DEFAULT_REGION"),
            (profileRegion, "profile \(profileName)"),
        ]
        for (value, source) in candidates {
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { continue }
            do {
                return RegionResolution(region: try Region(value), source: source)
            } catch {
                throw SimpleError(.usage, "invalid region '\(value)' from \(source): expected a name like us-east-1")
            }
        }
        return nil
    }
}

import Foundation
