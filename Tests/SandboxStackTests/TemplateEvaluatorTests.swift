import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack
import SandboxProviders

final class TemplateTests: XCTestCase {
    func testLiteralAndReferences() throws {
        let template = try Template(parsing: "arn:aws:glue:${region}:${account_id}:database/${glue.prefix}*")
        XCTAssertEqual(template.parts, [
            .literal("arn:aws:glue:"), .reference(.region), .literal(":"), .reference(.accountId),
            .literal(":database/"), .reference(.resource(name: "glue", attribute: "prefix")), .literal("*"),
        ])
        XCTAssertEqual(template.references, [.region, .accountId, .resource(name: "glue", attribute: "prefix")])
        XCTAssertNil(template.soleReference)
    }

    func testSoleReferenceKeepsTheValueType() throws {
        XCTAssertEqual(try Template(parsing: "${var.size}").soleReference, .variable("size"))
        XCTAssertEqual(try Template(parsing: "${ stack_name }").soleReference, .stackName)
        XCTAssertNil(try Template(parsing: "${var.size} ").soleReference)
        XCTAssertNil(try Template(parsing: "x${var.size}").soleReference)
        XCTAssertNil(try Template(parsing: "${var.a}${var.b}").soleReference)
        XCTAssertEqual(try Template(parsing: "${var.a}${var.b}").parts, [.reference(.variable("a")), .reference(.variable("b"))])
    }

    func testDollarDollarEscapesAnInterpolation() throws {
        XCTAssertEqual(try Template(parsing: "$${var.x}").parts, [.literal("${var.x}")])
        XCTAssertEqual(try Template(parsing: "$${var.x}").references, [])
        XCTAssertEqual(try Template(parsing: "a $${b} ${var.c} $$ $").parts,
                       [.literal("a ${b} "), .reference(.variable("c")), .literal(" $$ $")])
        XCTAssertEqual(try Template(parsing: "$${").parts, [.literal("${")], "an escaped ${ needs no closing brace")
        XCTAssertEqual(try Template(parsing: "cost: $5 {x}").parts, [.literal("cost: $5 {x}")])
    }

    func testEmptyAndPlainStrings() throws {
        XCTAssertEqual(try Template(parsing: "").parts, [.literal("")])
        XCTAssertEqual(try Template(parsing: "plain").parts, [.literal("plain")])
    }

    func testParseErrors() {
        XCTAssertThrowsError(try Template(parsing: "${var.x")) { XCTAssertEqual($0 as? Template.ParseError, .unterminated) }
        XCTAssertThrowsError(try Template(parsing: "ok ${")) { XCTAssertEqual($0 as? Template.ParseError, .unterminated) }
        XCTAssertThrowsError(try Template(parsing: "${}")) { XCTAssertEqual($0 as? Template.ParseError, .invalid("")) }
        XCTAssertThrowsError(try Template(parsing: "${a.b.c}")) { XCTAssertEqual($0 as? Template.ParseError, .invalid("a.b.c")) }
        XCTAssertThrowsError(try Template(parsing: "${var.}")) { XCTAssertEqual($0 as? Template.ParseError, .invalid("var.")) }
        XCTAssertThrowsError(try Template(parsing: "${1bucket.name}")) { XCTAssertEqual($0 as? Template.ParseError, .invalid("1bucket.name")) }
        XCTAssertThrowsError(try Template(parsing: "${var.x ${var.y}}")) { XCTAssertEqual($0 as? Template.ParseError, .invalid("var.x ${var.y")) }
    }

    func testReferenceParsingAndDescription() {
        XCTAssertEqual(Reference(parsing: "account_id"), .accountId)
        XCTAssertEqual(Reference(parsing: "region"), .region)
        XCTAssertEqual(Reference(parsing: "stack_name"), .stackName)
        XCTAssertEqual(Reference(parsing: "var.budget_email"), .variable("budget_email"))
        XCTAssertEqual(Reference(parsing: "public-access.bucket"), .resource(name: "public-access", attribute: "bucket"))
        XCTAssertNil(Reference(parsing: "bucket"))
        XCTAssertNil(Reference(parsing: "bucket.na me"))
        for text in ["account_id", "region", "stack_name", "var.x", "bucket.arn"] {
            XCTAssertEqual(Reference(parsing: text)?.description, text)
        }
    }

