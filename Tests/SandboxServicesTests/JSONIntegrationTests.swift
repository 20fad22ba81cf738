import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

final class GlueIntegrationTests: MotoTestCase {
    func testDatabases() async throws {
        let glue = GlueClient(try motoClient())
        let none = try await glue.getDatabase(name: "sbx_db")
        XCTAssertNil(none)
        try await glue.createDatabase(name: "sbx_db", description: "sandbox", parameters: ["sandbox:stack": "demo", "lower": "x"])
        let database = try await glue.getDatabase(name: "sbx_db")
        XCTAssertEqual(database?.name, "sbx_db")
        XCTAssertEqual(database?.description, "sandbox")
        XCTAssertEqual(database?.parameters, ["sandbox:stack": "demo", "lower": "x"])
        XCTAssertNotNil(database?.createTime)
        let duplicate = await assertAWSError { try await glue.createDatabase(name: "sbx_db") }
        XCTAssertEqual(duplicate?.code, "AlreadyExistsException")

        try await glue.createDatabase(name: "sbx_db2")
        let listed = try await glue.getDatabases()
        XCTAssertEqual(Set(listed.databases.map(\.name)), ["sbx_db", "sbx_db2"])
        var viaPages: [String] = []
        for try await page in glue.databasePages() { viaPages += page.map(\.name) }
        XCTAssertEqual(Set(viaPages), ["sbx_db", "sbx_db2"])

        try await glue.updateDatabase(name: "sbx_db", description: "updated", parameters: ["k": "v"])
        let updated = try await glue.getDatabase(name: "sbx_db")
        XCTAssertEqual(updated?.description, "updated")
        XCTAssertEqual(updated?.parameters, ["k": "v"])

        try await glue.deleteDatabase(name: "sbx_db")
        try await glue.deleteDatabase(name: "sbx_db2")
        let gone = try await glue.getDatabase(name: "sbx_db")
        XCTAssertNil(gone)
        let missing = await assertAWSError { try await glue.deleteDatabase(name: "sbx_db") }
        XCTAssertEqual(missing?.kind, .notFound)
    }

    func testTables() async throws {
        let glue = GlueClient(try motoClient())
        try await glue.createDatabase(name: "sbx_tables")
        for index in 0..<4 {
            try await glue.createTable(database: "sbx_tables", name: "t\(index)", columns: [("id", "bigint"), ("name", "string")],
                                       location: "s3://sbx-bucket/t\(index)/")
        }
        let page = try await glue.getTables(database: "sbx_tables")
        XCTAssertEqual(Set(page.tables), Set((0..<4).map { GlueTable(name: "t\($0)", databaseName: "sbx_tables") }))
        var viaPages: [String] = []
        for try await tables in glue.tablePages(database: "sbx_tables") { viaPages += tables.map(\.name) }
        XCTAssertEqual(viaPages.sorted(), ["t0", "t1", "t2", "t3"])
        let filtered = try await glue.getTables(database: "sbx_tables", expression: "t[12]")
        XCTAssertEqual(Set(filtered.tables.map(\.name)), ["t1", "t2"])

        let errors = try await glue.batchDeleteTable(database: "sbx_tables", names: ["t0", "t1", "missing"])
        XCTAssertEqual(errors.map(\.name), ["missing"])
        XCTAssertEqual(errors.first?.code, "EntityNotFoundException")
        let rest = try await glue.getTables(database: "sbx_tables")
        XCTAssertEqual(Set(rest.tables.map(\.name)), ["t2", "t3"])
        do {
            _ = try await glue.batchDeleteTable(database: "sbx_tables", names: (0...100).map { "t\($0)" })
            XCTFail("expected ClientInputError")
        } catch is ClientInputError {}
        let noDatabase = await assertAWSError { _ = try await glue.getTables(database: "sbx_none") }
        XCTAssertEqual(noDatabase?.kind, .notFound)
    }
}

final class BudgetsIntegrationTests: MotoTestCase {
    let account = "123456789012"
    let alert = BudgetNotification(notificationType: .actual, comparisonOperator: .greaterThan, threshold: 80, thresholdType: .percentage)
    let forecast = BudgetNotification(notificationType: .forecasted, comparisonOperator: .greaterThan, threshold: 25.5, thresholdType: .absoluteValue)

    func testBudgetLifecycle() async throws {
        let budgets = BudgetsClient(try motoClient(region: "eu-west-1"))
        let none = try await budgets.describeBudget(accountId: account, name: "sbx-budget")
        XCTAssertNil(none)
        let budget = try XCTUnwrap(Budget(name: "sbx-budget", limit: "25.0"))
        try await budgets.createBudget(accountId: account, budget: budget, notifications: [
            NotificationWithSubscribers(notification: alert, subscribers: [.email("owner@example.com")]),
        ])
        let described = try await budgets.describeBudget(accountId: account, name: "sbx-budget")
        let read = try XCTUnwrap(described)
        XCTAssertEqual(read.name, "sbx-budget")
        XCTAssertEqual(read.limitAmount, 25)
        XCTAssertEqual(read.unit, "USD")
        XCTAssertEqual(read.timeUnit, .monthly)
        XCTAssertEqual(read.budgetType, .cost)
        XCTAssertEqual(read.calculatedSpend?.actual, 0)
        XCTAssertNotNil(read.timePeriod?.start)
        XCTAssertNotNil(read.lastUpdatedTime)
        let duplicate = await assertAWSError { try await budgets.createBudget(accountId: account, budget: budget) }
        XCTAssertEqual(duplicate?.code, "DuplicateRecordException")

        try await budgets.deleteBudget(accountId: account, name: "sbx-budget")
        let gone = try await budgets.describeBudget(accountId: account, name: "sbx-budget")
        XCTAssertNil(gone)
        let missing = await assertAWSError { try await budgets.deleteBudget(accountId: account, name: "sbx-budget") }
        XCTAssertEqual(missing?.kind, .notFound)
    }

