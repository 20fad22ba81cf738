import Foundation

/// A Glue Data Catalog database.
public struct GlueDatabase: Sendable, Equatable, Hashable {
    public var name: String
    public var description: String?
    public var parameters: [String: String]
    public var createTime: Date?

    public init(name: String, description: String? = nil, parameters: [String: String] = [:], createTime: Date? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.createTime = createTime
    }
}

/// A table in a Glue database (the fields sandbox needs to find and delete tables).
public struct GlueTable: Sendable, Equatable, Hashable {
    public var name: String
    public var databaseName: String

    public init(name: String, databaseName: String) {
        self.name = name
        self.databaseName = databaseName
    }
}

/// A table `BatchDeleteTable` could not delete.
public struct TableError: Sendable, Equatable, Hashable {
    public var name: String
    /// `EntityNotFoundException`, `AccessDeniedException`, …
    public var code: String
    public var message: String

    public init(name: String, code: String, message: String = "") {
        self.name = name
        self.code = code
        self.message = message
    }
}

// MARK: - Wire shapes (JSON 1.1; member names are PascalCase on the wire)

struct GlueDatabaseInput: Encodable, Sendable {
    var name: String
    var description: String?
    var parameters: [String: String]?
}

struct GlueCreateDatabaseRequest: Encodable, Sendable {
    var databaseInput: GlueDatabaseInput
}

struct GlueUpdateDatabaseRequest: Encodable, Sendable {
    var name: String
    var databaseInput: GlueDatabaseInput
}

struct GlueNameRequest: Encodable, Sendable {
    var name: String
}

struct GlueWireDatabase: Decodable, Sendable {
    var name: String
    var description: String?
    var parameters: [String: String]?
    var createTime: Date?

    enum CodingKeys: String, CodingKey {
        case name, description, parameters, createTime
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        parameters = try container.decodeIfPresent([String: String].self, forKey: .parameters)
        createTime = try container.decodeTimestampIfPresent(forKey: .createTime)
    }

    var database: GlueDatabase {
        GlueDatabase(name: name, description: description, parameters: parameters ?? [:], createTime: createTime)
    }
}

struct GlueGetDatabaseResponse: Decodable, Sendable {
    /// Required: a database that does not exist is EntityNotFoundException, never an empty answer.
    var database: GlueWireDatabase
}

struct GlueGetDatabasesRequest: Encodable, Sendable {
    var nextToken: String?
}

struct GlueGetDatabasesResponse: Decodable, Sendable {
    var databaseList: [GlueWireDatabase]?
    var nextToken: String?
}

struct GlueColumn: Encodable, Sendable {
    var name: String
    var type: String
}

struct GlueStorageDescriptor: Encodable, Sendable {
    var columns: [GlueColumn]
    var location: String?
}

struct GlueTableInput: Encodable, Sendable {
    var name: String
    var storageDescriptor: GlueStorageDescriptor
    var tableType: String?
}

struct GlueCreateTableRequest: Encodable, Sendable {
    var databaseName: String
    var tableInput: GlueTableInput
}

struct GlueGetTablesRequest: Encodable, Sendable {
    var databaseName: String
    var expression: String?
    var nextToken: String?
}

struct GlueWireTable: Decodable, Sendable {
    var name: String
    var databaseName: String?
}

struct GlueGetTablesResponse: Decodable, Sendable {
    var tableList: [GlueWireTable]?
    var nextToken: String?
}

struct GlueBatchDeleteTableRequest: Encodable, Sendable {
    var databaseName: String
    var tablesToDelete: [String]
}

struct GlueBatchDeleteTableResponse: Decodable, Sendable {
    struct Detail: Decodable, Sendable {
        var errorCode: String?
        var errorMessage: String?
    }

    struct Failure: Decodable, Sendable {
        var tableName: String?
        var errorDetail: Detail?
    }

    var errors: [Failure]?
}
