import Foundation
import SandboxAWS
import SandboxCore
import SandboxProviders
import SandboxTestSupport
import XCTest

final class BudgetKindTests: XCTestCase {
    let provider = adapter(BudgetKind.self)
    let budgetJSON = #"{"Budget":{"BudgetName":"sbx","BudgetLimit":{"Amount":"25","Unit":"USD"},"TimeUnit":"MONTHLY","BudgetType":"COST","CalculatedSpend":{"ActualSpend":{"Amount":"1.5","Unit":"USD"}}}}"#
    let notificationsJSON = """
        {"Notifications":[{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80,"ThresholdType":"PERCENTAGE"},
                          {"NotificationType":"FORECASTED","ComparisonOperator":"GREATER_THAN","Threshold":100,"ThresholdType":"PERCENTAGE"}]}
        """
    let desired: Attributes = ["name": .string("sbx"), "emails": .array([.string("a@example.com")]), "tags": .object(["ManagedBy": .string("sandbox")])]

    func testReadCollectsThresholdsEmailsSpendAndUnsubscribedNotifications() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("DescribeBudget", budgetJSON)], sent: sent)
        stub.expectAnyOrder([Answer("ListTagsForResource", #"{"ResourceTags":[{"Key":"ManagedBy","Value":"sandbox"}]}"#),
                             Answer("DescribeNotificationsForBudget", notificationsJSON),
                             // The tags are read concurrently with the notifications and their subscribers.
                             Answer("DescribeSubscribersForNotification", #"{"Subscribers":[{"SubscriptionType":"EMAIL","Address":"a@example.com"}]}"#),
                             Answer("DescribeSubscribersForNotification", #"{"Subscribers":[]}"#)], sent: sent)
        let read = try await provider.read(["name": .string("sbx")], context: stubContext(stub))
        let live = try XCTUnwrap(read)
        XCTAssertEqual(live["limit_usd"], .number(25))
        XCTAssertEqual(live["actual_threshold_percent"], .number(80))
        XCTAssertEqual(live["forecasted_threshold_percent"], .number(100))
        XCTAssertEqual(live["emails"], .array([.string("a@example.com")]))
        XCTAssertEqual(live["spend_actual"], .number(1.5))
        XCTAssertEqual(live["notifications_without_subscribers"], .number(1))
        var filled = desired
        filled["limit_usd"] = .number(25)
        XCTAssertEqual(provider.differences(desired: filled, live: live).map(\.name), ["subscribers"], "an alert that reaches no one is a change")
        XCTAssertStubDone(stub)
    }

    func testReadOfAMissingBudgetIsNilAndDeniedThrows() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("DescribeBudget", status: 400, jsonError("NotFoundException")),
                            Answer("DescribeBudget", status: 400, jsonError("AccessDeniedException"))], sent: sent)
        let context = try stubContext(stub)
        let gone = try await provider.read(["name": .string("sbx")], context: context)
        XCTAssertNil(gone)
        let denied = await thrown { _ = try await self.provider.read(["name": .string("sbx")], context: context) }
        XCTAssertEqual((denied as? AWSError)?.kind, .accessDenied)
        XCTAssertStubDone(stub)
    }

    func testCreateSendsSchemaDefaultsForLimitAndThresholds() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("CreateBudget", "{}"), Answer("DescribeBudget", budgetJSON)], sent: sent)
        stub.expectAnyOrder([Answer("ListTagsForResource", #"{"ResourceTags":[]}"#), Answer("DescribeNotificationsForBudget", #"{"Notifications":[]}"#)], sent: sent)
        _ = try await provider.create(desired, context: stubContext(stub))
        let body = sent.requests[0].bodyText
        XCTAssertTrue(body.contains(#""Amount":"25""#), body)
        XCTAssertTrue(body.contains(#""Threshold":80"#), body)
        XCTAssertTrue(body.contains(#""Threshold":100"#), body)
        XCTAssertTrue(body.contains("a@example.com"), body)
        XCTAssertStubDone(stub)
    }

    func testUpdateChangesTheLimitAndResubscribes() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("UpdateBudget", "{}"), Answer("DescribeNotificationsForBudget", notificationsJSON),
                            Answer("DescribeSubscribersForNotification", #"{"Subscribers":[{"SubscriptionType":"EMAIL","Address":"old@example.com"}]}"#),
                            Answer("CreateSubscriber", "{}"), Answer("DeleteSubscriber", "{}"),
                            Answer("DescribeSubscribersForNotification", #"{"Subscribers":[{"SubscriptionType":"EMAIL","Address":"a@example.com"}]}"#)], sent: sent)
        var want = desired
        want["limit_usd"] = .number(10)
        let live: Attributes = ["name": .string("sbx"), "limit_usd": .number(25), "emails": .array([.string("old@example.com")]),
                                "tags": .object(["ManagedBy": .string("sandbox")])]
        _ = try await provider.update(want, live: live, context: stubContext(stub))
        XCTAssertTrue(sent.requests[0].bodyText.contains(#""Amount":"10""#), sent.requests[0].bodyText)
        XCTAssertTrue(sent.requests[3].bodyText.contains("a@example.com"))
        XCTAssertTrue(sent.requests[4].bodyText.contains("old@example.com"))
        XCTAssertStubDone(stub)
    }

    func testDeleteToleratesAGoneBudget() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("DeleteBudget", "{}"), Answer("DeleteBudget", status: 400, jsonError("NotFoundException"))], sent: sent)
        let context = try stubContext(stub)
        try await provider.delete(desired, context: context, options: DeleteOptions())
        try await provider.delete(desired, context: context, options: DeleteOptions())
        XCTAssertStubDone(stub)
    }

    func testMalformedAnswerThrows() async throws {
        let stub = StubTransport(), sent = Sent()
        stub.expectInOrder([Answer("DescribeBudget", "not json")], sent: sent)
        let error = await thrown { _ = try await self.provider.read(["name": .string("sbx")], context: try stubContext(stub)) }
        XCTAssertNotNil(error)
        XCTAssertStubDone(stub)
    }
}

final class GlueDatabasePrefixKindTests: XCTestCase {
    func testExistsOnlyInStateAndSendsNothing() async throws {
        let stub = StubTransport()
        let provider = adapter(GlueDatabasePrefixKind.self)
        let context = try stubContext(stub)
        let live = try await provider.read(["prefix": .string("sbx_")], context: context)
        XCTAssertEqual(live, ["prefix": .string("sbx_")])
        let missing = try await provider.read([:], context: context)
        XCTAssertNil(missing)
        let created = try await provider.create(["prefix": .string("sbx_")], context: context)
        XCTAssertEqual(created, ["prefix": .string("sbx_")])
        try await provider.delete(["prefix": .string("sbx_")], context: context, options: DeleteOptions())
        XCTAssertEqual(provider.importAttributes(id: "p_", context: context), ["prefix": .string("p_")])
        XCTAssertFalse(provider.hasRemoteObject)
        XCTAssertEqual(stub.requestCount, 0)
    }
}

final class KindCatalogueTests: XCTestCase {
    func testTheStandardCatalogueListsEachKindOnceInOrder() {
        XCTAssertEqual(KindCatalogue.standard.schemas.map(\.name), [
            "s3_bucket", "s3_public_access_block", "s3_bucket_encryption", "s3_bucket_versioning", "s3_bucket_lifecycle",
            "iam_policy", "iam_user", "iam_openid_connect_provider", "iam_role", "iam_role_policy_attachment", "budget", "glue_database_prefix",
        ])
        for schema in KindCatalogue.standard.schemas {
            XCTAssertEqual(KindCatalogue.standard.provider(for: schema.name)?.kind.name, schema.name)
        }
        XCTAssertNil(KindCatalogue.standard.provider(for: "eks_cluster"))
        XCTAssertThrowsError(try KindCatalogue.standard.require("sns_topic"))
    }

    func testTerraformTypesMapOntoTheirKinds() {
        let catalogue = KindCatalogue.standard
        XCTAssertEqual(catalogue.terraformImport(for: "aws_iam_user_policy_attachment")?.provider.kind.name, IAMUserKind.name)
        XCTAssertEqual(catalogue.terraformImport(for: "aws_s3_bucket_server_side_encryption_configuration")?.provider.kind.name, BucketEncryptionKind.name)
        XCTAssertNil(catalogue.terraformImport(for: "aws_instance"))
        XCTAssertEqual(Set(catalogue.terraformTypes).count, catalogue.terraformTypes.count, "one kind per Terraform type")
    }

    func testEveryDefaultDecodesIntoItsKindsTypedProperties() throws {
        // A property with a default is a non-optional field: the schema's default must fit it.
        let context = try stubContext(StubTransport())
        for provider in KindCatalogue.standard.providers {
            var attributes: Attributes = [:]
            for spec in provider.kind.properties where spec.required {
                switch spec.type {
                case .stringList: attributes[spec.name] = .array([.string("x")])
                case .document: attributes[spec.name] = .object([:])
                default: attributes[spec.name] = .string("x_")
                }
            }
            // A kind may derive its identity offline (the bucket's default name) before planning.
            XCTAssertEqual(provider.normalize(&attributes, unknown: [], facts: StackFacts(stackName: "s", accountId: "123456789012", region: "us-east-1")), [])
            let planned = provider.plannedAttributes(attributes, context: context)
            XCTAssertNotNil(provider.physicalId(planned), provider.kind.name)
        }
    }

    func testResolvedFallsBackToTheSchemaDefault() throws {
        XCTAssertEqual(try BudgetKind.resolved(nil as Double?, "actual_threshold_percent"), 80)
        XCTAssertEqual(try BudgetKind.resolved(5.0, "actual_threshold_percent"), 5)
        XCTAssertThrowsError(try BudgetKind.resolved(nil as String?, "name"))
    }
}
