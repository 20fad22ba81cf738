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

/// How the profile was chosen: `--profile` > `AWS_DEFAULT_PROFILE` > `AWS_PROFILE` > `default`, as botocore does.
public struct ProfileSelection: Sendable, Equatable {
    /// Where the name came from; the raw value is how messages name it.
    public enum Origin: String, Sendable {
        case flag = "--profile"
        case defaultProfileVariable = "AWS_DEFAULT_PROFILE"
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
        if let env = nonEmpty(environment["AWS_DEFAULT_PROFILE"]) { return ProfileSelection(name: env, origin: .defaultProfileVariable) }
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
    /// Every profile by name, credentials-file values laid over config-file ones (botocore's `full_config`).
    public let profiles: [String: ConfigProfile]
    /// The credentials file's sections alone, by their header: static keys there are only read from one section.
    public let credentialsFileProfiles: [String: ConfigProfile]
    /// The config file's profiles alone.
    public let configFileProfiles: [String: ConfigProfile]
    /// `[sso-session NAME]` sections of the config file, by name.
    public let ssoSessions: [String: ConfigProfile]
    /// `[services NAME]` sections of the config file: NAME to service key (`s3`, `sso_oidc`) to settings.
    public let services: [String: [String: [String: String]]]

    /// Builds the configuration from parsed files; either may be absent.
    public init(credentials: ConfigFile?, config: ConfigFile?, credentialsPath: String, configPath: String) {
        self.credentialsPath = credentialsPath
        self.configPath = configPath

        var fromConfig: [String: ConfigProfile] = [:]
        var sessions: [String: ConfigProfile] = [:]
        var services: [String: [String: [String: String]]] = [:]
        // In file order, as botocore's build_profile_map: `[default]` and `[profile default]` name one profile and
        // the later section replaces the earlier one.
        for section in config?.sections ?? [] {
            let words = section.header.split(separator: " ", maxSplits: 1).map(String.init)
            let path = config?.path ?? configPath
            if section.header == "default" {
                fromConfig["default"] = Self.merge(name: "default", [(section, path)])
            } else if words.count == 2, words[0] == "profile" {
                fromConfig[words[1]] = Self.merge(name: words[1], [(section, path)])
            } else if words.count == 2, words[0] == "sso-session" {
                sessions[words[1]] = Self.merge(name: words[1], [(section, path)])
            } else if words.count == 2, words[0] == "services" {
                services[words[1]] = section.subsections
            }
            // Other sections (bare names) are not profiles in the config file.
        }
        var fromCredentials: [String: ConfigProfile] = [:]
        for section in credentials?.sections ?? [] {
            fromCredentials[section.header] = Self.merge(name: section.header, [(section, credentials?.path ?? credentialsPath)])
        }
        var merged = fromConfig
        for (name, profile) in fromCredentials {
            merged[name] = merged[name].map { Self.overlay(profile, on: $0) } ?? profile
        }
        profiles = merged
        credentialsFileProfiles = fromCredentials
        configFileProfiles = fromConfig
        ssoSessions = sessions
        self.services = services
    }

    /// The file paths: `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE`, else under `$HOME/.aws`; `$VAR`,
    /// `${VAR}` and `~` are expanded as botocore does (a workflow's `env:` block leaves `$HOME` literal).
    public static func paths(environment: [String: String]) -> (credentials: String, config: String) {
        let home = homeDirectory(environment)
        func path(_ key: String, _ fallback: String) -> String {
            guard let value = environment[key], !value.isEmpty else { return "\(home)/.aws/\(fallback)" }
            return expandTilde(expandVariables(value, environment: environment), home: home)
        }
        return (path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), path("AWS_CONFIG_FILE", "config"))
    }

    /// Python's `os.path.expandvars`: `$NAME` and `${NAME}` of set variables are replaced, anything else is kept.
    static func expandVariables(_ text: String, environment: [String: String]) -> String {
        guard text.contains("$") else { return text }
        func isWord(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "$" else {
                result.append(text[index])
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            var name: Substring?
            var end = next
            if next < text.endIndex, text[next] == "{", let close = text[next...].firstIndex(of: "}") {
                name = text[text.index(after: next)..<close]
                end = text.index(after: close)
            } else if let stop = Optional(text[next...].firstIndex { !isWord($0) } ?? text.endIndex), stop > next {
                name = text[next..<stop]
                end = stop
            }
            if let name, let value = environment[String(name)] {
                result += value
            } else {
                result += text[index..<end]  // unset or no name: kept as written
            }
            index = end
        }
        return result
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

    /// Python's `os.path.expanduser`: `~` and `~/…` from `$HOME`, `~user/…` from the password database.
    static func expandTilde(_ path: String, home: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let slash = path.firstIndex(of: "/") ?? path.endIndex
        let user = path[path.index(after: path.startIndex)..<slash]
        if user.isEmpty { return home + path[slash...] }
        guard let entry = getpwnam(String(user)), let dir = entry.pointee.pw_dir else { return path }
        return String(cString: dir) + path[slash...]
    }

    /// `profile` with `upper`'s keys laid over it (botocore's dict update of a config profile by a credentials section).
    static func overlay(_ upper: ConfigProfile, on lower: ConfigProfile) -> ConfigProfile {
        var subsections = lower.subsections
        for (key, nested) in upper.subsections { subsections[key] = nested }
        return ConfigProfile(name: lower.name, values: lower.values.merging(upper.values) { _, new in new }, subsections: subsections,
                             origins: lower.origins.merging(upper.origins) { _, new in new })
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
