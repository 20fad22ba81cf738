import Foundation
import SandboxAWS
import SandboxCore
import SandboxEngine
import SandboxProviders
import SandboxServices
import SandboxStack

/// This month's spend, actual and forecast, against the stack's budget.
struct SpendCheck: ReadinessCheck {
    var name: CheckName { .spend }
    var requires: Set<CheckName> { [.stack] }

    func run(_ context: CheckContext) async throws -> CheckOutcome {
        let evaluation = try context.evaluation()
        let result: CheckResult
        do {
            result = try await verdict(evaluation.desired, context: evaluation.provider)
        } catch {
            result = .failed(name, error)
        }
        // Listed with the checks a missing run bucket explains, as it always was.
        return CheckOutcome(result, bucket: try? evaluation.settings?.get().bucket)
    }

    func verdict(_ desired: DesiredState, context: ProviderContext) async throws -> CheckResult {
        guard let budget = Self.budget(desired), let budgetName = Self.budgetName(budget) else {
            return .skip(name, "the stack declares no budget")
        }
        let described: Budget?
        do {
            described = try await context.budgets.describeBudget(accountId: context.accountId, name: budgetName)
        } catch let error as AWSError where error.kind == .accessDenied {
            return .denied(name, error, calls: BudgetsPermissions.calls("DescribeBudget", budget: budgetName, account: context.accountId))
        }
        guard let live = described else {
            // The budget's own resource check fails; spend cannot be measured without it.
            return .skip(name, "not checked: budget \(budgetName) does not exist (see resource \(budget.address))")
        }
        let limit = NSDecimalNumber(decimal: live.limitAmount).doubleValue
        let actual = live.calculatedSpend.map { NSDecimalNumber(decimal: $0.actual).doubleValue } ?? 0
        let forecast = live.calculatedSpend?.forecasted.map { NSDecimalNumber(decimal: $0).doubleValue } ?? 0
        return SpendPolicy.evaluate(limit: limit, actual: actual, forecast: forecast, thresholdPercent: Self.thresholdPercent(budget))
    }

    // kind-specific: the stack's budget resource.
    static func budget(_ desired: DesiredState) -> DesiredResource? { desired.resources.values.first { $0.address.type == BudgetKind.name } }

    // kind-specific: the budget's name in AWS.
    static func budgetName(_ budget: DesiredResource) -> String? { budget.attributes["name"]?.stringValue }

    // kind-specific: the budget's alert threshold (80 % when the stack sets none).
    static func thresholdPercent(_ budget: DesiredResource) -> Double { budget.attributes["actual_threshold_percent"]?.numberValue ?? 80 }
}

/// Spend against the budget's limit: fail at or above it, warn above the alert threshold or when the forecast reaches it.
public enum SpendPolicy {
    public static func evaluate(limit: Double, actual: Double, forecast: Double, thresholdPercent: Double) -> CheckResult {
        let name = CheckName.spend.description
        let detail = String(format: "actual %.2f, forecasted %.2f of %.2f USD", actual, forecast, limit)
        guard limit > 0 else {
            return CheckResult(name: name, status: .warn, detail: detail + " (the budget has no positive limit)", fix: "set limit_usd on the budget")
        }
        if actual >= limit {
            return CheckResult(name: name, status: .fail, detail: detail + " (at or above the limit)",
                               fix: "stop running tests this month or ask the owner to raise limit_usd", category: .aws)
        }
        if actual >= limit * thresholdPercent / 100 {
            return CheckResult(name: name, status: .warn, detail: detail + String(format: " (above the %g%% alert threshold)", thresholdPercent))
        }
        if forecast >= limit {
            return CheckResult(name: name, status: .warn, detail: detail + " (forecast reaches the limit)")
        }
        return CheckResult(name: name, status: .pass, detail: detail)
    }
}
