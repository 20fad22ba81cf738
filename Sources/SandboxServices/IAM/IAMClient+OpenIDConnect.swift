import Foundation
import SandboxAWS

/// An IAM OpenID Connect identity provider as GetOpenIDConnectProvider answers. `url` is as IAM stores it: without
/// the `https://` scheme.
public struct OpenIDConnectProvider: Sendable, Equatable, Hashable {
    public var arn: String
    public var url: String
    public var clientIds: [String]
    public var thumbprints: [String]
    public var tags: [String: String]
    public var createDate: Date?

    public init(arn: String, url: String, clientIds: [String] = [], thumbprints: [String] = [], tags: [String: String] = [:],
                createDate: Date? = nil) {
        self.arn = arn
        self.url = url
        self.clientIds = clientIds
        self.thumbprints = thumbprints
        self.tags = tags
        self.createDate = createDate
    }
}

extension IAMClient {
    /// CreateOpenIDConnectProvider: returns the provider's ARN (`arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH`).
    /// `EntityAlreadyExists` when the account already has a provider for `url`.
    public func createOpenIDConnectProvider(url: String, clientIds: [String], thumbprints: [String],
                                            tags: [String: String] = [:]) async throws -> String {
        let result = try await call("CreateOpenIDConnectProvider", .mutating(target: url)) { p in
            p.add("Url", url)
            p.addList("ClientIDList", clientIds)
            p.addList("ThumbprintList", thumbprints)
            p.addTags("Tags", tags)
        }
        return try required(result.child("OpenIDConnectProviderArn"), "CreateOpenIDConnectProvider", "OpenIDConnectProviderArn").text
    }

    /// GetOpenIDConnectProvider: `NoSuchEntity` (kind `.notFound`) when it is gone.
    public func getOpenIDConnectProvider(arn: String) async throws -> OpenIDConnectProvider {
        let result = try await call("GetOpenIDConnectProvider", .read) { $0.add("OpenIDConnectProviderArn", arn) }
        return OpenIDConnectProvider(arn: arn, url: result.string("Url") ?? "",
                                     clientIds: (result.child("ClientIDList")?.all("member") ?? []).map(\.text),
                                     thumbprints: (result.child("ThumbprintList")?.all("member") ?? []).map(\.text),
                                     tags: Dictionary(Self.tags(result), uniquingKeysWith: { _, last in last }),
                                     createDate: Timestamp.parse(result.string("CreateDate")))
    }

    /// The ARNs of every OpenID Connect provider in the account (the call is not paged).
    public func listOpenIDConnectProviders() async throws -> [String] {
        let result = try await call("ListOpenIDConnectProviders", .read)
        return (result.child("OpenIDConnectProviderList")?.all("member") ?? []).compactMap { QueryWire.nonEmpty($0.string("Arn")) }
    }

    public func deleteOpenIDConnectProvider(arn: String) async throws {
        _ = try await call("DeleteOpenIDConnectProvider", .mutating(target: arn)) { $0.add("OpenIDConnectProviderArn", arn) }
    }

    /// Replaces the provider's thumbprint list (the lists are not merged).
    public func updateOpenIDConnectProviderThumbprint(arn: String, thumbprints: [String]) async throws {
        _ = try await call("UpdateOpenIDConnectProviderThumbprint", .mutating(target: arn)) {
            $0.add("OpenIDConnectProviderArn", arn)
            $0.addList("ThumbprintList", thumbprints)
        }
    }

    public func addClientIDToOpenIDConnectProvider(arn: String, clientId: String) async throws {
        _ = try await call("AddClientIDToOpenIDConnectProvider", .mutating(target: arn)) {
            $0.add("OpenIDConnectProviderArn", arn)
            $0.add("ClientID", clientId)
        }
    }

    public func removeClientIDFromOpenIDConnectProvider(arn: String, clientId: String) async throws {
        _ = try await call("RemoveClientIDFromOpenIDConnectProvider", .mutating(target: arn)) {
            $0.add("OpenIDConnectProviderArn", arn)
            $0.add("ClientID", clientId)
        }
    }

    public func tagOpenIDConnectProvider(arn: String, tags: [String: String]) async throws {
        _ = try await call("TagOpenIDConnectProvider", .mutating(target: arn)) {
            $0.add("OpenIDConnectProviderArn", arn)
            $0.addTags("Tags", tags)
        }
    }

    public func untagOpenIDConnectProvider(arn: String, keys: [String]) async throws {
        _ = try await call("UntagOpenIDConnectProvider", .mutating(target: arn)) {
            $0.add("OpenIDConnectProviderArn", arn)
            $0.addList("TagKeys", keys)
        }
    }
}
