import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_openid_connect_provider`: an OpenID Connect identity provider (GitHub Actions' token.actions.githubusercontent.com),
/// named by its ARN, which IAM derives from the URL: so the ARN is known before the provider exists.
public struct OpenIDConnectProviderKind: KindDefinition {
    public static let schema = ResourceKind(name: "iam_openid_connect_provider", summary: "an IAM OpenID Connect identity provider", properties: [
        PropertySpec("url", .string, required: true, forceNew: true, rule: .httpsURL, "the issuer URL, https://HOST[/PATH] (IAM cannot change it in place)"),
        PropertySpec("client_id_list", .stringList, required: true, "audiences the provider's tokens may carry (sts.amazonaws.com for GitHub Actions)"),
        PropertySpec("thumbprint_list", .stringList, default: .array([]), rule: .thumbprint, "SHA-1 thumbprints (40 hex digits) of the issuer's certificate chain"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: ["arn"], taggable: true)

    public struct Properties: Codable, Sendable, Equatable {
        public var url: String
        public var clientIdList: [String]
        public var thumbprintList: [String]
        public var tags: [String: String]?
        public var arn: String?

        enum CodingKeys: String, CodingKey {
            case url, tags, arn
            case clientIdList = "client_id_list"
            case thumbprintList = "thumbprint_list"
        }
    }

    public struct Identity: Codable, Sendable {
        public var url: String?
        public var arn: String?
    }

    /// An account holds one provider per URL: one made outside this state is offered for import, not re-created.
    public static var isStandalone: Bool { true }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_iam_openid_connect_provider", stackKey: "arn", terraformKey: "arn")]
    }

    public init() {}

    public func planned(_ identity: Identity, context: ProviderContext) -> Identity {
        var out = identity
        if let url = identity.url { out.arn = IAMPermissions.openIDConnectProviderARN(url: url, account: context.accountId) }
        return out
    }

    public func physicalId(_ identity: Identity) -> String? { identity.arn }

    /// Reading the provider is the applying identity's business: the CI identity's check skips it when denied.
    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        guard let arn = planned(identity, context: context).arn else { return [] }
        return IAMPermissions.calls("GetOpenIDConnectProvider", resource: arn).map { $0.by("", required: false) }
    }

    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        guard let arn = identity.arn ?? planned(identity, context: context).arn else { return nil }
        let provider: OpenIDConnectProvider
        do { provider = try await context.iam.getOpenIDConnectProvider(arn: arn) } catch let error as AWSError where error.kind == .notFound { return nil }
        // IAM stores the URL without its scheme; stacks write it with https://.
        let url = provider.url.hasPrefix("https://") ? provider.url : "https://" + provider.url
        return Properties(url: url, clientIdList: provider.clientIds, thumbprintList: provider.thumbprints, tags: provider.tags, arn: arn)
    }

    /// A trailing `/` on the URL and the case of thumbprints' hex digits are not differences.
    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        generic.filter { change in
            switch change.name {
            case "url": return Self.trimmed(desired.url) != Self.trimmed(live.url)
            case "thumbprint_list": return Set(desired.thumbprintList.map { $0.lowercased() }) != Set(live.thumbprintList.map { $0.lowercased() })
            default: return true
            }
        }
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        var out = desired
        out.arn = try await context.iam.createOpenIDConnectProvider(url: desired.url, clientIds: desired.clientIdList,
                                                                    thumbprints: desired.thumbprintList, tags: desired.tags ?? [:])
        try await awaitExists(Identity(url: desired.url, arn: out.arn), context: context)
        return out
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        guard let arn = live.arn else { return live }
        let changed = Set(try changes(desired: desired, live: live).map(\.name))
        if changed.contains("thumbprint_list") {
            try await context.iam.updateOpenIDConnectProviderThumbprint(arn: arn, thumbprints: desired.thumbprintList)
        }
        if changed.contains("client_id_list") {
            let want = Set(desired.clientIdList), have = Set(live.clientIdList)
            for id in want.subtracting(have).sorted() { try await context.iam.addClientIDToOpenIDConnectProvider(arn: arn, clientId: id) }
            for id in have.subtracting(want).sorted() { try await context.iam.removeClientIDFromOpenIDConnectProvider(arn: arn, clientId: id) }
        }
        if changed.contains("tags") {
            let want = desired.tags ?? [:], have = live.tags ?? [:]
            let removed = Array(Set(have.keys).subtracting(want.keys)).sorted()
            if !removed.isEmpty { try await context.iam.untagOpenIDConnectProvider(arn: arn, keys: removed) }
            let added = want.filter { have[$0.key] != $0.value }
            if !added.isEmpty { try await context.iam.tagOpenIDConnectProvider(arn: arn, tags: added) }
        }
        var out = desired
        out.arn = arn
        try await awaitMatch(desired, identity: Identity(url: desired.url, arn: arn), context: context)
        return out
    }

    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        guard let arn = recorded.arn ?? planned(Identity(url: recorded.url), context: context).arn else { return }
        do { try await context.iam.deleteOpenIDConnectProvider(arn: arn) } catch let error as AWSError where error.kind == .notFound { return }
    }

    /// `sandbox import ADDRESS ARN` (as Terraform imports aws_iam_openid_connect_provider) or the provider's URL.
    public func importIdentity(id: String, context: ProviderContext) -> Identity? {
        if id.hasPrefix("arn:") { return Identity(url: nil, arn: id) }
        let url = id.contains("://") ? id : "https://" + id
        return Identity(url: url, arn: IAMPermissions.openIDConnectProviderARN(url: url, account: context.accountId))
    }

    static func trimmed(_ url: String) -> String {
        var out = Substring(url)
        while out.hasSuffix("/") { out = out.dropLast() }
        return String(out)
    }
}
