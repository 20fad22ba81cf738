import Foundation
import SandboxAWS
import SandboxCore
import SandboxPolicy
import SandboxServices
import SandboxStack

/// `budget`: a monthly COST budget with an ACTUAL and a FORECASTED alert, each e-mailed to the subscribers.
public struct BudgetKind: KindDefinition {
    public static let schema = ResourceKind(name: "budget", summary: "a monthly COST budget with e-mail alerts", properties: [
        PropertySpec("name", .string, required: true, forceNew: true, rule: .budgetName, "budget name"),
        PropertySpec("limit_usd", .number, default: .number(25), range: 0.01...100, "monthly limit in USD (0 < limit <= 100)"),
        PropertySpec("emails", .stringList, required: true, rule: .email, "addresses alerted at 80% actual and 100% forecasted spend"),
        PropertySpec("actual_threshold_percent", .number, default: .number(80), range: 1...1000, "ACTUAL alert threshold"),
        PropertySpec("forecasted_threshold_percent", .number, default: .number(100), range: 1...1000, "FORECASTED alert threshold"),
        PropertySpec("tags", .stringMap, "extra tags"),
    ], attributes: [], taggable: true)

    public struct Properties: Codable, Sendable, Equatable {
        public var name: String
        public var limitUsd: Double
        public var emails: [String]
        /// Optional because a live budget may lack the notification; desired always has the schema default.
        public var actualThresholdPercent: Double?
        public var forecastedThresholdPercent: Double?
        public var tags: [String: String]?
        /// Read only: notifications nobody is subscribed to (an alert that reaches no one).
        public var notificationsWithoutSubscribers: Int?
        /// Read only: what the budget has spent and forecasts, for `sandbox check`.
        public var spendActual: Double?
        public var spendForecasted: Double?

        enum CodingKeys: String, CodingKey {
            case name, emails, tags
            case limitUsd = "limit_usd"
            case actualThresholdPercent = "actual_threshold_percent"
            case forecastedThresholdPercent = "forecasted_threshold_percent"
            case notificationsWithoutSubscribers = "notifications_without_subscribers"
            case spendActual = "spend_actual"
            case spendForecasted = "spend_forecasted"
        }
    }

    public struct Identity: Codable, Sendable {
        public var name: String
    }

    public static var isStandalone: Bool { true }
    public static var terraformImports: [TerraformImport] {
        [TerraformImport("aws_budgets_budget", stackKey: "name", terraformKey: "name")]
    }

    public init() {}

    public func physicalId(_ identity: Identity) -> String? { identity.name }

    public func readCalls(_ identity: Identity, context: ProviderContext) -> [DeclaredCall] {
        ["DescribeBudget", "ListTagsForResource", "DescribeNotificationsForBudget", "DescribeSubscribersForNotification"]
            .flatMap { BudgetsPermissions.calls($0, budget: identity.name, account: context.accountId) }
    }

    public func read(_ identity: Identity, context: ProviderContext) async throws -> Properties? {
        let name = identity.name
        guard let budget = try await context.budgets.describeBudget(accountId: context.accountId, name: name) else { return nil }
        async let tags = context.budgets.listTagsForResource(arn: Self.arn(name, context: context))
        let notifications = try await context.budgets.describeNotificationsForBudget(accountId: context.accountId, name: name)
        var emails: Set<String> = []
        var unsubscribed = 0
        var out = Properties(name: budget.name, limitUsd: Self.double(budget.limitAmount), emails: [])
        for notification in notifications {
            let subscribers = try await context.budgets.describeSubscribersForNotification(accountId: context.accountId, name: name, notification: notification)
            if subscribers.isEmpty { unsubscribed += 1 }
            emails.formUnion(subscribers.filter { $0.subscriptionType == .email }.map(\.address))
            guard notification.thresholdType == .percentage, notification.comparisonOperator == .greaterThan else { continue }
            // The first matching notification of each type is the one the stack manages.
            if notification.notificationType == .actual {
                out.actualThresholdPercent = out.actualThresholdPercent ?? notification.threshold
            } else {
                out.forecastedThresholdPercent = out.forecastedThresholdPercent ?? notification.threshold
            }
        }
        out.emails = emails.sorted()
        out.tags = try await tags
        out.notificationsWithoutSubscribers = unsubscribed
        if let spend = budget.calculatedSpend {
            out.spendActual = Self.double(spend.actual)
            out.spendForecasted = spend.forecasted.map(Self.double)
        }
        return out
    }

