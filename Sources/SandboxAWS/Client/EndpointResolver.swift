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

/// Resolves endpoints as botocore does: `--endpoint-url` > (unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the
/// profile's `ignore_configured_endpoint_urls` is true) `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > the
/// service's `endpoint_url` in the profile's `[services NAME]` section > the profile's `endpoint_url` > AWS's own.
public struct EndpointResolver: Sendable {
    /// The resolved override of each service, by service name.
    public let perService: [String: URL]
    /// The override of every service not in `perService` (the flag, or a resolver built by hand).
    public let global: URL?

    public init(perService: [String: URL] = [:], global: URL? = nil) {
        self.perService = perService
        self.global = global
    }

    /// Every service whose endpoint can be configured: the ones sandbox calls and the SSO ones credentials use.
    static var configurable: [ServiceDescriptor] { ServiceDescriptor.all + [SSOCredentialProvider.portal, SSOCredentialProvider.oidc] }

    /// Reads overrides from the environment and the profile only (no `[services]` sections); for tests.
    public static func fromEnvironment(_ environment: [String: String], profileEndpoint: String?, flag: String? = nil) throws -> EndpointResolver {
        var values: [String: String] = [:]
        if let profileEndpoint { values["endpoint_url"] = profileEndpoint }
        return try resolve(environment: environment, profile: ConfigProfile(name: "default", values: values), services: [:], flag: flag)
    }

    /// Resolves every configurable service's override; invalid URLs and a missing `[services NAME]` section are
    /// rejected by name.
    /// - Parameter services: the config file's `[services NAME]` sections.
    public static func resolve(environment: [String: String], profile: ConfigProfile, services: [String: [String: [String: String]]],
                               flag: String? = nil) throws -> EndpointResolver {
        // An explicit flag wins over every configured endpoint, and the ignore settings do not ignore it.
        if let flag, !flag.isEmpty {
            return EndpointResolver(global: try parse(flag, from: "--endpoint-url"))
        }
        // botocore: the variable, when present at all, decides; otherwise the profile's setting; "true" in any case.
        let ignore = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"].map { $0.lowercased() == "true" }
            ?? (profile.value("ignore_configured_endpoint_urls")?.lowercased() == "true")
        if ignore { return EndpointResolver() }

        var section: [String: [String: String]]?
        func servicesSection() throws -> [String: [String: String]] {
            if let section { return section }
            guard let name = profile.value("services") else { section = [:]; return [:] }
            guard let found = services[name], !found.isEmpty else {
                throw SimpleError(.credentials, "\(profile.location(of: "services")): profile \(profile.name) names services section '\(name)', but the config file has no [services \(name)] with settings; add it or remove services")
            }
            section = found
            return found
        }
        let envGlobal = try nonEmpty(environment["AWS_ENDPOINT_URL"]).map { try parse($0, from: "AWS_ENDPOINT_URL") }
        let profileGlobal = try profile.endpointURL.map { try parse($0, from: "\(profile.location(of: "endpoint_url")) (endpoint_url)") }
        var perService: [String: URL] = [:]
        for service in configurable {
            let variable = "AWS_ENDPOINT_URL_\(service.environmentKey)"
            if let value = nonEmpty(environment[variable]) {
                perService[service.name] = try parse(value, from: variable)
            } else if let envGlobal {
                perService[service.name] = envGlobal
            } else if let value = nonEmpty(try servicesSection()[service.environmentKey.lowercased()]?["endpoint_url"]) {
                perService[service.name] = try parse(value, from: "[services \(profile.value("services") ?? "")] \(service.environmentKey.lowercased()) endpoint_url")
            } else if let profileGlobal {
                perService[service.name] = profileGlobal
            }
        }
        return EndpointResolver(perService: perService)
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
