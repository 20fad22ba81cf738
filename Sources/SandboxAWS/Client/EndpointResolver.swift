import Foundation
import SandboxCore

/// Where requests for a service go, and with which region they are signed.
public struct ResolvedEndpoint: Sendable, Equatable {
    /// Scheme, host and optional port (and base path) with no trailing slash.
    public let baseURL: URL
    public let signingRegion: String
    /// True when the user pointed sandbox at their own endpoint (moto, LocalStack, a proxy).
    public let isCustom: Bool

    /// The port is left out when it is the scheme's default: HTTP clients send `Host` without it, and the signature must agree.
    public var hostHeader: String {
        let host = baseURL.host ?? ""
        let defaultPort = ["http": 80, "https": 443][baseURL.scheme?.lowercased() ?? ""]
        if let port = baseURL.port, port != defaultPort { return "\(host):\(port)" }
        return host
    }
}

/// Resolves endpoints by the SDK convention: `--endpoint-url` > `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > profile `endpoint_url` > AWS's own.
public struct EndpointResolver: Sendable {
    public let perService: [String: URL]
    public let global: URL?

    public init(perService: [String: URL] = [:], global: URL? = nil) {
        self.perService = perService
        self.global = global
    }

    /// Reads overrides from the environment and the profile; invalid URLs are rejected by name.
    public static func fromEnvironment(_ environment: [String: String], profileEndpoint: String?, flag: String? = nil) throws -> EndpointResolver {
        // An explicit flag wins over every configured endpoint, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS does not ignore it.
        if let flag, !flag.isEmpty {
            return EndpointResolver(global: try parse(flag, from: "--endpoint-url"))
        }
        if environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" {
            return EndpointResolver()
        }
        var perService: [String: URL] = [:]
        for service in ServiceDescriptor.all {
            let key = "AWS_ENDPOINT_URL_\(service.environmentKey)"
            if let value = environment[key], !value.isEmpty {
                perService[service.name] = try parse(value, from: key)
            }
        }
        var global: URL?
        if let value = environment["AWS_ENDPOINT_URL"], !value.isEmpty {
            global = try parse(value, from: "AWS_ENDPOINT_URL")
        } else if let value = profileEndpoint, !value.isEmpty {
            global = try parse(value, from: "profile endpoint_url")
        }
        return EndpointResolver(perService: perService, global: global)
    }

    static func parse(_ text: String, from source: String) throws -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, !host.isEmpty else {
            throw SimpleError(.usage, "invalid endpoint URL '\(text)' from \(source): expected http(s)://host[:port]")
        }
        return url
    }

    public func resolve(_ service: ServiceDescriptor, region: Region) -> ResolvedEndpoint {
        // Global services sign with their partition's region: cn-north-1 for IAM in China, us-east-1 elsewhere.
        let signingRegion = service.isGlobal ? (service.name == "iam" && region.name.hasPrefix("cn-") ? "cn-north-1" : "us-east-1") : region.name
        if let custom = perService[service.name] ?? global {
            return ResolvedEndpoint(baseURL: custom, signingRegion: signingRegion, isCustom: true)
        }
        let host: String
        switch service.name {
        case "iam": host = region.name.hasPrefix("cn-") ? "iam.cn-north-1.amazonaws.com.cn" : "iam.amazonaws.com"
        case "budgets": host = "budgets.amazonaws.com"
        default: host = "\(service.name).\(region.name).\(region.dnsSuffix)"
        }
        // A literal host built from validated parts always forms a URL.
        let url = URL(string: "https://\(host)") ?? URL(fileURLWithPath: "/")
        return ResolvedEndpoint(baseURL: url, signingRegion: signingRegion, isCustom: false)
    }
}
