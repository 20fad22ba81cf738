import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// The stack's outputs as of the last apply (bucket names, ARNs); never secrets.
    public func outputs() throws -> [String: JSONValue] {
        try read { db in
            var outputs: [String: JSONValue] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, value FROM outputs") {
                outputs[try row.decode(forColumn: "name")] = try JSONColumn.decode(JSONValue.self, row, "value")
            }
            return outputs
        }
    }

    /// Replaces every output with `outputs` and bumps the serial when anything changed.
    public func setOutputs(_ outputs: [String: JSONValue]) throws {
        let encoded = try outputs.mapValues { try encodeJSON($0) }
        try change { db in
            let before = try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT name, value FROM outputs").map { row in
                    (try row.decode(String.self, forColumn: "name"), try row.decode(String.self, forColumn: "value"))
                })
            guard before != encoded else { return ((), false) }
            try db.execute(sql: "DELETE FROM outputs")
            for (name, value) in encoded.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO outputs (name, value) VALUES (?, ?)", arguments: [name, value])
            }
            return ((), true)
        }
    }
}
