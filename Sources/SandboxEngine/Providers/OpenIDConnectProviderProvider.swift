import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `iam_openid_connect_provider`: an OpenID Connect identity provider, named by its ARN, which IAM derives from the URL.
struct OpenIDConnectProviderProvider: ResourceProvider {
    let kind = ResourceKind.iamOpenIDConnectProvider
    /// An account holds one provider per URL: one made outside this state is offered for import, not re-created.
    var isStandalone: Bool { true }

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes {
        var out = desired
        if let url = desired.string("url") {
            out["arn"] = .string(IAMPermissions.openIDConnectProviderARN(url: url, account: context.accountId))
        }
        return out
    }

    func physicalId(_ attributes: Attributes) -> String? { attributes.string("arn") }

    /// Reading the provider is the applying identity's business: the CI identity's check skips it when denied.
    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        guard let arn = plannedAttributes(attributes, context: context).string("arn") else { return [] }
        return IAMPermissions.calls("GetOpenIDConnectProvider", resource: arn).map { $0.by("", required: false) }
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let arn = plannedAttributes(attributes, context: context).string("arn") else { return nil }
        let provider: OpenIDConnectProvider
        do { provider = try await context.iam.getOpenIDConnectProvider(arn: arn) } catch let error as AWSError where error.kind == .notFound { return nil }
        // IAM stores the URL without its scheme; the stack writes it with https://.
        let url = provider.url.hasPrefix("https://") ? provider.url : "https://" + provider.url
        return ["arn": .string(arn), "url": .string(url),
                "client_id_list": .array(provider.clientIds.map(JSONValue.string)),
                "thumbprint_list": .array(provider.thumbprints.map { .string($0.lowercased()) }),
                "tags": .object(provider.tags.mapValues(JSONValue.string))]
    }

    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var wanted = desired
        if let url = desired.string("url") { wanted["url"] = .string(Self.trimmed(url)) }
        if desired["thumbprint_list"] != nil { wanted["thumbprint_list"] = .array(desired.stringList("thumbprint_list").map { .string($0.lowercased()) }) }
        var have = live
        if let url = live.string("url") { have["url"] = .string(Self.trimmed(url)) }
        var changes: [AttributeChange] = []
        for spec in kind.properties {
            guard let want = wanted[spec.name], want != .null, !Self.same(want, have[spec.name], type: spec.type) else { continue }
            changes.append(AttributeChange(name: spec.name, old: live[spec.name], new: desired[spec.name], forcesReplacement: spec.forceNew))
        }
        return changes
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let url = desired.string("url") else {
            throw ProviderError("iam_openid_connect_provider", "the provider needs a url", category: .usage)
        }
        let arn = try await context.iam.createOpenIDConnectProvider(url: url, clientIds: desired.stringList("client_id_list"),
                                                                    thumbprints: desired.stringList("thumbprint_list"),
                                                                    tags: desired.stringMap("tags"))
        var out = plannedAttributes(desired, context: context)
        out["arn"] = .string(arn)
        let created = out
        _ = try await context.consistency.poll({ try await read(created, context: context) }, until: { $0 != nil })
        return out
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let arn = live.string("arn") else { return live }
        let changes = Set(differences(desired: desired, live: live).map(\.name))
        if changes.contains("thumbprint_list") {
            try await context.iam.updateOpenIDConnectProviderThumbprint(arn: arn, thumbprints: desired.stringList("thumbprint_list"))
        }
        if changes.contains("client_id_list") {
            let want = Set(desired.stringList("client_id_list"))
            let have = Set(live.stringList("client_id_list"))
            for id in want.subtracting(have).sorted() { try await context.iam.addClientIDToOpenIDConnectProvider(arn: arn, clientId: id) }
            for id in have.subtracting(want).sorted() { try await context.iam.removeClientIDFromOpenIDConnectProvider(arn: arn, clientId: id) }
        }
        if changes.contains("tags") {
            let want = desired.stringMap("tags")
            let have = live.stringMap("tags")
            let removed = Array(Set(have.keys).subtracting(want.keys)).sorted()
            if !removed.isEmpty { try await context.iam.untagOpenIDConnectProvider(arn: arn, keys: removed) }
            let changed = want.filter { have[$0.key] != $0.value }
            if !changed.isEmpty { try await context.iam.tagOpenIDConnectProvider(arn: arn, tags: changed) }
        }
        var out = plannedAttributes(desired, context: context)
        out["arn"] = .string(arn)
        try await awaitMatch(desired, identity: out, context: context)
        return out
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let arn = plannedAttributes(attributes, context: context).string("arn") else { return }
        do { try await context.iam.deleteOpenIDConnectProvider(arn: arn) } catch let error as AWSError where error.kind == .notFound { return }
    }

    /// `sandbox import ADDRESS ARN` (as Terraform imports aws_iam_openid_connect_provider) or the provider's URL.
    func importAttributes(id: String, context: ProviderContext) -> Attributes {
        if id.hasPrefix("arn:") { return ["arn": .string(id)] }
        let url = id.contains("://") ? id : "https://" + id
        return ["url": .string(url), "arn": .string(IAMPermissions.openIDConnectProviderARN(url: url, account: context.accountId))]
    }

    static func trimmed(_ url: String) -> String {
        var out = Substring(url)
        while out.hasSuffix("/") { out = out.dropLast() }
        return String(out)
    }
}
