import SandboxPolicy

/// The IAM authorization the IAM reads need: each action on the policy's own ARN. sts:GetCallerIdentity needs none.
public enum IAMPermissions {
    static let actions = ["GetPolicy": "iam:GetPolicy", "GetPolicyVersion": "iam:GetPolicyVersion", "ListPolicyTags": "iam:ListPolicyTags",
                          "GetUser": "iam:GetUser", "ListAttachedUserPolicies": "iam:ListAttachedUserPolicies", "ListUserTags": "iam:ListUserTags",
                          "SimulateCustomPolicy": "iam:SimulateCustomPolicy"]

    public static func calls(_ operation: String, resource: String) -> [DeclaredCall] {
        guard let action = actions[operation] else { return [] }
        return [DeclaredCall(operation: operation, action: action, resource: operation == "SimulateCustomPolicy" ? "*" : resource)]
    }
}
