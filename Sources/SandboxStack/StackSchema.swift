import SandboxCore

/// A JSON Schema (draft 2020-12) of the stack format, generated from the resource kinds so it never drifts.
public enum StackSchema {
    /// The schema for stacks of `kinds` (the providers' catalogue).
    public static func document(kinds: [ResourceKind]) -> JSONValue {
        let templateString: JSONValue = .object(["type": .string("string"), "description": .string("may contain ${var.NAME}, ${RESOURCE.ATTRIBUTE}, ${account_id}, ${region}, ${stack_name}")])
        func propertySchema(_ spec: PropertySpec) -> JSONValue {
            var schema: [String: JSONValue]
            switch spec.type {
            case .string: schema = ["type": .string("string")]
            case .integer: schema = ["anyOf": .array([.object(["type": .string("integer")]), templateString])]
            case .number: schema = ["anyOf": .array([.object(["type": .string("number")]), templateString])]
            case .bool: schema = ["anyOf": .array([.object(["type": .string("boolean")]), templateString])]
            case .stringList: schema = ["type": .string("array"), "items": .object(["type": .string("string")])]
            case .stringMap: schema = ["type": .string("object"), "additionalProperties": .object(["type": .string("string")])]
            case .document: schema = ["type": .string("object")]
            case .oneOf(let values): schema = ["anyOf": .array([.object(["enum": .array(values.map(JSONValue.string))]), templateString])]
            }
            schema["description"] = .string(spec.summary)
            if let range = spec.range {
                schema["minimum"] = .number(range.lowerBound)
                schema["maximum"] = .number(range.upperBound)
            }
            if let value = spec.defaultValue { schema["default"] = value }
            return .object(schema)
        }
        let resourceSchemas: [JSONValue] = kinds.map { kind in
            var properties: [String: JSONValue] = [:]
            for spec in kind.properties { properties[spec.name] = propertySchema(spec) }
            let required = kind.properties.filter(\.required).map { JSONValue.string($0.name) }
            return .object([
                "description": .string(kind.summary),
                "type": .string("object"),
                "required": .array([.string("type")] + (required.isEmpty ? [] : [.string("properties")])),
                "additionalProperties": .bool(false),
                "properties": .object([
                    "type": .object(["const": .string(kind.name)]),
                    "description": .object(["type": .string("string")]),
                    "depends_on": .object(["type": .string("array"), "items": .object(["type": .string("string")])]),
                    "enabled": .object(["anyOf": .array([.object(["type": .string("boolean")]), templateString]),
                                        "description": .string("false (or a bool variable that is false) leaves the resource out")]),
                    "properties": .object(["type": .string("object"), "additionalProperties": .bool(false), "properties": .object(properties),
                                           "required": .array(required)]),
                ]),
            ])
        }
        let variable: JSONValue = .object([
            "type": .string("object"), "additionalProperties": .bool(false),
            "properties": .object([
                "type": .object(["enum": .array(VariableDeclaration.Kind.allCases.map { .string($0.rawValue) })]),
                "default": .object([:]), "required": .object(["type": .string("boolean")]), "description": .object(["type": .string("string")]),
                "validation": .object(["type": .string("object"), "additionalProperties": .bool(false), "properties": .object([
                    "pattern": .object(["type": .string("string")]), "min": .object(["type": .string("number")]),
                    "max": .object(["type": .string("number")]), "exclusive_min": .object(["type": .string("number")]), "enum": .object(["type": .string("array")]),
                    "message": .object(["type": .string("string")]),
                ])]),
            ]),
        ])
        let runs: JSONValue = .object([
            "type": .string("object"), "additionalProperties": .bool(false), "required": .array([.string("bucket"), .string("glue_prefix")]),
            "properties": .object([
                "id_pattern": .object(["type": .string("string")]), "id_template": .object(["type": .string("string")]),
                "id_variable": .object(["type": .string("string")]), "prefix_variable": .object(["type": .string("string")]),
                "database_variable": .object(["type": .string("string")]), "s3_root": templateString, "bucket": templateString,
                "glue_prefix": templateString,
            ]),
        ])
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "title": .string("sandbox stack"),
            "type": .string("object"),
            "additionalProperties": .bool(false),
            "required": .array([.string("resources")]),
            "properties": .object([
                "version": .object(["const": .number(1)]),
                "name": .object(["type": .string("string"), "pattern": .string("^[A-Za-z0-9_-]{1,64}$")]),
                "description": .object(["type": .string("string")]),
                "region": .object(["type": .string("string")]),
                "backend": .object(["type": .string("string"), "pattern": .string("^s3://[^/]+/.+$"),
                                    "description": .string("keep state in S3 (locked with conditional writes) instead of State/")]),
                "allowed_account_ids": .object(["type": .string("array"), "items": .object(["type": .string("string"), "pattern": .string("^[0-9]{12}$")])]),
                "variables": .object(["type": .string("object"), "additionalProperties": variable]),
                "tags": .object(["type": .string("object"), "additionalProperties": .object(["type": .string("string")])]),
                "resources": .object(["type": .string("object"), "additionalProperties": .object(["oneOf": .array(resourceSchemas)])]),
                "runs": runs,
                "outputs": .object(["type": .string("object"), "additionalProperties": .object([
                    "description": .string("a value, or {value, description, sensitive}; sensitive outputs print only by name or with --env")])]),
            ]),
        ])
    }
}
