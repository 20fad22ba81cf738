import Foundation
import GRDB
import SandboxCore

extension StateStore {
    /// Every recorded resource, sorted by address.
    public func resources() throws -> [ResourceRecord] {
        try read { try Self.fetchResources($0) }
    }

    /// The record at `address`, or nil when the state has none.
    public func resource(_ address: ResourceAddress) throws -> ResourceRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM resources WHERE address = ?", arguments: [address.description])
                .map(ResourceRecord.init(row:))
        }
    }

    /// Inserts or replaces the record at its address, stamps `updatedAt`, bumps the serial, and returns what was stored.
    @discardableResult
    public func upsert(_ record: ResourceRecord) throws -> ResourceRecord {
        guard ResourceAddress(parsing: record.address.description) == record.address else {
            throw StateError(path: path, .invalid("resource address \"\(record.address)\" is not TYPE.NAME"))
        }
        for dependency in record.dependencies where ResourceAddress(parsing: dependency.description) != dependency {
            throw StateError(path: path, .invalid("dependency \"\(dependency)\" of \(record.address) is not TYPE.NAME"))
        }
        let stamp = Timestamp.string(clock.now())
        let attributes = try encodeJSON(record.attributes)
        let dependencies = try encodeJSON(record.dependencies.map(\.description))
        try change { db in
            try db.execute(
                sql: """
                    INSERT INTO resources (address, type, name, physical_id, attributes, dependencies, status, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (address) DO UPDATE SET
                        physical_id = excluded.physical_id,
                        attributes = excluded.attributes,
                        dependencies = excluded.dependencies,
                        status = excluded.status,
                        updated_at = excluded.updated_at
                    """,
                arguments: [
                    record.address.description, record.address.type, record.address.name, record.physicalId,
                    attributes, dependencies, record.status.rawValue, stamp,
                ])
            return ((), true)
        }
        var stored = record
        stored.updatedAt = Timestamp.date(stamp)
        return stored
    }

    /// Forgets the record at `address`; returns false, and leaves the serial alone, when there was none.
    @discardableResult
    public func remove(_ address: ResourceAddress) throws -> Bool {
        try change { db in
            try db.execute(sql: "DELETE FROM resources WHERE address = ?", arguments: [address.description])
            let removed = db.changesCount > 0
            return (removed, removed)
        }
    }

    static func fetchResources(_ db: Database) throws -> [ResourceRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM resources ORDER BY address").map(ResourceRecord.init(row:))
    }

    func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        do {
            return try JSONColumn.encode(value)
        } catch {
            throw Self.mapError(error, path: path)
        }
    }
}

extension ResourceRecord {
    init(row: Row) throws {
        let text: String = try row.decode(forColumn: "address")
        guard let address = ResourceAddress(parsing: text) else {
            throw DatabaseCorruption("resource address \"\(text)\" is not TYPE.NAME")
        }
        let dependencies = try JSONColumn.decode([String].self, row, "dependencies").map { text in
            guard let dependency = ResourceAddress(parsing: text) else {
                throw DatabaseCorruption("dependency \"\(text)\" of \(address) is not TYPE.NAME")
            }
            return dependency
        }
        self.init(
            address: address,
            physicalId: try row.decode(forColumn: "physical_id"),
            attributes: try JSONColumn.decode([String: JSONValue].self, row, "attributes"),
            dependencies: dependencies,
            status: try decodeEnum(ResourceStatus.self, row, "status"),
            updatedAt: try decodeDate(row, "updated_at"))
    }
}
