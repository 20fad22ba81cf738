import Foundation
import SandboxAWS

/// AWS Budgets (JSON 1.1, `X-Amz-Target: AWSBudgetServiceGateway.<Operation>`, one global endpoint signed for us-east-1).
public struct BudgetsClient: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    /// Sends one operation; `journal` declares whether it changes Budgets and what (a budget name or ARN).
    func call<Output: Decodable>(_ operation: String, _ input: some Encodable, as output: Output.Type = EmptyShape.self,
                                 journal: Journal) async throws -> Output {
        try await client.json(.budgets, operation: operation, input: input, as: output, journal: journal)
    }

    /// Follows `NextToken` to the end.
    func collect<Item>(_ operation: String, _ page: (String?) async throws -> ([Item], String?)) async throws -> [Item] {
        var all: [Item] = []
        var token: String?
        repeat {
            let (items, next) = try await page(token)
            all.append(contentsOf: items)
            let following = next.flatMap { $0.isEmpty ? nil : $0 }
            if let following, following == token {
                throw MalformedResponseError(service: "Budgets", operation: operation, status: 200, detail: "the same NextToken came back twice",
                                             endpoint: client.endpoint(for: .budgets).baseURL.absoluteString)
            }
            token = following
        } while token != nil
        return all
    }

    // MARK: - Budgets

    public func createBudget(accountId: String, budget: Budget, notifications: [NotificationWithSubscribers] = [],
                             tags: [String: String] = [:]) async throws {
        let shapes = notifications.map {
            BudgetsWire.NotificationWithSubscribersShape(notification: .init($0.notification), subscribers: $0.subscribers.map(BudgetsWire.Subscriber.init))
        }
        let request = BudgetsWire.CreateBudgetRequest(accountId: accountId, budget: .init(budget),
                                                      notificationsWithSubscribers: shapes.isEmpty ? nil : shapes,
                                                      resourceTags: tags.isEmpty ? nil : BudgetsWire.tags(tags))
        _ = try await call("CreateBudget", request, journal: .mutating(target: budget.name))
    }

    /// The ARN Budgets tags a budget by.
    public static func budgetARN(partition: String = "aws", accountId: String, name: String) -> String {
        "arn:\(partition):budgets::\(accountId):budget/\(name)"
    }

    public func listTagsForResource(arn: String) async throws -> [String: String] {
        let output = try await call("ListTagsForResource", BudgetsWire.ResourceRequest(resourceARN: arn), as: BudgetsWire.ListTagsForResourceResponse.self, journal: .read)
        return Dictionary((output.resourceTags ?? []).map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Adds or overwrites these tags.
    public func tagResource(arn: String, tags: [String: String]) async throws {
        guard !tags.isEmpty else { return }
        _ = try await call("TagResource", BudgetsWire.TagResourceRequest(resourceARN: arn, resourceTags: BudgetsWire.tags(tags)), journal: .mutating(target: arn))
    }

    public func untagResource(arn: String, keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        _ = try await call("UntagResource", BudgetsWire.UntagResourceRequest(resourceARN: arn, resourceTagKeys: keys.sorted()), journal: .mutating(target: arn))
    }

    /// The budget, or nil when it does not exist (`NotFoundException`).
    public func describeBudget(accountId: String, name: String) async throws -> Budget? {
        do {
            let output = try await call("DescribeBudget", BudgetsWire.BudgetNameRequest(accountId: accountId, budgetName: name),
                                        as: BudgetsWire.DescribeBudgetResponse.self, journal: .read)
            return output.budget.budget
        } catch let error as AWSError where error.code == "NotFoundException" {
            return nil
        }
    }

    /// Replaces the budget's limit, time unit and type (read-only fields of `budget` are not sent).
    public func updateBudget(accountId: String, budget: Budget) async throws {
        _ = try await call("UpdateBudget", BudgetsWire.UpdateBudgetRequest(accountId: accountId, newBudget: .init(budget)), journal: .mutating(target: budget.name))
    }

    /// Deletes the budget with its notifications and subscribers.
    public func deleteBudget(accountId: String, name: String) async throws {
        _ = try await call("DeleteBudget", BudgetsWire.BudgetNameRequest(accountId: accountId, budgetName: name), journal: .mutating(target: name))
    }

    // MARK: - Notifications

    public func describeNotificationsForBudget(accountId: String, name: String) async throws -> [BudgetNotification] {
        try await collect("DescribeNotificationsForBudget") { token in
            let output = try await call("DescribeNotificationsForBudget",
                                        BudgetsWire.DescribeNotificationsRequest(accountId: accountId, budgetName: name, nextToken: token),
                                        as: BudgetsWire.DescribeNotificationsResponse.self, journal: .read)
            return ((output.notifications ?? []).map(\.notification), output.nextToken)
        }
    }

    public func createNotification(accountId: String, name: String, notification: BudgetNotification, subscribers: [BudgetSubscriber]) async throws {
        let request = BudgetsWire.CreateNotificationRequest(accountId: accountId, budgetName: name, notification: .init(notification),
                                                            subscribers: subscribers.map(BudgetsWire.Subscriber.init))
        _ = try await call("CreateNotification", request, journal: .mutating(target: name))
    }

    /// Deletes the notification and its subscribers.
    public func deleteNotification(accountId: String, name: String, notification: BudgetNotification) async throws {
        _ = try await call("DeleteNotification",
                           BudgetsWire.NotificationRequest(accountId: accountId, budgetName: name, notification: .init(notification)), journal: .mutating(target: name))
    }

    // MARK: - Subscribers

    public func describeSubscribersForNotification(accountId: String, name: String, notification: BudgetNotification) async throws -> [BudgetSubscriber] {
        try await collect("DescribeSubscribersForNotification") { token in
            let output = try await call("DescribeSubscribersForNotification",
                                        BudgetsWire.NotificationRequest(accountId: accountId, budgetName: name,
                                                                        notification: .init(notification), nextToken: token),
                                        as: BudgetsWire.DescribeSubscribersResponse.self, journal: .read)
            return ((output.subscribers ?? []).map(\.subscriber), output.nextToken)
        }
    }

    public func createSubscriber(accountId: String, name: String, notification: BudgetNotification, subscriber: BudgetSubscriber) async throws {
        _ = try await call("CreateSubscriber",
                           BudgetsWire.SubscriberRequest(accountId: accountId, budgetName: name, notification: .init(notification),
                                                         subscriber: .init(subscriber)), journal: .mutating(target: name))
    }

    public func deleteSubscriber(accountId: String, name: String, notification: BudgetNotification, subscriber: BudgetSubscriber) async throws {
        _ = try await call("DeleteSubscriber",
                           BudgetsWire.SubscriberRequest(accountId: accountId, budgetName: name, notification: .init(notification),
                                                         subscriber: .init(subscriber)), journal: .mutating(target: name))
    }
}
