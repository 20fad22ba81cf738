import SandboxPolicy

/// The IAM authorization each IAM call sandbox sends needs: the action on the ARN of the policy, user, role or OpenID
/// Connect provider it names (service authorization reference, IAM). sts:GetCallerIdentity needs none.
public enum IAMPermissions {
    static let actions = ["GetPolicy": "iam:GetPolicy", "GetPolicyVersion": "iam:GetPolicyVersion", "ListPolicyTags": "iam:ListPolicyTags",
                          "GetUser": "iam:GetUser", "ListAttachedUserPolicies": "iam:ListAttachedUserPolicies", "ListUserTags": "iam:ListUserTags",
                          "SimulateCustomPolicy": "iam:SimulateCustomPolicy"]
    /// Role calls, each authorized on the role's ARN (AttachRolePolicy/DetachRolePolicy also carry iam:PolicyARN).
    static let roleActions = ["CreateRole", "GetRole", "DeleteRole", "UpdateAssumeRolePolicy", "UpdateRole", "PutRolePermissionsBoundary",
                              "DeleteRolePermissionsBoundary", "TagRole", "UntagRole", "AttachRolePolicy", "DetachRolePolicy",
                              "ListAttachedRolePolicies"]
    /// OpenID Connect provider calls, each authorized on the provider's ARN; listing them is authorized on `*`.
    static let openIDConnectActions = ["CreateOpenIDConnectProvider", "GetOpenIDConnectProvider", "DeleteOpenIDConnectProvider",
                                       "UpdateOpenIDConnectProviderThumbprint", "AddClientIDToOpenIDConnectProvider",
                                       "RemoveClientIDFromOpenIDConnectProvider", "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider",
                                       "ListOpenIDConnectProviders"]

    public static func calls(_ operation: String, resource: String) -> [DeclaredCall] {
        if let action = actions[operation] {
            return [DeclaredCall(operation: operation, action: action, resource: operation == "SimulateCustomPolicy" ? "*" : resource)]
        }
        if roleActions.contains(operation) || openIDConnectActions.contains(operation) {
            return [DeclaredCall(operation: operation, action: "iam:" + operation,
                                 resource: operation == "ListOpenIDConnectProviders" ? "*" : resource)]
        }
        return []
    }

    /// The ARN of role `name` under `path` (`/` or `/a/b/`).
    public static func roleARN(_ name: String, path: String = "/", account: String) -> String {
        "arn:aws:iam::\(account):role\(path)\(name)"
    }

    /// The ARN IAM gives the OpenID Connect provider for `url` (scheme dropped: `oidc-provider/HOST/PATH`).
    public static func openIDConnectProviderARN(url: String, account: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        return "arn:aws:iam::\(account):oidc-provider/\(rest)"
    }
}
