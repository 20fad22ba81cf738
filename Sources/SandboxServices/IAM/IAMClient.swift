import Foundation
import SandboxAWS

/// IAM (Query protocol, global endpoint): managed policies and their versions, users, attachments, tags.
public struct IAMClient: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    /// Sends one action; `journal` declares whether it changes IAM and what (a policy ARN or name, a user name).
    func call(_ action: String, _ journal: Journal, _ build: (inout QueryParameters) -> Void = { _ in }) async throws -> XMLNode {
        var parameters = QueryParameters()
        build(&parameters)
        return try await client.query(.iam, action: action, parameters: parameters.pairs, journal: journal)
    }

    func required(_ node: XMLNode?, _ action: String, _ what: String) throws -> XMLNode {
        guard let node else {
            throw MalformedResponseError(service: "IAM", operation: action, status: 200, detail: "no \(what) in the answer",
                                         endpoint: client.endpoint(for: .iam).baseURL.absoluteString)
        }
        return node
    }

    /// Follows `Marker`/`IsTruncated` to the end, collecting what `items` takes from each `<ActionResult>`; paged calls only read.
    func collect<Item>(_ action: String, _ build: @escaping (inout QueryParameters) -> Void,
                       items: (XMLNode) -> [Item]) async throws -> [Item] {
        var all: [Item] = []
        var marker: String?
        repeat {
            let result = try await call(action, .read) { parameters in
                build(&parameters)
                parameters.add("Marker", marker)
            }
            all.append(contentsOf: items(result))
            let next = QueryWire.bool(result.string("IsTruncated")) == true ? QueryWire.nonEmpty(result.string("Marker")) : nil
            if let next, next == marker {
                throw MalformedResponseError(service: "IAM", operation: action, status: 200, detail: "the same Marker came back twice",
                                             endpoint: client.endpoint(for: .iam).baseURL.absoluteString)
            }
            marker = next
        } while marker != nil
        return all
    }

    static func tags(_ result: XMLNode) -> [(String, String)] {
        (result.child("Tags")?.all("member") ?? []).compactMap { member in
            member.string("Key").map { ($0, member.string("Value") ?? "") }
        }
    }

    // MARK: - Managed policies

    public func createPolicy(name: String, path: String? = nil, document: String, description: String? = nil,
                             tags: [String: String] = [:]) async throws -> ManagedPolicy {
        let result = try await call("CreatePolicy", .mutating(target: name)) { p in
            p.add("PolicyName", name)
            p.add("Path", path)
            p.add("PolicyDocument", document)
            p.add("Description", description)
            p.addTags("Tags", tags)
        }
        return Self.policy(try required(result.child("Policy"), "CreatePolicy", "Policy"))
    }

    public func getPolicy(arn: String) async throws -> ManagedPolicy {
        let result = try await call("GetPolicy", .read) { $0.add("PolicyArn", arn) }
        return Self.policy(try required(result.child("Policy"), "GetPolicy", "Policy"))
    }

    public func getPolicyVersion(arn: String, versionId: String) async throws -> PolicyVersion {
        let result = try await call("GetPolicyVersion", .read) {
            $0.add("PolicyArn", arn)
            $0.add("VersionId", versionId)
        }
        return Self.version(try required(result.child("PolicyVersion"), "GetPolicyVersion", "PolicyVersion"))
    }

    /// Every version of the policy (documents are not part of listings).
    public func listPolicyVersions(arn: String) async throws -> [PolicyVersion] {
        try await collect("ListPolicyVersions", { $0.add("PolicyArn", arn) }) { result in
            (result.child("Versions")?.all("member") ?? []).map(Self.version)
        }
    }

    public func createPolicyVersion(arn: String, document: String, setAsDefault: Bool = false) async throws -> PolicyVersion {
        let result = try await call("CreatePolicyVersion", .mutating(target: arn)) {
            $0.add("PolicyArn", arn)
            $0.add("PolicyDocument", document)
            $0.add("SetAsDefault", String(setAsDefault))
        }
        return Self.version(try required(result.child("PolicyVersion"), "CreatePolicyVersion", "PolicyVersion"))
    }

    public func deletePolicyVersion(arn: String, versionId: String) async throws {
        _ = try await call("DeletePolicyVersion", .mutating(target: arn)) {
            $0.add("PolicyArn", arn)
            $0.add("VersionId", versionId)
        }
    }

    /// Deletes the policy; IAM refuses (`DeleteConflict`) while it is attached or has non-default versions.
    public func deletePolicy(arn: String) async throws {
        _ = try await call("DeletePolicy", .mutating(target: arn)) { $0.add("PolicyArn", arn) }
    }

    public func tagPolicy(arn: String, tags: [String: String]) async throws {
        _ = try await call("TagPolicy", .mutating(target: arn)) {
            $0.add("PolicyArn", arn)
            $0.addTags("Tags", tags)
        }
    }

    public func untagPolicy(arn: String, keys: [String]) async throws {
        _ = try await call("UntagPolicy", .mutating(target: arn)) {
            $0.add("PolicyArn", arn)
            $0.addList("TagKeys", keys)
        }
    }

    public func listPolicyTags(arn: String) async throws -> [String: String] {
        let pairs = try await collect("ListPolicyTags", { $0.add("PolicyArn", arn) }, items: Self.tags)
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    static func policy(_ node: XMLNode) -> ManagedPolicy {
        ManagedPolicy(arn: node.string("Arn") ?? "",
                      name: node.string("PolicyName") ?? "",
                      policyId: node.string("PolicyId") ?? "",
                      path: node.string("Path") ?? "/",
                      defaultVersionId: node.string("DefaultVersionId") ?? "",
                      attachmentCount: QueryWire.int(node.string("AttachmentCount")) ?? 0,
                      description: node.string("Description"),
                      createDate: Timestamp.parse(node.string("CreateDate")))
    }

    static func version(_ node: XMLNode) -> PolicyVersion {
        PolicyVersion(versionId: node.string("VersionId") ?? "",
                      isDefault: QueryWire.bool(node.string("IsDefaultVersion")) ?? false,
                      document: QueryWire.policyDocument(node.string("Document") ?? ""),
                      createDate: Timestamp.parse(node.string("CreateDate")))
    }

    // MARK: - Users

    public func createUser(name: String, path: String? = nil, tags: [String: String] = [:]) async throws -> IAMUser {
        let result = try await call("CreateUser", .mutating(target: name)) {
            $0.add("Path", path)
            $0.add("UserName", name)
            $0.addTags("Tags", tags)
        }
        return Self.user(try required(result.child("User"), "CreateUser", "User"))
    }

    public func getUser(name: String) async throws -> IAMUser {
        let result = try await call("GetUser", .read) { $0.add("UserName", name) }
        return Self.user(try required(result.child("User"), "GetUser", "User"))
    }

    /// Deletes the user; IAM refuses (`DeleteConflict`) while policies, keys or groups are still attached.
    public func deleteUser(name: String) async throws {
        _ = try await call("DeleteUser", .mutating(target: name)) { $0.add("UserName", name) }
    }

    public func attachUserPolicy(user: String, policyArn: String) async throws {
        _ = try await call("AttachUserPolicy", .mutating(target: policyArn)) {
            $0.add("UserName", user)
            $0.add("PolicyArn", policyArn)
        }
    }

    public func detachUserPolicy(user: String, policyArn: String) async throws {
        _ = try await call("DetachUserPolicy", .mutating(target: policyArn)) {
            $0.add("UserName", user)
            $0.add("PolicyArn", policyArn)
        }
    }

    public func listAttachedUserPolicies(user: String) async throws -> [AttachedPolicy] {
        try await collect("ListAttachedUserPolicies", { $0.add("UserName", user) }) { result in
            (result.child("AttachedPolicies")?.all("member") ?? []).map {
                AttachedPolicy(name: $0.string("PolicyName") ?? "", arn: $0.string("PolicyArn") ?? "")
            }
        }
    }

    public func tagUser(name: String, tags: [String: String]) async throws {
        _ = try await call("TagUser", .mutating(target: name)) {
            $0.add("UserName", name)
            $0.addTags("Tags", tags)
        }
    }

    public func listUserTags(name: String) async throws -> [String: String] {
        let pairs = try await collect("ListUserTags", { $0.add("UserName", name) }, items: Self.tags)
        return Dictionary(pairs, uniquingKeysWith: { _, last in last })
    }

    static func user(_ node: XMLNode) -> IAMUser {
        IAMUser(userName: node.string("UserName") ?? "",
                userId: node.string("UserId") ?? "",
                arn: node.string("Arn") ?? "",
                path: node.string("Path") ?? "/",
                createDate: Timestamp.parse(node.string("CreateDate")))
    }
}
