import Foundation

/// Declares an open set of string constants (AWS adds values; unknown ones must still decode).
public protocol BudgetsConstant: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByStringLiteral where RawValue == String {
    init(rawValue: String)
}

extension BudgetsConstant {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    public var description: String { rawValue }
}

/// `DAILY`, `MONTHLY`, `QUARTERLY`, `ANNUALLY`, `CUSTOM`.
public struct BudgetTimeUnit: BudgetsConstant {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let daily = Self(rawValue: "DAILY")
    public static let monthly = Self(rawValue: "MONTHLY")
    public static let quarterly = Self(rawValue: "QUARTERLY")
    public static let annually = Self(rawValue: "ANNUALLY")
    public static let custom = Self(rawValue: "CUSTOM")
}

/// `COST`, `USAGE`, `RI_UTILIZATION`, `RI_COVERAGE`, `SAVINGS_PLANS_UTILIZATION`, `SAVINGS_PLANS_COVERAGE`.
public struct BudgetType: BudgetsConstant {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let cost = Self(rawValue: "COST")
    public static let usage = Self(rawValue: "USAGE")
    public static let riUtilization = Self(rawValue: "RI_UTILIZATION")
    public static let riCoverage = Self(rawValue: "RI_COVERAGE")
    public static let savingsPlansUtilization = Self(rawValue: "SAVINGS_PLANS_UTILIZATION")
    public static let savingsPlansCoverage = Self(rawValue: "SAVINGS_PLANS_COVERAGE")
}

/// `ACTUAL` or `FORECASTED` spend.
public struct NotificationType: BudgetsConstant {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let actual = Self(rawValue: "ACTUAL")
    public static let forecasted = Self(rawValue: "FORECASTED")
}

public struct ComparisonOperator: BudgetsConstant {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let greaterThan = Self(rawValue: "GREATER_THAN")
    public static let lessThan = Self(rawValue: "LESS_THAN")
    public static let equalTo = Self(rawValue: "EQUAL_TO")
}

/// Whether a threshold is a percentage of the limit or an amount.
public struct ThresholdType: BudgetsConstant {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let percentage = Self(rawValue: "PERCENTAGE")
    public static let absoluteValue = Self(rawValue: "ABSOLUTE_VALUE")
}

public struct SubscriptionType: BudgetsConstant {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let email = Self(rawValue: "EMAIL")
    public static let sns = Self(rawValue: "SNS")
}

/// What AWS has computed for a budget so far (read-only).
public struct CalculatedSpend: Sendable, Equatable, Hashable {
    public var actual: Decimal
    public var forecasted: Decimal?
    public var unit: String

    public init(actual: Decimal, forecasted: Decimal? = nil, unit: String = "USD") {
        self.actual = actual
        self.forecasted = forecasted
        self.unit = unit
    }
}

public struct BudgetTimePeriod: Sendable, Equatable, Hashable {
    public var start: Date?
    public var end: Date?

    public init(start: Date? = nil, end: Date? = nil) {
        self.start = start
        self.end = end
    }
}

/// A cost or usage budget. `limitAmount` travels as a decimal string (`Spend.Amount`), never a JSON number.
public struct Budget: Sendable, Equatable, Hashable {
    public var name: String
    public var limitAmount: Decimal
    public var unit: String
    public var timeUnit: BudgetTimeUnit
    public var budgetType: BudgetType
    /// Optional on create (AWS starts at the current period); always present on read.
    public var timePeriod: BudgetTimePeriod?
    /// Read-only: ignored when creating or updating.
    public var calculatedSpend: CalculatedSpend?
    /// Read-only.
    public var lastUpdatedTime: Date?

    public init(name: String, limitAmount: Decimal, unit: String = "USD", timeUnit: BudgetTimeUnit = .monthly,
                budgetType: BudgetType = .cost, timePeriod: BudgetTimePeriod? = nil,
                calculatedSpend: CalculatedSpend? = nil, lastUpdatedTime: Date? = nil) {
        self.name = name
        self.limitAmount = limitAmount
        self.unit = unit
        self.timeUnit = timeUnit
        self.budgetType = budgetType
        self.timePeriod = timePeriod
        self.calculatedSpend = calculatedSpend
        self.lastUpdatedTime = lastUpdatedTime
    }

    /// A limit given as AWS writes it (`"25.0"`); nil when the text is not a decimal number.
    public init?(name: String, limit: String, unit: String = "USD", timeUnit: BudgetTimeUnit = .monthly, budgetType: BudgetType = .cost) {
        guard let amount = BudgetsWire.decimal(limit) else { return nil }
        self.init(name: name, limitAmount: amount, unit: unit, timeUnit: timeUnit, budgetType: budgetType)
    }

    /// The limit as the decimal string Budgets sends (`25`, `25.5`).
    public var limitText: String { BudgetsWire.text(limitAmount) }
}

/// An alert on a budget. AWS identifies a notification by these four fields.
public struct BudgetNotification: Sendable, Equatable, Hashable {
    public var notificationType: NotificationType
    public var comparisonOperator: ComparisonOperator
    public var threshold: Double
    public var thresholdType: ThresholdType

    public init(notificationType: NotificationType = .actual, comparisonOperator: ComparisonOperator = .greaterThan,
                threshold: Double, thresholdType: ThresholdType = .percentage) {
        self.notificationType = notificationType
        self.comparisonOperator = comparisonOperator
        self.threshold = threshold
        self.thresholdType = thresholdType
    }
}

/// Where a notification goes: an e-mail address or an SNS topic ARN.
public struct BudgetSubscriber: Sendable, Equatable, Hashable {
    public var subscriptionType: SubscriptionType
    public var address: String

    public init(subscriptionType: SubscriptionType = .email, address: String) {
        self.subscriptionType = subscriptionType
        self.address = address
    }

    public static func email(_ address: String) -> BudgetSubscriber { BudgetSubscriber(subscriptionType: .email, address: address) }
    public static func sns(_ topicArn: String) -> BudgetSubscriber { BudgetSubscriber(subscriptionType: .sns, address: topicArn) }
}

/// A notification with its subscribers, as `CreateBudget` takes them.
public struct NotificationWithSubscribers: Sendable, Equatable, Hashable {
    public var notification: BudgetNotification
    public var subscribers: [BudgetSubscriber]

    public init(notification: BudgetNotification, subscribers: [BudgetSubscriber]) {
        self.notification = notification
        self.subscribers = subscribers
    }
}
