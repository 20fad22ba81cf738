import SandboxCore

/// An identity-based IAM policy document, parsed for evaluation: its statements in order.
public struct IAMPolicy: Sendable, Equatable {
    /// The name shown in verdicts (`floe-provider-tests-permissions`).
    public let name: String
    public let statements: [PolicyStatement]

    public init(name: String, statements: [PolicyStatement]) {
        self.name = name
        self.statements = statements
    }

    /// Reads `{"Version": ..., "Statement": [...]}`; a single statement object or string lists count as IAM allows.
    public init(name: String, document: JSONValue) throws {
        guard let object = document.objectValue, let statement = object["Statement"] else {
            throw PolicyParseError(policy: name, reason: "the document has no Statement")
        }
        let items = statement.arrayValue ?? [statement]
        self.name = name
        self.statements = try items.enumerated().map { index, item in
            try PolicyStatement(item, index: index, policy: name)
        }
    }
}

/// One statement: effect, what it covers (actions and resources, or their complements) and its conditions.
public struct PolicyStatement: Sendable, Equatable {
    public enum Effect: String, Sendable { case allow = "Allow", deny = "Deny" }

    /// Either a list that must match or (`Not…`) a list that must not.
    public enum Selector: Sendable, Equatable {
        case matching([String])
        case notMatching([String])
    }

    /// One condition test, `StringLike: {"s3:prefix": ["runs/*"]}`.
    public struct Condition: Sendable, Equatable {
        public let op: String
        public let key: String
        public let values: [String]

        public init(op: String, key: String, values: [String]) {
            self.op = op
            self.key = key
            self.values = values
        }
    }

    public let sid: String?
    public let effect: Effect
    public let actions: Selector
    /// nil when the statement names no resource (it then applies to none in an identity policy).
    public let resources: Selector?
    public let conditions: [Condition]

    public init(sid: String? = nil, effect: Effect, actions: Selector, resources: Selector?, conditions: [Condition] = []) {
        self.sid = sid
        self.effect = effect
        self.actions = actions
        self.resources = resources
        self.conditions = conditions
    }

    init(_ value: JSONValue, index: Int, policy: String) throws {
        guard let object = value.objectValue else {
            throw PolicyParseError(policy: policy, reason: "statement \(index + 1) is not an object")
        }
        func strings(_ key: String) throws -> [String]? {
            guard let raw = object[key] else { return nil }
            if let text = raw.stringValue { return [text] }
            guard let list = raw.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw PolicyParseError(policy: policy, reason: "statement \(index + 1): \(key) must be a string or a list of strings")
            }
            return list.compactMap(\.stringValue)
        }
        guard let effect = object["Effect"]?.stringValue.flatMap(Effect.init(rawValue:)) else {
            throw PolicyParseError(policy: policy, reason: "statement \(index + 1): Effect must be Allow or Deny")
        }
        self.sid = object["Sid"]?.stringValue
        self.effect = effect
        switch (try strings("Action"), try strings("NotAction")) {
        case (let list?, nil): actions = .matching(list)
        case (nil, let list?): actions = .notMatching(list)
        default: throw PolicyParseError(policy: policy, reason: "statement \(index + 1): give exactly one of Action and NotAction")
        }
        switch (try strings("Resource"), try strings("NotResource")) {
        case (let list?, nil): resources = .matching(list)
        case (nil, let list?): resources = .notMatching(list)
        case (nil, nil): resources = nil
        default: throw PolicyParseError(policy: policy, reason: "statement \(index + 1): give at most one of Resource and NotResource")
        }
        var conditions: [Condition] = []
        for (op, tests) in (object["Condition"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let tests = tests.objectValue else {
                throw PolicyParseError(policy: policy, reason: "statement \(index + 1): Condition \(op) must map keys to values")
            }
            for (key, raw) in tests.sorted(by: { $0.key < $1.key }) {
                let values = raw.arrayValue.map { $0.map(\.description) } ?? [raw.description]
                conditions.append(Condition(op: op, key: key, values: values))
            }
        }
        self.conditions = conditions
    }

    /// The name a verdict uses: the Sid, or the statement's position.
    func label(_ index: Int) -> String { sid ?? "statement \(index + 1)" }
}

/// A policy document that cannot be evaluated: one line naming the policy and what is wrong.
public struct PolicyParseError: SandboxError {
    public let policy: String
    public let reason: String
    public var category: FailureCategory { .usage }
    public var userMessage: String { "policy \(policy) cannot be read: \(reason); fix its document in the stack" }
}
