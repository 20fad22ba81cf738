import Foundation
import SandboxAWS

/// Glue Data Catalog (JSON 1.1, `X-Amz-Target: AWSGlue.<Operation>`): databases and tables.
public struct GlueClient: Sendable {
    public let client: AWSClient

    /// The most tables one `BatchDeleteTable` call accepts.
    public static let maxTablesPerBatchDelete = 100

    public init(_ client: AWSClient) {
        self.client = client
    }

    /// Sends one operation; `journal` declares whether it changes the catalog and what (a database name).
    func call<Output: Decodable>(_ operation: String, _ input: some Encodable, as output: Output.Type = EmptyShape.self,
                                 journal: Journal) async throws -> Output {
        try await client.json(.glue, operation: operation, input: input, as: output, journal: journal)
    }

    // MARK: - Databases

    public func createDatabase(name: String, description: String? = nil, parameters: [String: String] = [:]) async throws {
        let input = GlueDatabaseInput(name: name, description: description, parameters: parameters.isEmpty ? nil : parameters)
        _ = try await call("CreateDatabase", GlueCreateDatabaseRequest(databaseInput: input), journal: .mutating(target: name))
    }

    /// The database, or nil when it does not exist (`EntityNotFoundException`).
    public func getDatabase(name: String) async throws -> GlueDatabase? {
        do {
            return try await call("GetDatabase", GlueNameRequest(name: name), as: GlueGetDatabaseResponse.self, journal: .read).database.database
        } catch let error as AWSError where error.code == "EntityNotFoundException" {
            return nil
        }
    }

    public func getDatabases(nextToken: String? = nil) async throws -> (databases: [GlueDatabase], nextToken: String?) {
        let output = try await call("GetDatabases", GlueGetDatabasesRequest(nextToken: nextToken), as: GlueGetDatabasesResponse.self, journal: .read)
        return ((output.databaseList ?? []).map(\.database), output.nextToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Every page of databases in the account's catalog.
    public func databasePages() -> PageSequence<[GlueDatabase]> {
        .tokens(service: "Glue", operation: "GetDatabases") { (token: String?) in
            let (databases, next) = try await getDatabases(nextToken: token)
            return (databases, next)
        }
    }

    /// Replaces the database's description and parameters (Glue's update overwrites the whole input).
    public func updateDatabase(name: String, description: String? = nil, parameters: [String: String] = [:]) async throws {
        let input = GlueDatabaseInput(name: name, description: description, parameters: parameters)
        _ = try await call("UpdateDatabase", GlueUpdateDatabaseRequest(name: name, databaseInput: input), journal: .mutating(target: name))
    }

    /// Deletes the database and, in Glue, every table in it.
    public func deleteDatabase(name: String) async throws {
        _ = try await call("DeleteDatabase", GlueNameRequest(name: name), journal: .mutating(target: name))
    }

    // MARK: - Tables

    public func createTable(database: String, name: String, columns: [(name: String, type: String)], location: String? = nil) async throws {
        let descriptor = GlueStorageDescriptor(columns: columns.map { GlueColumn(name: $0.name, type: $0.type) }, location: location)
        let input = GlueTableInput(name: name, storageDescriptor: descriptor, tableType: "EXTERNAL_TABLE")
        _ = try await call("CreateTable", GlueCreateTableRequest(databaseName: database, tableInput: input), journal: .mutating(target: database))
    }

    /// One page of the database's tables; `expression` is Glue's name filter (a regular expression).
    public func getTables(database: String, nextToken: String? = nil, expression: String? = nil) async throws -> (tables: [GlueTable], nextToken: String?) {
        let output = try await call("GetTables", GlueGetTablesRequest(databaseName: database, expression: expression, nextToken: nextToken),
                                    as: GlueGetTablesResponse.self, journal: .read)
        let tables = (output.tableList ?? []).map { GlueTable(name: $0.name, databaseName: $0.databaseName ?? database) }
        return (tables, output.nextToken.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// Every page of the database's tables.
    public func tablePages(database: String, expression: String? = nil) -> PageSequence<[GlueTable]> {
        .tokens(service: "Glue", operation: "GetTables") { (token: String?) in
            let (tables, next) = try await getTables(database: database, nextToken: token, expression: expression)
            return (tables, next)
        }
    }

    /// Deletes up to 100 tables; returns the ones Glue could not delete. More throw `ClientInputError`
    /// before anything is sent; an empty list sends nothing.
    public func batchDeleteTable(database: String, names: [String]) async throws -> [TableError] {
        guard names.count <= Self.maxTablesPerBatchDelete else {
            throw ClientInputError(service: "Glue", operation: "BatchDeleteTable",
                                   reason: "\(names.count) tables given, at most \(Self.maxTablesPerBatchDelete) per call")
        }
        guard !names.isEmpty else { return [] }
        let output = try await call("BatchDeleteTable", GlueBatchDeleteTableRequest(databaseName: database, tablesToDelete: names),
                                    as: GlueBatchDeleteTableResponse.self, journal: .mutating(target: database))
        return (output.errors ?? []).map {
            TableError(name: $0.tableName ?? "", code: $0.errorDetail?.errorCode ?? "", message: $0.errorDetail?.errorMessage ?? "")
        }
    }
}