    func testReferencesInNestedValues() throws {
        let root = try StackYAML.load("a: [\"${var.x}\", {b: \"${bucket.arn}\", c: \"${broken\"}]\nd: 1\n", file: "n.yaml")
        XCTAssertEqual(StackExpressions.references(in: root), [.variable("x"), .resource(name: "bucket", attribute: "arn")])
    }
}

final class StackEvaluatorTests: XCTestCase {
    let location = SourceLocation(file: "e.yaml", line: 7, column: 9)

    func context(attributes: [String: [String: JSONValue]] = [:], accountId: String? = "123456789012", region: String? = "eu-west-1") -> EvaluationContext {
        EvaluationContext(variables: ["name": .string("floe"), "size": .number(3), "on": .bool(true),
                                      "list": .array([.string("a"), .string("b")]), "map": .object(["k": .string("v")])],
                          accountId: accountId, region: region, stackName: "stack", attributes: attributes)
    }

    func evaluate(_ text: String, in context: EvaluationContext? = nil) throws -> Evaluated {
        try StackEvaluator.evaluate(.string(text, location), in: context ?? self.context())
    }

    func testInterpolationAndSoleReferenceTyping() throws {
        XCTAssertEqual(try evaluate("${var.name}-${stack_name}-${account_id}-${region}"), .known(.string("floe-stack-123456789012-eu-west-1")))
        XCTAssertEqual(try evaluate("${var.size}"), .known(.number(3)))
        XCTAssertEqual(try evaluate("${var.on}"), .known(.bool(true)))
        XCTAssertEqual(try evaluate("${var.list}"), .known(.array([.string("a"), .string("b")])))
        XCTAssertEqual(try evaluate("${var.map}"), .known(.object(["k": .string("v")])))
        XCTAssertEqual(try evaluate("n=${var.size} on=${var.on}"), .known(.string("n=3 on=true")))
        XCTAssertEqual(try evaluate("$${var.name} is ${var.name}"), .known(.string("${var.name} is floe")))
    }

    func testUnknownPropagates() throws {
        XCTAssertEqual(try evaluate("${bucket.arn}"), .unknown)
        XCTAssertEqual(try evaluate("${bucket.arn}/runs/*"), .unknown)
        XCTAssertEqual(try evaluate("${account_id}", in: context(accountId: nil)), .unknown)
        XCTAssertEqual(try evaluate("x-${region}", in: context(region: nil)), .unknown)
        let list = StackValue.list([.string("known", location), .string("${bucket.arn}", location)], location)
        XCTAssertEqual(try StackEvaluator.evaluate(list, in: context()), .unknown)
        let map = StackValue.map([StackEntry(key: "a", keyLocation: location, value: .number(1, "1", location)),
                                  StackEntry(key: "b", keyLocation: location, value: list)], location)
        XCTAssertEqual(try StackEvaluator.evaluate(map, in: context()), .unknown)

        let known = context(attributes: ["bucket": ["arn": .string("arn:aws:s3:::b")]])
        XCTAssertEqual(try StackEvaluator.evaluate(map, in: known),
                       .known(.object(["a": .number(1), "b": .array([.string("known"), .string("arn:aws:s3:::b")])])))
        XCTAssertEqual(try evaluate("${bucket.nope}", in: known), .unknown, "an attribute not yet known stays unknown")
        XCTAssertNil(Evaluated.unknown.value)
    }

