import Foundation
import SandboxAWS
import SandboxServices
import SandboxTestSupport
import XCTest

final class JSONWireTests: XCTestCase {
    // MARK: - Glue

    func testGlueCreateDatabaseTargetAndBody() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "{}")
        try await GlueClient(try stubClient(stub, region: "eu-west-1")).createDatabase(name: "db", description: "d", parameters: ["lower": "x", "Upper": "y"])
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.header("X-Amz-Target"), "AWSGlue.CreateDatabase")
        XCTAssertEqual(request.header("Content-Type"), "application/x-amz-json-1.1")
        XCTAssertTrue(request.header("Authorization")?.contains("/eu-west-1/glue/aws4_request") == true)
        // Member names PascalCase, map keys untouched.
        XCTAssertEqual(request.bodyText, #"{"DatabaseInput":{"Description":"d","Name":"db","Parameters":{"Upper":"y","lower":"x"}}}"#)
        XCTAssertStubDone(stub)
    }

    func testGlueGetDatabaseParsesAndMissingIsNil() async throws {
        let stub = StubTransport()
        stub.expect("GetDatabase", body: #"{"Database":{"Name":"db","Description":"d","Parameters":{"classification":"csv"},"CreateTime":1714564800.5,"CatalogId":"1"}}"#)
        stub.expect("GetDatabase", status: 400, body: #"{"__type":"EntityNotFoundException","Message":"Database db not found."}"#)
        stub.expect("GetDatabase", status: 400, body: #"{"__type":"AccessDeniedException","Message":"no"}"#)
        let glue = GlueClient(try stubClient(stub))
        let database = try await glue.getDatabase(name: "db")
        XCTAssertEqual(database, GlueDatabase(name: "db", description: "d", parameters: ["classification": "csv"],
                                              createTime: Date(timeIntervalSince1970: 1_714_564_800.5)))
        let missing = try await glue.getDatabase(name: "db")
        XCTAssertNil(missing)
        do {
            _ = try await glue.getDatabase(name: "db")
            XCTFail("AccessDenied must not read as absent")
        } catch let error as AWSError {
            XCTAssertEqual(error.kind, .accessDenied)
        }
        XCTAssertStubDone(stub)
    }

    func testGlueTablePagesAndBatchDelete() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: #"{"TableList":[{"Name":"t1","DatabaseName":"db"}],"NextToken":"n1"}"#)
        stub.answer(capture, body: #"{"TableList":[{"Name":"t2","DatabaseName":"db"}]}"#)
        stub.answer(capture, body: #"{"Errors":[{"TableName":"t2","ErrorDetail":{"ErrorCode":"EntityNotFoundException","ErrorMessage":"gone"}}]}"#)
        let glue = GlueClient(try stubClient(stub))
        var names: [String] = []
        for try await tables in glue.tablePages(database: "db") { names += tables.map(\.name) }
        XCTAssertEqual(names, ["t1", "t2"])
        XCTAssertEqual(capture.requests[0].bodyText, #"{"DatabaseName":"db"}"#)
        XCTAssertEqual(capture.requests[1].bodyText, #"{"DatabaseName":"db","NextToken":"n1"}"#)
        let errors = try await glue.batchDeleteTable(database: "db", names: ["t1", "t2"])
        XCTAssertEqual(capture.requests[2].header("X-Amz-Target"), "AWSGlue.BatchDeleteTable")
        XCTAssertEqual(capture.requests[2].bodyText, #"{"DatabaseName":"db","TablesToDelete":["t1","t2"]}"#)
        XCTAssertEqual(errors, [TableError(name: "t2", code: "EntityNotFoundException", message: "gone")])
        do {
            _ = try await glue.batchDeleteTable(database: "db", names: (0...100).map { "t\($0)" })
            XCTFail("expected ClientInputError")
        } catch let error as ClientInputError {
            XCTAssertEqual(error.operation, "BatchDeleteTable")
        }
        XCTAssertEqual(stub.requestCount, 3)
        XCTAssertStubDone(stub)
    }

    func testGlueCreateTableBody() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "{}")
        try await GlueClient(try stubClient(stub)).createTable(database: "db", name: "t", columns: [("id", "bigint"), ("name", "string")], location: "s3://b/t/")
        XCTAssertEqual(capture.last?.bodyText, """
            {"DatabaseName":"db","TableInput":{"Name":"t","StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint"},{"Name":"name","Type":"string"}],\
            "Location":"s3:\\/\\/b\\/t\\/"},"TableType":"EXTERNAL_TABLE"}}
            """)
    }

    // MARK: - Budgets

    func testBudgetsCreateBudgetEncodesAmountAsStringAndThresholdAsNumber() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "{}")
        let budgets = BudgetsClient(try stubClient(stub, region: "eu-west-1"))
        let budget = Budget(name: "sbx", limitAmount: Decimal(string: "25.50")!,
                            calculatedSpend: CalculatedSpend(actual: 3), lastUpdatedTime: Date())
        try await budgets.createBudget(accountId: "123456789012", budget: budget, notifications: [
            NotificationWithSubscribers(notification: BudgetNotification(threshold: 80), subscribers: [.email("a@example.com")]),
        ])
        let request = try XCTUnwrap(capture.last)
        XCTAssertEqual(request.header("X-Amz-Target"), "AWSBudgetServiceGateway.CreateBudget")
        XCTAssertEqual(request.header("Content-Type"), "application/x-amz-json-1.1")
        // Global service: signed for us-east-1 whatever the client's region.
        XCTAssertTrue(request.header("Authorization")?.contains("/us-east-1/budgets/aws4_request") == true)
        XCTAssertEqual(request.bodyText, """
            {"AccountId":"123456789012","Budget":{"BudgetLimit":{"Amount":"25.5","Unit":"USD"},"BudgetName":"sbx","BudgetType":"COST","TimeUnit":"MONTHLY"},\
            "NotificationsWithSubscribers":[{"Notification":{"ComparisonOperator":"GREATER_THAN","NotificationType":"ACTUAL","Threshold":80,"ThresholdType":"PERCENTAGE"},\
            "Subscribers":[{"Address":"a@example.com","SubscriptionType":"EMAIL"}]}]}
            """)
        XCTAssertStubDone(stub)
    }

    func testBudgetsDescribeBudgetParsesStringsAndEpochs() async throws {
        let stub = StubTransport()
        stub.expect("DescribeBudget", body: """
            {"Budget":{"BudgetName":"sbx","BudgetLimit":{"Amount":"25.0","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST",
             "TimePeriod":{"Start":1714521600,"End":3706473600},"LastUpdatedTime":1714564800.25,
             "CalculatedSpend":{"ActualSpend":{"Amount":"1.234","Unit":"USD"},"ForecastedSpend":{"Amount":"9","Unit":"USD"}},
             "CostTypes":{"IncludeTax":true}}}
            """)
        stub.expect("DescribeBudget", status: 400, body: #"{"__type":"NotFoundException","Message":"Unable to get budget: sbx"}"#)
        let budgets = BudgetsClient(try stubClient(stub))
        let budget = try await budgets.describeBudget(accountId: "1", name: "sbx")
        XCTAssertEqual(budget?.limitAmount, Decimal(25))
        XCTAssertEqual(budget?.limitText, "25")
        XCTAssertEqual(budget?.timeUnit, .monthly)
        XCTAssertEqual(budget?.budgetType, .cost)
        XCTAssertEqual(budget?.calculatedSpend, CalculatedSpend(actual: Decimal(string: "1.234")!, forecasted: 9))
        XCTAssertEqual(budget?.timePeriod, BudgetTimePeriod(start: Date(timeIntervalSince1970: 1_714_521_600), end: Date(timeIntervalSince1970: 3_706_473_600)))
        XCTAssertEqual(budget?.lastUpdatedTime, Date(timeIntervalSince1970: 1_714_564_800.25))
        let missing = try await budgets.describeBudget(accountId: "1", name: "sbx")
        XCTAssertNil(missing)
        XCTAssertStubDone(stub)
    }

    func testBudgetsSubscribersFollowNextToken() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: #"{"Subscribers":[{"SubscriptionType":"EMAIL","Address":"a@x"}],"NextToken":"1"}"#)
        stub.answer(capture, body: #"{"Subscribers":[{"SubscriptionType":"SNS","Address":"arn:aws:sns:us-east-1:1:t"}],"NextToken":null}"#)
        let notification = BudgetNotification(notificationType: .forecasted, comparisonOperator: .greaterThan, threshold: 100.5, thresholdType: .absoluteValue)
        let subscribers = try await BudgetsClient(try stubClient(stub)).describeSubscribersForNotification(accountId: "1", name: "b", notification: notification)
        XCTAssertEqual(subscribers, [.email("a@x"), .sns("arn:aws:sns:us-east-1:1:t")])
        XCTAssertEqual(capture.requests[0].bodyText, """
            {"AccountId":"1","BudgetName":"b","Notification":{"ComparisonOperator":"GREATER_THAN","NotificationType":"FORECASTED","Threshold":100.5,"ThresholdType":"ABSOLUTE_VALUE"}}
            """)
        XCTAssertEqual(capture.requests[1].json["NextToken"] as? String, "1")
        XCTAssertStubDone(stub)
    }

    func testBudgetsNotificationsDecodeThresholdAndDefaultThresholdType() async throws {
        let stub = StubTransport()
        stub.expect("DescribeNotificationsForBudget", body: """
            {"Notifications":[{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80.0,"NotificationState":"OK"},
                              {"NotificationType":"FORECASTED","ComparisonOperator":"LESS_THAN","Threshold":5,"ThresholdType":"ABSOLUTE_VALUE"}]}
            """)
        let notifications = try await BudgetsClient(try stubClient(stub)).describeNotificationsForBudget(accountId: "1", name: "b")
        XCTAssertEqual(notifications, [
            BudgetNotification(notificationType: .actual, comparisonOperator: .greaterThan, threshold: 80, thresholdType: .percentage),
            BudgetNotification(notificationType: .forecasted, comparisonOperator: .lessThan, threshold: 5, thresholdType: .absoluteValue),
        ])
        XCTAssertStubDone(stub)
    }

    func testBudgetsUpdateBudgetSendsNewBudgetWithoutReadOnlyFields() async throws {
        let stub = StubTransport()
        let capture = Captured()
        stub.answer(capture, body: "{}")
        var budget = Budget(name: "sbx", limitAmount: Decimal(string: "12.50")!, timeUnit: .quarterly,
                            timePeriod: BudgetTimePeriod(start: Date(timeIntervalSince1970: 1_714_521_600)))
        budget.calculatedSpend = CalculatedSpend(actual: 1)
        try await BudgetsClient(try stubClient(stub)).updateBudget(accountId: "1", budget: budget)
        XCTAssertEqual(capture.last?.header("X-Amz-Target"), "AWSBudgetServiceGateway.UpdateBudget")
        XCTAssertEqual(capture.last?.bodyText, """
            {"AccountId":"1","NewBudget":{"BudgetLimit":{"Amount":"12.5","Unit":"USD"},"BudgetName":"sbx","BudgetType":"COST",\
            "TimePeriod":{"Start":1714521600},"TimeUnit":"QUARTERLY"}}
            """)
        XCTAssertStubDone(stub)
    }
}
