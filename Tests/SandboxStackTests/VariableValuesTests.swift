import Foundation
import SandboxCore
import XCTest
@testable import SandboxStack
import SandboxProviders

/// Variable values from defaults, `SANDBOX_VAR_*`, var files and `--var`, with the stack's own validation messages.
final class VariableValuesTests: XCTestCase {
    static let yaml = """
    version: 1
    name: t
    variables:
      owner:
        type: string
        required: true
        description: who owns it
        validation:
          pattern: "^[a-z]+$"
          message: owner must be lowercase letters
      size:
        type: integer
        default: 3
        validation:
          min: 1
          max: 30
          message: size must be between 1 and 30
      mode:
        default: Disabled
        validation:
          enum: [Disabled, Enabled]
      limit:
        type: number
        default: 25
      flag:
        type: bool
        default: false
      names:
        type: list
        default: [a]
      label:
        type: string
        default: xy
        validation:
          min: 2
          max: 4
    resources:
      bucket:
        type: s3_bucket
    """

    var stack: Stack!

    override func setUpWithError() throws {
        stack = try StackParser.parse(Self.yaml, file: "v.yaml")
    }

    func resolve(_ assignments: [String] = [], files: [String] = [], environment: [String: String] = [:],
                 requireAll: Bool = true) throws -> [String: JSONValue] {
        try VariableValues.resolve(stack, inputs: VariableInputs(assignments: assignments, files: files, environment: environment),
                                   requireAll: requireAll).values
    }

    /// The diagnostics of a resolution expected to fail.
    func failures(_ assignments: [String] = [], files: [String] = [], environment: [String: String] = [:],
                  file: StaticString = #filePath, line: UInt = #line) -> [Diagnostic] {
        do {
            _ = try resolve(assignments, files: files, environment: environment)
            XCTFail("expected variable resolution to fail", file: file, line: line)
            return []
        } catch let error as DiagnosticsError {
            return error.diagnostics
        } catch {
            XCTFail("expected DiagnosticsError, got \(error)", file: file, line: line)
            return []
        }
    }

