import SandboxPolicy

/// The IAM authorization the Budgets reads need: every Describe* is budgets:ViewBudget on the budget's ARN.
public enum BudgetsPermissions {
    public static func calls(_ operation: String, budget: String, account: String) -> [DeclaredCall] {
        let arn = ResourceARN.budget(budget, account: account)
        switch operation {
        case "DescribeBudget", "DescribeNotificationsForBudget", "DescribeSubscribersForNotification":
            return [DeclaredCall(operation: operation, action: "budgets:ViewBudget", resource: arn)]
        case "ListTagsForResource":
            return [DeclaredCall(operation: operation, action: "budgets:ListTagsForResource", resource: arn)]
        default:
            return []
        }
    }
}
