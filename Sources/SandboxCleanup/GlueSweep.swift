import Foundation
import SandboxAWS
import SandboxCore
import SandboxServices

/// The run's Glue database in every letter case: tables in batches of 100, then the database.
///
/// AWS Glue lowercases names, but the local endpoint and other catalogs keep the case the client sent, so a test that
/// created `floe_provider_Floe_provider_20260101t000000z` leaves a database the lowercase name does not find. Every
/// database whose name equals the run's ignoring case is the run's: found by listing the catalog (GetDatabases, kept
/// to names under the prefix) and, should listing be denied, by asking for the lowercase and the as-written names.
struct GlueSweep: Sendable {
    let glue: GlueClient
    let scope: RunScope

    /// `gluePrefix + runId` with dashes to underscores, in the run id's own case.
    var asWritten: String { scope.gluePrefix + scope.runId.rawValue.replacingOccurrences(of: "-", with: "_") }

    /// The names of the run's databases that exist now, sorted.
    func variants() async throws -> [String] {
        let wanted = scope.database.lowercased()
        let prefix = scope.gluePrefix.lowercased()
        var found: Set<String> = []
        do {
            for try await page in glue.databasePages() {
                for database in page where database.name.lowercased().hasPrefix(prefix) && database.name.lowercased() == wanted {
                    found.insert(database.name)
                }
            }
        } catch let error as AWSError where error.kind == .accessDenied {
            // Least privilege may grant the run's databases but not the catalog listing: check the two likely names.
            for name in Set([scope.database, asWritten]) where try await glue.getDatabase(name: name) != nil {
                found.insert(name)
            }
        }
        return found.sorted()
    }

    /// Deletes every variant's tables and then the variant; returns the tables deleted and the names removed.
    func sweep() async throws -> (tables: Int, removed: [String]) {
        var tables = 0
        var removed: [String] = []
        for name in try await variants() {
            let (deleted, dropped) = try await sweep(database: name)
            tables += deleted
            if dropped { removed.append(name) }
        }
        return (tables, removed)
    }

    /// One database: a missing one is nothing to do.
    func sweep(database: String) async throws -> (Int, Bool) {
        var names: [String] = []
        do {
            for try await page in glue.tablePages(database: database) {
                names.append(contentsOf: page.map(\.name))
            }
        } catch let error as AWSError where error.kind == .notFound {
            return (0, false)
        }
        var deleted = 0
        for start in stride(from: 0, to: names.count, by: 100) {
            let chunk = Array(names[start..<min(start + 100, names.count)])
            let errors = try await glue.batchDeleteTable(database: database, names: chunk)
            let real = errors.filter { $0.code != "EntityNotFoundException" }
            if let first = real.first {
                throw SimpleError(.aws, "Glue BatchDeleteTable: \(real.count) table(s) of \(database) not deleted, first \(first.name): \(first.code) \(first.message)")
            }
            deleted += chunk.count - errors.count
        }
        do {
            try await glue.deleteDatabase(name: database)
            return (deleted, true)
        } catch let error as AWSError where error.kind == .notFound {
            return (deleted, false)
        }
    }

    /// What remains: the variants present and their tables.
    func inventory(into inventory: inout RunInventory, samples: Int) async throws {
        let present = try await variants()
        inventory.databasePresent = !present.isEmpty
        inventory.databasesPresent = present.isEmpty ? nil : present
        for name in present {
            do {
                for try await page in glue.tablePages(database: name) {
                    inventory.tables += page.count
                    for table in page where inventory.sampleTables.count < samples { inventory.sampleTables.append(table.name) }
                }
            } catch let error as AWSError where error.kind == .notFound {}
        }
    }
}