    func testBudgetTags() async throws {
        let budgets = BudgetsClient(try motoClient())
        let arn = BudgetsClient.budgetARN(accountId: account, name: "sbx-tags")
        XCTAssertEqual(arn, "arn:aws:budgets::123456789012:budget/sbx-tags")
        try await budgets.createBudget(accountId: account, budget: Budget(name: "sbx-tags", limitAmount: 10),
                                       tags: ["Owner": "team a", "Project": "floe"])
        var tags = try await budgets.listTagsForResource(arn: arn)
        XCTAssertEqual(tags, ["Owner": "team a", "Project": "floe"])
        try await budgets.tagResource(arn: arn, tags: ["Owner": "team-b", "Extra": "ü"])
        try await budgets.untagResource(arn: arn, keys: ["Project"])
        tags = try await budgets.listTagsForResource(arn: arn)
        XCTAssertEqual(tags, ["Owner": "team-b", "Extra": "ü"])
        try await budgets.tagResource(arn: arn, tags: [:])  // nothing to send: no request
        try await budgets.untagResource(arn: arn, keys: [])
    }

    func testUpdateBudget() async throws {
        let budgets = BudgetsClient(try motoClient(maxAttempts: 1))
        try await budgets.createBudget(accountId: account, budget: Budget(name: "sbx-update", limitAmount: 10))
        do {
            try await budgets.updateBudget(accountId: account, budget: Budget(name: "sbx-update", limitAmount: Decimal(string: "12.5")!))
        } catch let error as MalformedResponseError where error.status == 500 {
            throw XCTSkip("moto 5.2.1 does not implement UpdateBudget (HTTP 500 HTML page); the launcher needs a patch")
        } catch let error as AWSError where error.status == 500 || error.code.contains("NotImplemented") {
            throw XCTSkip("moto does not implement UpdateBudget: \(error.oneLine)")
        }
        let read = try await budgets.describeBudget(accountId: account, name: "sbx-update")
        XCTAssertEqual(read?.limitAmount, Decimal(string: "12.5"))
    }

    func testNotificationsAndSubscribers() async throws {
        let budgets = BudgetsClient(try motoClient())
        try await budgets.createBudget(accountId: account, budget: Budget(name: "sbx-notify", limitAmount: 100), notifications: [
            NotificationWithSubscribers(notification: alert, subscribers: [.email("a@example.com")]),
        ])
        let initial = try await budgets.describeNotificationsForBudget(accountId: account, name: "sbx-notify")
        XCTAssertEqual(initial, [alert])

        try await budgets.createNotification(accountId: account, name: "sbx-notify", notification: forecast,
                                             subscribers: [.sns("arn:aws:sns:us-east-1:123456789012:alerts")])
        let both = try await budgets.describeNotificationsForBudget(accountId: account, name: "sbx-notify")
        XCTAssertEqual(Set(both), [alert, forecast])

        let subscribers = try await budgets.describeSubscribersForNotification(accountId: account, name: "sbx-notify", notification: alert)
        XCTAssertEqual(subscribers, [.email("a@example.com")])
        try await budgets.createSubscriber(accountId: account, name: "sbx-notify", notification: alert, subscriber: .email("b@example.com"))
        let two = try await budgets.describeSubscribersForNotification(accountId: account, name: "sbx-notify", notification: alert)
        XCTAssertEqual(Set(two), [.email("a@example.com"), .email("b@example.com")])
        try await budgets.deleteSubscriber(accountId: account, name: "sbx-notify", notification: alert, subscriber: .email("a@example.com"))
        let one = try await budgets.describeSubscribersForNotification(accountId: account, name: "sbx-notify", notification: alert)
        XCTAssertEqual(one, [.email("b@example.com")])
        let forecastSubscribers = try await budgets.describeSubscribersForNotification(accountId: account, name: "sbx-notify", notification: forecast)
        XCTAssertEqual(forecastSubscribers, [.sns("arn:aws:sns:us-east-1:123456789012:alerts")])

        try await budgets.deleteNotification(accountId: account, name: "sbx-notify", notification: alert)
        let remaining = try await budgets.describeNotificationsForBudget(accountId: account, name: "sbx-notify")
        XCTAssertEqual(remaining, [forecast])
        let noBudget = await assertAWSError { _ = try await budgets.describeNotificationsForBudget(accountId: account, name: "sbx-none") }
        XCTAssertEqual(noBudget?.kind, .notFound)
        try await budgets.deleteBudget(accountId: account, name: "sbx-notify")
    }
}
