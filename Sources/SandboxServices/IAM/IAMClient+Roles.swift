import Foundation
import SandboxAWS

/// An IAM role as GetRole/CreateRole answer (botocore iam shape `Role`). `assumeRolePolicyDocument` is the JSON
/// text (IAM sends it url-encoded; it is decoded here).
public struct IAMRole: Sendable, Equatable, Hashable {
    public var roleName: String
    public var roleId: String
    public var arn: String
    public var path: String
    public var assumeRolePolicyDocument: String
    public var description: String?
    public var maxSessionDuration: Int?
    /// The managed policy set as the role's permissions boundary, if any.
    public var permissionsBoundaryArn: String?
    public var tags: [String: String]
    public var createDate: Date?

    public init(roleName: String, roleId: String, arn: String, path: String = "/", assumeRolePolicyDocument: String = "",
                description: String? = nil, maxSessionDuration: Int? = nil, permissionsBoundaryArn: String? = nil,
                tags: [String: String] = [:], createDate: Date? = nil) {
        self.roleName = roleName
        self.roleId = roleId
        self.arn = arn
        self.path = path
        self.assumeRolePolicyDocument = assumeRolePolicyDocument
        self.description = description
        self.maxSessionDuration = maxSessionDuration
        self.permissionsBoundaryArn = permissionsBoundaryArn
        self.tags = tags
        self.createDate = createDate
    }
}

extension IAMClient {
    /// CreateRole: `maxSessionDuration` is 3600...43200 seconds (IAM's range), `permissionsBoundary` a managed policy ARN.
    public func createRole(name: String, path: String? = nil, assumeRolePolicyDocument: String, description: String? = nil,
                           maxSessionDuration: Int? = nil, permissionsBoundary: String? = nil,
                           tags: [String: String] = [:]) async throws -> IAMRole {
        let result = try await call("CreateRole", .mutating(target: name)) { p in
            p.add("Path", path)
            p.add("RoleName", name)
            p.add("AssumeRolePolicyDocument", assumeRolePolicyDocument)
            p.add("Description", description)
            p.add("MaxSessionDuration", maxSessionDuration.map(String.init))
            p.add("PermissionsBoundary", permissionsBoundary)
            p.addTags("Tags", tags)
        }
        return Self.role(try required(result.child("Role"), "CreateRole", "Role"))
    }

    /// GetRole: the role with its trust policy, boundary and tags; `NoSuchEntity` (kind `.notFound`) when it is gone.
    public func getRole(name: String) async throws -> IAMRole {
        let result = try await call("GetRole", .read) { $0.add("RoleName", name) }
        return Self.role(try required(result.child("Role"), "GetRole", "Role"))
    }

    /// Deletes the role; IAM refuses (`DeleteConflict`) while managed policies are still attached.
    public func deleteRole(name: String) async throws {
        _ = try await call("DeleteRole", .mutating(target: name)) { $0.add("RoleName", name) }
    }

    /// Replaces the role's trust policy.
    public func updateAssumeRolePolicy(name: String, document: String) async throws {
        _ = try await call("UpdateAssumeRolePolicy", .mutating(target: name)) {
            $0.add("RoleName", name)
            $0.add("PolicyDocument", document)
        }
    }

    /// UpdateRole: description and maximum session duration (nil leaves either as it is).
    public func updateRole(name: String, description: String? = nil, maxSessionDuration: Int? = nil) async throws {
        _ = try await call("UpdateRole", .mutating(target: name)) {
            $0.add("RoleName", name)
            $0.add("Description", description)
            $0.add("MaxSessionDuration", maxSessionDuration.map(String.init))
        }
    }

    public func putRolePermissionsBoundary(name: String, policyArn: String) async throws {
        _ = try await call("PutRolePermissionsBoundary", .mutating(target: name)) {
            $0.add("RoleName", name)
            $0.add("PermissionsBoundary", policyArn)
        }
    }

    public func deleteRolePermissionsBoundary(name: String) async throws {
        _ = try await call("DeleteRolePermissionsBoundary", .mutating(target: name)) { $0.add("RoleName", name) }
    }

    public func tagRole(name: String, tags: [String: String]) async throws {
        _ = try await call("TagRole", .mutating(target: name)) {
            $0.add("RoleName", name)
            $0.addTags("Tags", tags)
        }
    }

    public func untagRole(name: String, keys: [String]) async throws {
        _ = try await call("UntagRole", .mutating(target: name)) {
            $0.add("RoleName", name)
            $0.addList("TagKeys", keys)
        }
    }

    public func attachRolePolicy(role: String, policyArn: String) async throws {
        _ = try await call("AttachRolePolicy", .mutating(target: policyArn)) {
            $0.add("RoleName", role)
            $0.add("PolicyArn", policyArn)
        }
    }

    public func detachRolePolicy(role: String, policyArn: String) async throws {
        _ = try await call("DetachRolePolicy", .mutating(target: policyArn)) {
            $0.add("RoleName", role)
            $0.add("PolicyArn", policyArn)
        }
    }

    /// Every managed policy attached to the role (paged by Marker).
    public func listAttachedRolePolicies(role: String) async throws -> [AttachedPolicy] {
        try await collect("ListAttachedRolePolicies", { $0.add("RoleName", role) }) { result in
            (result.child("AttachedPolicies")?.all("member") ?? []).map {
                AttachedPolicy(name: $0.string("PolicyName") ?? "", arn: $0.string("PolicyArn") ?? "")
            }
        }
    }

    static func role(_ node: XMLNode) -> IAMRole {
        IAMRole(roleName: node.string("RoleName") ?? "",
                roleId: node.string("RoleId") ?? "",
                arn: node.string("Arn") ?? "",
                path: node.string("Path") ?? "/",
                assumeRolePolicyDocument: QueryWire.policyDocument(node.string("AssumeRolePolicyDocument") ?? ""),
                description: QueryWire.nonEmpty(node.string("Description")),
                maxSessionDuration: QueryWire.int(node.string("MaxSessionDuration")),
                permissionsBoundaryArn: QueryWire.nonEmpty(node.child("PermissionsBoundary")?.string("PermissionsBoundaryArn")),
                tags: Dictionary(tags(node), uniquingKeysWith: { _, last in last }),
                createDate: Timestamp.parse(node.string("CreateDate")))
    }
}
