import Foundation

/// Budgets' JSON shapes. Numbers need care: `Spend.Amount` is a decimal *string*, `Threshold` a JSON number,
/// timestamps epoch seconds.
enum BudgetsWire {
    static func decimal(_ text: String) -> Decimal? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-") }) else { return nil }
        return Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX"))
    }

    static func text(_ amount: Decimal) -> String {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 10, .plain)
        return rounded.description
    }

    struct Spend: Codable, Sendable {
        var amount: String
        var unit: String

        init(amount: Decimal, unit: String) {
            self.amount = text(amount)
            self.unit = unit
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let number = try? container.decode(Double.self, forKey: .amount) {
                amount = String(number)
            } else {
                amount = try container.decode(String.self, forKey: .amount)
            }
            unit = try container.decodeIfPresent(String.self, forKey: .unit) ?? "USD"
        }

        var value: Decimal { decimal(amount) ?? 0 }
    }

    struct TimePeriod: Codable, Sendable {
        var start: Date?
        var end: Date?

        init(_ period: BudgetTimePeriod) {
            start = period.start
            end = period.end
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            start = try container.decodeTimestampIfPresent(forKey: .start)
            end = try container.decodeTimestampIfPresent(forKey: .end)
        }
    }

    struct CalculatedSpendShape: Decodable, Sendable {
        var actualSpend: Spend?
        var forecastedSpend: Spend?
    }

    /// The budget as sent: read-only members (CalculatedSpend, LastUpdatedTime) are left out.
    struct BudgetInput: Encodable, Sendable {
        var budgetName: String
        var budgetLimit: Spend
        var timeUnit: BudgetTimeUnit
        var budgetType: BudgetType
        var timePeriod: TimePeriod?

        init(_ budget: Budget) {
            budgetName = budget.name
            budgetLimit = Spend(amount: budget.limitAmount, unit: budget.unit)
            timeUnit = budget.timeUnit
            budgetType = budget.budgetType
            timePeriod = budget.timePeriod.map(TimePeriod.init)
        }
    }

    struct BudgetOutput: Decodable, Sendable {
        var budgetName: String
        var budgetLimit: Spend?
        var timeUnit: BudgetTimeUnit
        var budgetType: BudgetType
        var timePeriod: TimePeriod?
        var calculatedSpend: CalculatedSpendShape?
        var lastUpdatedTime: Date?

        enum CodingKeys: String, CodingKey {
            case budgetName, budgetLimit, timeUnit, budgetType, timePeriod, calculatedSpend, lastUpdatedTime
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            budgetName = try container.decode(String.self, forKey: .budgetName)
            budgetLimit = try container.decodeIfPresent(Spend.self, forKey: .budgetLimit)
            timeUnit = try container.decode(BudgetTimeUnit.self, forKey: .timeUnit)
            budgetType = try container.decode(BudgetType.self, forKey: .budgetType)
            timePeriod = try container.decodeIfPresent(TimePeriod.self, forKey: .timePeriod)
            calculatedSpend = try container.decodeIfPresent(CalculatedSpendShape.self, forKey: .calculatedSpend)
            lastUpdatedTime = try container.decodeTimestampIfPresent(forKey: .lastUpdatedTime)
        }

        var budget: Budget {
            let spend = calculatedSpend.flatMap { shape in
                shape.actualSpend.map {
                    CalculatedSpend(actual: $0.value, forecasted: shape.forecastedSpend?.value, unit: $0.unit)
                }
            }
            return Budget(name: budgetName, limitAmount: budgetLimit?.value ?? 0, unit: budgetLimit?.unit ?? "USD",
                          timeUnit: timeUnit, budgetType: budgetType,
                          timePeriod: timePeriod.map { BudgetTimePeriod(start: $0.start, end: $0.end) },
                          calculatedSpend: spend, lastUpdatedTime: lastUpdatedTime)
        }
    }

    struct Notification: Codable, Sendable {
        var notificationType: NotificationType
        var comparisonOperator: ComparisonOperator
        var threshold: Double
        var thresholdType: ThresholdType?

        init(_ notification: BudgetNotification) {
            notificationType = notification.notificationType
            comparisonOperator = notification.comparisonOperator
            threshold = notification.threshold
            thresholdType = notification.thresholdType
        }

        init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            notificationType = try container.decode(NotificationType.self, forKey: .notificationType)
            comparisonOperator = try container.decode(ComparisonOperator.self, forKey: .comparisonOperator)
            if let number = try? container.decode(Double.self, forKey: .threshold) {
                threshold = number
            } else {
                let text = try container.decode(String.self, forKey: .threshold)
                guard let number = Double(text) else {
                    throw DecodingError.dataCorruptedError(forKey: .threshold, in: container, debugDescription: "not a number: \(text)")
                }
                threshold = number
            }
            thresholdType = try container.decodeIfPresent(ThresholdType.self, forKey: .thresholdType)
        }

        var notification: BudgetNotification {
            BudgetNotification(notificationType: notificationType, comparisonOperator: comparisonOperator,
                               threshold: threshold, thresholdType: thresholdType ?? .percentage)
        }
    }

    struct Subscriber: Codable, Sendable {
        var subscriptionType: SubscriptionType
        var address: String

        init(_ subscriber: BudgetSubscriber) {
            subscriptionType = subscriber.subscriptionType
            address = subscriber.address
        }

        var subscriber: BudgetSubscriber { BudgetSubscriber(subscriptionType: subscriptionType, address: address) }
    }

    struct NotificationWithSubscribersShape: Encodable, Sendable {
        var notification: Notification
        var subscribers: [Subscriber]
    }

    struct CreateBudgetRequest: Encodable, Sendable {
        var accountId: String
        var budget: BudgetInput
        var notificationsWithSubscribers: [NotificationWithSubscribersShape]?
        var resourceTags: [ResourceTag]?
    }

    struct ResourceTag: Codable, Sendable {
        var key: String
        var value: String
    }

    struct TagResourceRequest: Encodable, Sendable {
        var resourceARN: String
        var resourceTags: [ResourceTag]
    }

    struct UntagResourceRequest: Encodable, Sendable {
        var resourceARN: String
        var resourceTagKeys: [String]
    }

    struct ResourceRequest: Encodable, Sendable {
        var resourceARN: String
    }

    struct ListTagsForResourceResponse: Decodable, Sendable {
        var resourceTags: [ResourceTag]?
    }

    static func tags(_ map: [String: String]) -> [ResourceTag] {
        map.keys.sorted().map { ResourceTag(key: $0, value: map[$0] ?? "") }
    }

    struct UpdateBudgetRequest: Encodable, Sendable {
        var accountId: String
        var newBudget: BudgetInput
    }

    struct BudgetNameRequest: Encodable, Sendable {
        var accountId: String
        var budgetName: String
    }

    struct DescribeBudgetResponse: Decodable, Sendable {
        /// Required: a budget that does not exist is NotFoundException, never an empty answer.
        var budget: BudgetOutput
    }

    struct DescribeNotificationsRequest: Encodable, Sendable {
        var accountId: String
        var budgetName: String
        var nextToken: String?
    }

    struct DescribeNotificationsResponse: Decodable, Sendable {
        var notifications: [Notification]?
        var nextToken: String?
    }

    struct NotificationRequest: Encodable, Sendable {
        var accountId: String
        var budgetName: String
        var notification: Notification
        var nextToken: String?
    }

    struct DescribeSubscribersResponse: Decodable, Sendable {
        var subscribers: [Subscriber]?
        var nextToken: String?
    }

    struct CreateNotificationRequest: Encodable, Sendable {
        var accountId: String
        var budgetName: String
        var notification: Notification
        var subscribers: [Subscriber]
    }

    struct SubscriberRequest: Encodable, Sendable {
        var accountId: String
        var budgetName: String
        var notification: Notification
        var subscriber: Subscriber
    }
}
