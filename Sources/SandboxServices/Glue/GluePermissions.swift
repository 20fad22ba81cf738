import SandboxPolicy

/// The IAM authorization each Glue Data Catalog operation needs ("Specifying AWS Glue resource ARNs"): the catalog,
/// the database and, for table operations and DeleteDatabase, the tables (and functions) below it.
public enum GluePermissions {
    public struct Place: Sendable {
        public let region: String
        public let account: String
        public init(region: String, account: String) {
            self.region = region
            self.account = account
        }
    }

    /// `operation` on database `database` (a `*` pattern for many) and, where the operation reaches them, `table`.
    public static func calls(_ operation: String, database: String, table: String = "*", in place: Place) -> [DeclaredCall] {
        let catalog = ResourceARN.glueCatalog(region: place.region, account: place.account)
        let db = ResourceARN.glueDatabase(database, region: place.region, account: place.account)
        let tables = ResourceARN.glueTable(database, table, region: place.region, account: place.account)
        let resources: [String]
        switch operation {
        case "GetDatabases": resources = [catalog, ResourceARN.glueDatabase("*", region: place.region, account: place.account)]
        case "GetDatabase", "CreateDatabase", "UpdateDatabase": resources = [catalog, db]
        case "DeleteDatabase":
            resources = [catalog, db, ResourceARN.glueTable(database, "*", region: place.region, account: place.account),
                         ResourceARN.glueFunction(database, "*", region: place.region, account: place.account)]
        case "GetTables", "GetTable", "CreateTable", "UpdateTable", "DeleteTable", "BatchDeleteTable": resources = [catalog, db, tables]
        default: return []
        }
        return resources.map { DeclaredCall(operation: operation, action: "glue:\(operation)", resource: $0) }
    }
}
