import Foundation
import SandboxCore

/// HTTP proxies as the AWS CLI reads them (Python's `urllib`): `https_proxy`/`HTTPS_PROXY` for https URLs,
/// `http_proxy`/`HTTP_PROXY` for http ones (lower case wins), and `no_proxy`/`NO_PROXY` host suffixes that bypass both.
public struct ProxySettings: Sendable, Equatable {
    /// One proxy server; https targets are tunnelled through it with CONNECT.
    public struct Server: Sendable, Hashable {
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
    }

    public var http: Server?
    public var https: Server?
    /// `no_proxy` entries, lower case, leading dots dropped; `*` bypasses every host.
    public var bypass: [String]

    public init(http: Server? = nil, https: Server? = nil, bypass: [String] = []) {
        self.http = http
        self.https = https
        self.bypass = bypass
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> ProxySettings {
        func value(_ name: String) -> String? {
            for key in [name.lowercased(), name.uppercased()] {
                if let raw = environment[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty { return raw }
            }
            return nil
        }
        let bypass = (value("no_proxy") ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .map { $0.hasPrefix(".") ? String($0.dropFirst()) : $0 }
            .filter { !$0.isEmpty }
        return ProxySettings(http: try value("http_proxy").map { try server($0, variable: "HTTP_PROXY") },
                             https: try value("https_proxy").map { try server($0, variable: "HTTPS_PROXY") },
                             bypass: bypass)
    }

    /// The proxy for `url`, or nil to connect directly.
    public func server(for url: URL) -> Server? {
        guard let host = url.host?.lowercased() else { return nil }
        let chosen = url.scheme?.lowercased() == "https" ? https : http
        guard let chosen else { return nil }
        let hostPort = url.port.map { "\(host):\($0)" } ?? host
        for entry in bypass {
            if entry == "*" { return nil }
            for candidate in [host, hostPort] where candidate == entry || candidate.hasSuffix("." + entry) { return nil }
        }
        return chosen
    }

    /// `http://[user:password@]host[:port]`; a bare `host:port` is read as http, as botocore does.
    static func server(_ raw: String, variable: String) throws -> Server {
        let text = raw.contains("://") ? raw : "http://" + raw
        guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw SimpleError(.usage, "\(variable) '\(raw)' is not a proxy URL; use http://HOST:PORT")
        }
        guard components.scheme?.lowercased() == "http" else {
            throw SimpleError(.usage, "\(variable) '\(raw)': only http:// proxies are supported (https targets are tunnelled with CONNECT); use http://HOST:PORT")
        }
        return Server(host: host, port: components.port ?? 80,
                      username: components.user?.removingPercentEncoding, password: components.password?.removingPercentEncoding)
    }
}
