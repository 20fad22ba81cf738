import Foundation
import SandboxCore

/// One named profile, with the values of `~/.aws/credentials` laid over those of `~/.aws/config`.
public struct ConfigProfile: Sendable, Equatable {
    /// The profile name without the `profile ` prefix.
    public let name: String
    /// Lower-cased keys; a key set in the credentials file hides the same key in the config file.
    public let values: [String: String]
    /// Nested settings such as `s3 =\n  addressing_style = path`.
    public let subsections: [String: [String: String]]
    /// Where each key was set (`file:line`), so configuration errors can point at it.
    public let origins: [String: String]

    /// A profile from merged values; mostly for tests and empty defaults.
    public init(name: String, values: [String: String] = [:], subsections: [String: [String: String]] = [:], origins: [String: String] = [:]) {
        self.name = name
        self.values = values
        self.subsections = subsections
        self.origins = origins
    }

    /// The trimmed value of a key, or nil when the key is absent or empty.
    public func value(_ key: String) -> String? {
        guard let raw = values[key.lowercased()] else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// The profile's `region`.
    public var region: String? { value("region") }

    /// The profile's `endpoint_url`.
    public var endpointURL: String? { value("endpoint_url") }

    /// Where a key was set (`file:line`), or `profile NAME` when that is not known; never the value.
    public func location(of key: String) -> String {
        origins[key.lowercased()] ?? "profile \(name)"
    }
}

/// How the profile was chosen: `--profile` > `AWS_PROFILE` > `default`.
public struct ProfileSelection: Sendable, Equatable {
    /// Where the name came from; the raw value is how messages name it.
    public enum Origin: String, Sendable {
        case flag = "--profile"
        case environment = "AWS_PROFILE"
        case implicit = "default"
    }

    /// The profile name.
    public let name: String
    /// Where the name came from.
    public let origin: Origin

    /// A selection made elsewhere.
    public init(name: String, origin: Origin) {
        self.name = name
        self.origin = origin
    }

    /// True when the user named the profile; an unknown explicit profile is an error, a missing default is not.
    public var isExplicit: Bool { origin != .implicit }

    /// Applies the precedence; empty values count as unset.
    public static func choose(flag: String?, environment: [String: String]) -> ProfileSelection {
        if let flag = nonEmpty(flag) { return ProfileSelection(name: flag, origin: .flag) }
        if let env = nonEmpty(environment["AWS_PROFILE"]) { return ProfileSelection(name: env, origin: .environment) }
        return ProfileSelection(name: "default", origin: .implicit)
    }
}

/// Raised when the user names a profile that neither file defines.
public struct UnknownProfileError: SandboxError, Equatable {
    /// The profile that was asked for.
    public let name: String
    /// `--profile` or `AWS_PROFILE`.
    public let source: String
    /// Every profile the files define, sorted.
    public let known: [String]
    /// The files that were searched.
    public let files: [String]
    public let category: FailureCategory = .credentials

    public var userMessage: String {
        let knownText = known.isEmpty ? "no profiles are defined" : "known profiles: \(known.joined(separator: ", "))"
        return "profile '\(name)' (from \(source)) is not defined in \(files.joined(separator: " or ")); \(knownText); choose one with --profile or AWS_PROFILE"
    }
}

/// The shared AWS configuration: the credentials and config files read together.
public struct SharedConfig: Sendable, Equatable {
    /// The credentials file, whether or not it exists.
    public let credentialsPath: String
    /// The config file, whether or not it exists.
    public let configPath: String
    /// Every profile by name, credentials-file values laid over config-file ones.
    public let profiles: [String: ConfigProfile]
    /// `[sso-session NAME]` sections of the config file, by name.
    public let ssoSessions: [String: ConfigProfile]

    /// Builds the configuration from parsed files; either may be absent.
    public init(credentials: ConfigFile?, config: ConfigFile?, credentialsPath: String, configPath: String) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath

        var layers: [String: [(ConfigFile.Section, String)]] = [:]
        var sessions: [String: ConfigProfile] = [:]
        if let config {
            // `[profile default]` is the spelled-out form of `[default]` and wins over it.
            let ordered = config.sections.filter { $0.header == "default" } + config.sections.filter { $0.header != "default" }
            for section in ordered {
                let words = section.header.split(separator: " ", maxSplits: 1).map(String.init)
                if section.header == "default" {
                    layers["default", default: []].append((section, config.path))
                } else if words.count == 2, words[0] == "profile" {
                    layers[words[1], default: []].append((section, config.path))
                } else if words.count == 2, words[0] == "sso-session" {
                    sessions[words[1]] = Self.merge(name: words[1], [(section, config.path)])
                }
                // Other sections (`[services x]`, bare names) are not profiles in the config file.
            }
        }
        if let credentials {
            for section in credentials.sections {
                layers[section.header, default: []].append((section, credentials.path))
            }
        }
        var merged: [String: ConfigProfile] = [:]
        for (name, sections) in layers { merged[name] = Self.merge(name: name, sections) }
        profiles = merged
        ssoSessions = sessions
    }

    /// The file paths: `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`, else under `$HOME/.aws`.
    public static func paths(environment: [String: String]) -> (credentials: String, config: String) {
        let home = homeDirectory(environment)
        func path(_ key: String, _ fallback: String) -> String {
            guard let value = environment[key], !value.isEmpty else { return "\(home)/.aws/\(fallback)" }
            return expandTilde(value, home: home)
        }
        return (path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), path("AWS_CONFIG_FILE", "config"))
    }

    /// Reads both files from the paths the environment chooses.
    public static func load(environment: [String: String]) throws -> SharedConfig {
        let (credentialsPath, configPath) = paths(environment: environment)
        return SharedConfig(credentials: try ConfigFile.load(path: credentialsPath), config: try ConfigFile.load(path: configPath),
                            credentialsPath: credentialsPath, configPath: configPath)
    }

    /// Every profile name, sorted.
    public var profileNames: [String] { profiles.keys.sorted() }

    /// The profile the selection names; an empty profile for an implicit `default` that is not defined.
    public func profile(for selection: ProfileSelection) throws -> ConfigProfile {
        if let profile = profiles[selection.name] { return profile }
        guard selection.isExplicit else { return ConfigProfile(name: selection.name) }
        throw UnknownProfileError(name: selection.name, source: selection.origin.rawValue, known: profileNames, files: [configPath, credentialsPath])
    }

    /// `$HOME` from the injected environment; the process's home only when the environment has none.
    static func homeDirectory(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }

    /// Lays sections over one another; later layers win key by key.
    static func merge(name: String, _ layers: [(ConfigFile.Section, String)]) -> ConfigProfile {
        var values: [String: String] = [:]
        var subsections: [String: [String: String]] = [:]
        var origins: [String: String] = [:]
        for (section, path) in layers {
            values.merge(section.values) { _, new in new }
            for (key, nested) in section.subsections {
                subsections[key, default: [:]].merge(nested) { _, new in new }
            }
            for (key, line) in section.lines { origins[key] = "\(path):\(line)" }
        }
        return ConfigProfile(name: name, values: values, subsections: subsections, origins: origins)
    }
}