    public func differences(desired: Properties, live: Properties, generic: [AttributeChange]) -> [AttributeChange] {
        guard let count = live.notificationsWithoutSubscribers, count > 0 else { return generic }
        return generic + [AttributeChange(name: "subscribers", old: .string("\(count) notification(s) without subscribers"),
                                          new: .array(desired.emails.map(JSONValue.string)))]
    }

    public func create(_ desired: Properties, context: ProviderContext) async throws -> Properties {
        let subscribers = desired.emails.map(BudgetSubscriber.email)
        try await context.budgets.createBudget(accountId: context.accountId, budget: budget(desired),
                                               notifications: try notifications(desired).map { NotificationWithSubscribers(notification: $0, subscribers: subscribers) },
                                               tags: desired.tags ?? [:])
        try await awaitExists(Identity(name: desired.name), context: context)
        return desired
    }

    public func update(_ desired: Properties, live: Properties, context: ProviderContext) async throws -> Properties {
        let name = desired.name
        if abs(desired.limitUsd - live.limitUsd) > 0.000_001 {
            try await context.budgets.updateBudget(accountId: context.accountId, budget: budget(desired))
        }
        if let want = desired.tags, want != (live.tags ?? [:]) {
            let have = live.tags ?? [:]
            let arn = Self.arn(name, context: context)
            try await context.budgets.untagResource(arn: arn, keys: have.keys.filter { want[$0] == nil })
            try await context.budgets.tagResource(arn: arn, tags: want.filter { have[$0.key] != $0.value })
        }
        try await reconcileNotifications(desired, context: context)
        return desired
    }

    /// Deletes notifications the stack does not want, creates missing ones, and aligns each one's subscribers.
    func reconcileNotifications(_ desired: Properties, context: ProviderContext) async throws {
        let (account, name) = (context.accountId, desired.name)
        let wanted = try notifications(desired)
        let present = try await context.budgets.describeNotificationsForBudget(accountId: account, name: name)
        let emails = Set(desired.emails)
        for notification in present where !wanted.contains(notification) {
            try await context.budgets.deleteNotification(accountId: account, name: name, notification: notification)
        }
        for notification in wanted {
            guard present.contains(notification) else {
                try await context.budgets.createNotification(accountId: account, name: name, notification: notification,
                                                             subscribers: emails.sorted().map(BudgetSubscriber.email))
                continue
            }
            let subscribers = try await context.budgets.describeSubscribersForNotification(accountId: account, name: name, notification: notification)
            let have = Set(subscribers.filter { $0.subscriptionType == .email }.map(\.address))
            for address in emails.subtracting(have).sorted() {
                try await context.budgets.createSubscriber(accountId: account, name: name, notification: notification, subscriber: .email(address))
            }
            for address in have.subtracting(emails).sorted() {
                try await context.budgets.deleteSubscriber(accountId: account, name: name, notification: notification, subscriber: .email(address))
            }
        }
    }

    public func delete(_ recorded: Properties, context: ProviderContext, options: DeleteOptions) async throws {
        do {
            try await context.budgets.deleteBudget(accountId: context.accountId, name: recorded.name)
        } catch let error as AWSError where error.kind == .notFound {
            return
        }
    }

    func budget(_ desired: Properties) -> Budget {
        Budget(name: desired.name, limitAmount: Decimal(desired.limitUsd), unit: "USD", timeUnit: .monthly, budgetType: .cost)
    }

    func notifications(_ desired: Properties) throws -> [BudgetNotification] {
        [BudgetNotification(notificationType: .actual, comparisonOperator: .greaterThan,
                            threshold: try Self.resolved(desired.actualThresholdPercent, "actual_threshold_percent"), thresholdType: .percentage),
         BudgetNotification(notificationType: .forecasted, comparisonOperator: .greaterThan,
                            threshold: try Self.resolved(desired.forecastedThresholdPercent, "forecasted_threshold_percent"), thresholdType: .percentage)]
    }

    static func arn(_ name: String, context: ProviderContext) -> String {
        BudgetsClient.budgetARN(accountId: context.accountId, name: name)
    }

    static func double(_ value: Decimal) -> Double { NSDecimalNumber(decimal: value).doubleValue }
}