    func testListOrMapInAStringIsAnError() {
        XCTAssertThrowsError(try evaluate("items: ${var.list}")) { error in
            guard let error = error as? EvaluationError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.location, self.location)
            XCTAssertEqual(error.userMessage, "e.yaml:7:9: error: ${var.list} is a list and cannot be part of a string")
            XCTAssertEqual(error.category, .usage)
        }
        XCTAssertThrowsError(try evaluate("m=${var.map}")) { error in
            XCTAssertEqual((error as? EvaluationError)?.message, "${var.map} is a mapping and cannot be part of a string")
        }
    }

    func testMissingVariableAndInvalidTemplate() {
        XCTAssertThrowsError(try evaluate("${var.missing}")) { error in
            XCTAssertEqual((error as? EvaluationError)?.message,
                           "variable missing has no value; pass --var missing=VALUE, set SANDBOX_VAR_missing, or give it a default")
        }
        XCTAssertThrowsError(try evaluate("${var.name")) { error in
            XCTAssertEqual((error as? EvaluationError)?.message, "invalid interpolation in '${var.name'")
        }
    }

    func testScalarsAndLiteral() throws {
        XCTAssertEqual(try StackEvaluator.evaluate(.number(2.5, "2.5", location), in: context()), .known(.number(2.5)))
        XCTAssertEqual(try StackEvaluator.evaluate(.bool(false, location), in: context()), .known(.bool(false)))
        XCTAssertEqual(try StackEvaluator.evaluate(.null(location), in: context()), .known(.null))
        XCTAssertEqual(StackEvaluator.literal(.string("plain $${x}", location)), .string("plain ${x}"))
        XCTAssertNil(StackEvaluator.literal(.string("${var.name}", location)))
        XCTAssertNil(StackEvaluator.literal(.list([.string("${region}", location)], location)))
    }
}

final class StackSchemaTests: XCTestCase {
    func testSchemaIsValidJSONNamingEveryKind() throws {
        let text = StackSchema.document().compactJSON
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["$schema"] as? String, "https://json-schema.org/draft/2020-12/schema")
        XCTAssertEqual(object["required"] as? [String], ["resources"])

        let properties = try XCTUnwrap(object["properties"] as? [String: Any])
        XCTAssertEqual(Set(properties.keys), Set(StackParser.topLevelKeys))
        let resources = try XCTUnwrap(properties["resources"] as? [String: Any])
        let oneOf = try XCTUnwrap((resources["additionalProperties"] as? [String: Any])?["oneOf"] as? [[String: Any]])
        let consts = oneOf.compactMap { (($0["properties"] as? [String: Any])?["type"] as? [String: Any])?["const"] as? String }
        XCTAssertEqual(consts, KindCatalogue.standard.schemas.map(\.name))
        XCTAssertEqual(consts.count, 12)
        for (schema, kind) in zip(oneOf, KindCatalogue.standard.schemas) {
            let props = try XCTUnwrap((schema["properties"] as? [String: Any])?["properties"] as? [String: Any])
            XCTAssertEqual(Set((props["properties"] as? [String: Any])?.keys.map { $0 } ?? []), Set(kind.properties.map(\.name)), kind.name)
            XCTAssertEqual(props["required"] as? [String], kind.properties.filter(\.required).map(\.name), kind.name)
            XCTAssertEqual(Set((schema["properties"] as? [String: Any])?.keys.map { $0 } ?? []), Set(StackParser.resourceKeys), kind.name)
        }
        for forbidden in ["eks_cluster", "aws_instance", "nat_gateway", "glue_job", "iam_access_key", "lakeformation", "s3tables"] {
            XCTAssertFalse(text.contains("\"\(forbidden)"), forbidden)
        }
    }

    func testSchemaCarriesRangesDefaultsAndEnums() throws {
        let schema = StackSchema.document()
        let kinds = try XCTUnwrap(schema["properties"]?["resources"]?["additionalProperties"]?["oneOf"]?.arrayValue)
        let lifecycle = try XCTUnwrap(kinds.first { $0["properties"]?["type"]?["const"] == .string("s3_bucket_lifecycle") })
        let days = try XCTUnwrap(lifecycle["properties"]?["properties"]?["properties"]?["expiration_days"])
        XCTAssertEqual(days["minimum"], .number(1))
        XCTAssertEqual(days["maximum"], .number(30))
        XCTAssertEqual(days["default"], .number(3))
        let encryption = try XCTUnwrap(kinds.first { $0["properties"]?["type"]?["const"] == .string("s3_bucket_encryption") })
        let algorithm = try XCTUnwrap(encryption["properties"]?["properties"]?["properties"]?["algorithm"]?["anyOf"]?.arrayValue)
        XCTAssertEqual(algorithm.first?["enum"], .array([.string("AES256"), .string("aws:kms")]))
        XCTAssertEqual(schema["properties"]?["variables"]?["additionalProperties"]?["properties"]?["type"]?["enum"],
                       .array(["string", "number", "integer", "bool", "list", "map"].map(JSONValue.string)))
        XCTAssertEqual(StackSchema.document(), schema, "the schema is deterministic")
    }
}
