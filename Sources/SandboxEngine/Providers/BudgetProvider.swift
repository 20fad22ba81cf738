import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `budget`: a monthly COST budget with an ACTUAL and a FORECASTED alert, each e-mailed to the subscribers.
struct BudgetProvider: ResourceProvider {
    let kind = ResourceKind.budget
    var isStandalone: Bool { true }

    func plannedAttributes(_ desired: Attributes, context: ProviderContext) -> Attributes { desired }
    func physicalId(_ attributes: Attributes) -> String? { attributes.string("name") }

    func readCalls(_ attributes: Attributes, context: ProviderContext) -> [DeclaredCall] {
        guard let name = attributes.string("name") else { return [] }
        return ["DescribeBudget", "ListTagsForResource", "DescribeNotificationsForBudget", "DescribeSubscribersForNotification"]
            .flatMap { BudgetsPermissions.calls($0, budget: name, account: context.accountId) }
    }

    func read(_ attributes: Attributes, context: ProviderContext) async throws -> Attributes? {
        guard let name = attributes.string("name") else { return nil }
        guard let budget = try await context.budgets.describeBudget(accountId: context.accountId, name: name) else { return nil }
        async let tags = context.budgets.listTagsForResource(arn: Self.arn(name, context: context))
        let notifications = try await context.budgets.describeNotificationsForBudget(accountId: context.accountId, name: name)
        var emails: Set<String> = []
        var unsubscribed = 0
        var out: Attributes = ["name": .string(budget.name), "limit_usd": .number(Self.double(budget.limitAmount))]
        for notification in notifications {
            let subscribers = try await context.budgets.describeSubscribersForNotification(accountId: context.accountId, name: name, notification: notification)
            if subscribers.isEmpty { unsubscribed += 1 }
            emails.formUnion(subscribers.filter { $0.subscriptionType == .email }.map(\.address))
            let key = notification.notificationType == .actual ? "actual_threshold_percent" : "forecasted_threshold_percent"
            if notification.thresholdType == .percentage, notification.comparisonOperator == .greaterThan, out[key] == nil {
                out[key] = .number(notification.threshold)
            }
        }
        out["emails"] = .array(emails.sorted().map(JSONValue.string))
        out["tags"] = .object(try await tags.mapValues(JSONValue.string))
        out["notifications_without_subscribers"] = .number(Double(unsubscribed))
        if let spend = budget.calculatedSpend {
            out["spend_actual"] = .number(Self.double(spend.actual))
            if let forecast = spend.forecasted { out["spend_forecasted"] = .number(Self.double(forecast)) }
        }
        return out
    }

    func differences(desired: Attributes, live: Attributes) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for spec in kind.properties {
            guard let want = desired[spec.name], want != .null else { continue }
            if !Self.same(want, live[spec.name], type: spec.type) {
                changes.append(AttributeChange(name: spec.name, old: live[spec.name], new: want, forcesReplacement: spec.forceNew))
            }
        }
        if let count = live.int("notifications_without_subscribers"), count > 0 {
            changes.append(AttributeChange(name: "subscribers", old: .string("\(count) notification(s) without subscribers"), new: desired["emails"]))
        }
        return changes
    }

    func create(_ desired: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name") else { throw ProviderError("budget", "budget has no name", category: .usage) }
        let subscribers = desired.stringList("emails").map(BudgetSubscriber.email)
        try await context.budgets.createBudget(accountId: context.accountId, budget: budget(name: name, desired: desired),
                                               notifications: notifications(desired).map { NotificationWithSubscribers(notification: $0, subscribers: subscribers) },
                                               tags: desired.stringMap("tags"))
        _ = try await context.consistency.poll({ try await read(desired, context: context) }, until: { $0 != nil })
        return desired
    }

    func update(_ desired: Attributes, live: Attributes, context: ProviderContext) async throws -> Attributes {
        guard let name = desired.string("name") else { return live }
        if let want = desired.number("limit_usd"), abs(want - (live.number("limit_usd") ?? -1)) > 0.000_001 {
            try await context.budgets.updateBudget(accountId: context.accountId, budget: budget(name: name, desired: desired))
        }
        if desired["tags"] != nil, desired.stringMap("tags") != live.stringMap("tags") {
            let want = desired.stringMap("tags"), have = live.stringMap("tags")
            let arn = Self.arn(name, context: context)
            try await context.budgets.untagResource(arn: arn, keys: have.keys.filter { want[$0] == nil })
            try await context.budgets.tagResource(arn: arn, tags: want.filter { have[$0.key] != $0.value })
        }
        let wanted = notifications(desired)
        let present = try await context.budgets.describeNotificationsForBudget(accountId: context.accountId, name: name)
        let emails = Set(desired.stringList("emails"))
        for notification in present where !wanted.contains(notification) {
            try await context.budgets.deleteNotification(accountId: context.accountId, name: name, notification: notification)
        }
        for notification in wanted {
            guard present.contains(notification) else {
                try await context.budgets.createNotification(accountId: context.accountId, name: name, notification: notification,
                                                             subscribers: emails.sorted().map(BudgetSubscriber.email))
                continue
            }
            let subscribers = try await context.budgets.describeSubscribersForNotification(accountId: context.accountId, name: name, notification: notification)
            let have = Set(subscribers.filter { $0.subscriptionType == .email }.map(\.address))
            for address in emails.subtracting(have).sorted() {
                try await context.budgets.createSubscriber(accountId: context.accountId, name: name, notification: notification, subscriber: .email(address))
            }
            for address in have.subtracting(emails).sorted() {
                try await context.budgets.deleteSubscriber(accountId: context.accountId, name: name, notification: notification, subscriber: .email(address))
            }
        }
        return desired
    }

    func delete(_ attributes: Attributes, context: ProviderContext, options: DeleteOptions) async throws {
        guard let name = attributes.string("name") else { return }
        do {
            try await context.budgets.deleteBudget(accountId: context.accountId, name: name)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }

    func budget(name: String, desired: Attributes) -> Budget {
        Budget(name: name, limitAmount: Decimal(desired.number("limit_usd") ?? 25), unit: "USD", timeUnit: .monthly, budgetType: .cost)
    }

    func notifications(_ desired: Attributes) -> [BudgetNotification] {
        [BudgetNotification(notificationType: .actual, comparisonOperator: .greaterThan, threshold: desired.number("actual_threshold_percent") ?? 80, thresholdType: .percentage),
         BudgetNotification(notificationType: .forecasted, comparisonOperator: .greaterThan, threshold: desired.number("forecasted_threshold_percent") ?? 100, thresholdType: .percentage)]
    }

    static func arn(_ name: String, context: ProviderContext) -> String {
        BudgetsClient.budgetARN(accountId: context.accountId, name: name)
    }

    static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
}