    func testDefaultsAndTypedConversion() throws {
        let values = try resolve(["owner=alice", "size=7", "limit=12.5", "flag=yes", "names=x, y", "label=abcd"])
        XCTAssertEqual(values, [
            "owner": .string("alice"), "size": .number(7), "mode": .string("Disabled"), "limit": .number(12.5),
            "flag": .bool(true), "names": .array([.string("x"), .string("y")]), "label": .string("abcd"),
        ])
        XCTAssertEqual(try resolve(["owner=alice", #"names=["p","q"]"#, "flag=0"])["names"], .array([.string("p"), .string("q")]))
        XCTAssertEqual(try resolve(["owner=alice", "flag=FALSE"])["flag"], .bool(false))
    }

    func testValueWithEqualsSignIsKept() {
        let found = failures(["owner=a=b"])
        XCTAssertEqual(found.map(\.message), ["variable owner: owner must be lowercase letters (from --var)"])
    }

    func testPatternFailureUsesTheStackMessage() {
        let found = failures(["owner=Alice"])
        XCTAssertEqual(found.map(\.message), ["variable owner: owner must be lowercase letters (from --var)"])
        XCTAssertNil(found[0].location)
    }

    func testMinAndMaxFailuresUseTheStackMessage() {
        XCTAssertEqual(failures(["owner=a", "size=0"]).map(\.message), ["variable size: size must be between 1 and 30 (from --var)"])
        XCTAssertEqual(failures(["owner=a", "size=31"]).map(\.message), ["variable size: size must be between 1 and 30 (from --var)"])
        XCTAssertNoThrow(try resolve(["owner=a", "size=1"]))
        XCTAssertNoThrow(try resolve(["owner=a", "size=30"]))
    }

    func testBuiltInMessagesWithoutAStackMessage() {
        XCTAssertEqual(failures(["owner=a", "mode=Off"]).map(\.message), ["variable mode: 'Off' is not one of Disabled, Enabled (from --var)"])
        XCTAssertEqual(failures(["owner=a", "label=x"]).map(\.message), ["variable label: 'x' is shorter than 2 (from --var)"])
        XCTAssertEqual(failures(["owner=a", "label=abcde"]).map(\.message), ["variable label: 'abcde' is longer than 4 (from --var)"])
    }

    func testValuesThatDoNotConvertToTheVariableType() {
        let found = failures(["owner=a", "size=abc", "limit=lots", "flag=maybe", "size=2.5"])
        XCTAssertEqual(found.map(\.message), [
            "variable size from --var: 'abc' is not an integer",
            "variable limit from --var: 'lots' is not a number",
            "variable flag from --var: 'maybe' is not a bool",
            "variable size from --var: '2.5' is not an integer",
        ])
    }

    func testEnvironmentValues() throws {
        XCTAssertEqual(try resolve(environment: ["SANDBOX_VAR_owner": "envowner", "SANDBOX_VAR_size": "9", "SANDBOX_VAR_unrelated": "x"]),
                       ["owner": .string("envowner"), "size": .number(9), "mode": .string("Disabled"), "limit": .number(25),
                        "flag": .bool(false), "names": .array([.string("a")]), "label": .string("xy")])
        XCTAssertEqual(failures(environment: ["SANDBOX_VAR_owner": "Env Owner"]).map(\.message),
                       ["variable owner: owner must be lowercase letters (from SANDBOX_VAR_owner)"])
        XCTAssertEqual(failures(environment: ["SANDBOX_VAR_owner": "ok", "SANDBOX_VAR_size": "99"]).map(\.message),
                       ["variable size: size must be between 1 and 30 (from SANDBOX_VAR_size)"])
    }

    func testVarFiles() throws {
        let path = try temporaryFile("""
        owner: fileowner
        size: 12
        flag: "yes"
        limit: "7.5"
        names: [p, q]
        mode: Enabled
        label: 123
        """, name: "vars.yaml")
        let values = try resolve(files: [path])
        XCTAssertEqual(values["owner"], .string("fileowner"))
        XCTAssertEqual(values["size"], .number(12))
        XCTAssertEqual(values["flag"], .bool(true))
        XCTAssertEqual(values["limit"], .number(7.5))
        XCTAssertEqual(values["names"], .array([.string("p"), .string("q")]))
        XCTAssertEqual(values["mode"], .string("Enabled"))
        XCTAssertEqual(values["label"], .string("123"), "a number given to a string variable becomes its text")
    }

    func testVarFileValidationFailuresNameTheFile() throws {
        let path = try temporaryFile("owner: File Owner\nsize: 0\n", name: "bad.yaml")
        let found = failures(files: [path])
        XCTAssertEqual(found.map(\.message), ["variable owner: owner must be lowercase letters (from \(path))",
                                              "variable size: size must be between 1 and 30 (from \(path))"])
    }

    func testVarFileProblems() throws {
        let path = try temporaryFile("owner: a\nzzz: 1\nsize: ${var.other}\nownr: b\n", name: "odd.yaml")
        let found = failures(files: [path])
        XCTAssertEqual(found.count, 3, "\(found)")
        assertDiagnostic(found, at: "\(path):2:1", contains: ["unknown variable 'zzz'; the stack declares flag, label, limit, mode, names, owner, size"])
        assertDiagnostic(found, at: "\(path):3:7", contains: ["variable files hold plain values, not ${...} references"])
        assertDiagnostic(found, at: "\(path):4:1", contains: ["unknown variable 'ownr'; did you mean 'owner'?"])

        XCTAssertThrowsError(try resolve(["owner=a"], files: ["/nonexistent/vars.yaml"])) { error in
            XCTAssertEqual(error.oneLine, "cannot read variable file /nonexistent/vars.yaml")
            XCTAssertEqual(error.failureCategory, .usage)
        }
        let list = try temporaryFile("- a\n", name: "list.yaml")
        XCTAssertThrowsError(try resolve(["owner=a"], files: [list])) { error in
            XCTAssertEqual(error.oneLine, "\(list):1:1: variable file must be a mapping of name: value")
        }
        let empty = try temporaryFile("", name: "empty.yaml")
        XCTAssertEqual(try resolve(["owner=a"], files: [empty])["owner"], .string("a"))
    }

    func testPrecedenceEnvironmentThenFileThenCommandLine() throws {
        let first = try temporaryFile("owner: fileone\nsize: 4\n", name: "one.yaml")
        let second = try temporaryFile("owner: filetwo\n", name: "two.yaml")
        let environment = ["SANDBOX_VAR_owner": "envowner", "SANDBOX_VAR_size": "5", "SANDBOX_VAR_limit": "6"]

        XCTAssertEqual(try resolve(environment: environment)["owner"], .string("envowner"))
        let withFiles = try resolve(files: [first, second], environment: environment)
        XCTAssertEqual(withFiles["owner"], .string("filetwo"), "a later var file wins over an earlier one")
        XCTAssertEqual(withFiles["size"], .number(4), "a var file wins over the environment")
        XCTAssertEqual(withFiles["limit"], .number(6), "the environment wins over the default")
        let all = try resolve(["owner=cli", "owner=clitwo"], files: [first], environment: environment)
        XCTAssertEqual(all["owner"], .string("clitwo"), "--var wins over everything, the last one over earlier ones")
        XCTAssertEqual(all["size"], .number(4))
    }

    func testAnInvalidLowerPrecedenceValueIsOverridden() throws {
        // A bad environment value does not matter once --var replaces it with a good one.
        XCTAssertEqual(try resolve(["owner=good"], environment: ["SANDBOX_VAR_owner": "BAD VALUE"])["owner"], .string("good"))
    }

    func testUnknownCommandLineVariable() {
        let found = failures(["owner=a", "ownr=b", "zzz=1", "novalue"])
        XCTAssertEqual(found.map(\.message), [
            "--var ownr: unknown variable 'ownr'; did you mean 'owner'?",
            "--var zzz: unknown variable 'zzz'; the stack declares flag, label, limit, mode, names, owner, size",
            "--var 'novalue' must look like NAME=VALUE",
        ])
        XCTAssertTrue(found.allSatisfy { $0.location == nil })
    }

    func testRequiredVariableMissing() throws {
        let found = failures()
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found[0].description,
                       "v.yaml:4:3: error: variable owner is required (who owns it); pass --var owner=VALUE, a --var-file, or SANDBOX_VAR_owner")
        let (values, warnings) = try VariableValues.resolve(stack, inputs: VariableInputs(), requireAll: false)
        XCTAssertNil(values["owner"])
        XCTAssertEqual(warnings.map(\.severity), [.warning])
        XCTAssertEqual(warnings.first?.location?.description, "v.yaml:4:3")
    }

    func testVariableWithoutDefaultIsRequired() throws {
        let stack = try StackParser.parse("""
        variables:
          optional:
            default: null
          implicit:
            type: string
        resources:
          bucket:
            type: s3_bucket
        """, file: "o.yaml")
        XCTAssertThrowsError(try VariableValues.resolve(stack, inputs: VariableInputs())) { error in
            XCTAssertEqual((error as? DiagnosticsError)?.diagnostics.map(\.location?.description), ["o.yaml:4:3"])
        }
        XCTAssertEqual(try VariableValues.resolve(stack, inputs: VariableInputs(assignments: ["implicit=x"])).values, ["implicit": .string("x"), "optional": .null],
                       "a null default is a value of null: references to it leave properties unset")
    }

    func testAllVariableErrorsAreReportedInOnePass() {
        let found = failures(["owner=Alice", "size=0", "mode=Off", "zzz=1", "flag=maybe"], environment: ["SANDBOX_VAR_limit": "x"])
        XCTAssertEqual(found.count, 6, "\(found.map(\.description))")
        XCTAssertEqual(Set(found.map(\.message)), [
            "variable limit from SANDBOX_VAR_limit: 'x' is not a number",
            "--var zzz: unknown variable 'zzz'; the stack declares flag, label, limit, mode, names, owner, size",
            "variable flag from --var: 'maybe' is not a bool",
            "variable owner: owner must be lowercase letters (from --var)",
            "variable size: size must be between 1 and 30 (from --var)",
            "variable mode: 'Off' is not one of Disabled, Enabled (from --var)",
        ])
    }

    func testDefaultFailingValidationIsAStackError() {
        let found = diagnostics("""
        variables:
          size:
            type: integer
            default: 0
            validation:
              min: 1
              message: size must be positive
          name:
            default: Upper
            validation:
              pattern: "^[a-z]+$"
        resources:
          bucket:
            type: s3_bucket
        """)
        XCTAssertEqual(found.count, 2, "\(found)")
        assertDiagnostic(found, at: "t.yaml:4:14", contains: ["default does not pass validation: variable size: size must be positive"])
        assertDiagnostic(found, at: "t.yaml:9:14", contains: ["default does not pass validation: variable name: 'Upper' does not match ^[a-z]+$"])
    }

    func testConvertAndProblemDirectly() throws {
        let size = try XCTUnwrap(stack.variables.first { $0.name == "size" })
        XCTAssertEqual(size.convert(text: "12"), .number(12))
        XCTAssertNil(size.convert(text: "1.5"))
        XCTAssertEqual(size.problem(with: .number(1.5)), "variable size: size must be between 1 and 30")
        XCTAssertEqual(size.problem(with: .string("12")), "variable size must be an integer, got \"12\"")
        let flag = try XCTUnwrap(stack.variables.first { $0.name == "flag" })
        XCTAssertEqual(flag.problem(with: .number(1)), "variable flag must be a bool, got 1")
    }
}
