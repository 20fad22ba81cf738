import Foundation
import SandboxCore
import SandboxStack

/// The kinds a stack may declare, looked up by type name. The engine, the stack parser and `sandbox check` take a
/// catalogue instead of naming kinds; `KindCatalogue.standard` (in `Catalogue.swift`) lists them.
public struct KindCatalogue: Sendable {
    public let providers: [any ResourceProvider]
    private let byName: [String: any ResourceProvider]

    /// Refuses (at start-up, in tests) two kinds with one type name.
    public init(_ providers: [any ResourceProvider]) {
        self.providers = providers
        byName = Dictionary(providers.map { ($0.kind.name, $0) }, uniquingKeysWith: { first, second in
            preconditionFailure("two kinds named \(first.kind.name) in the catalogue")
        })
    }

    /// The schemas, in catalogue order: what `StackParser` and `StackSchema` take.
    public var schemas: [ResourceKind] { providers.map(\.kind) }

    public func provider(for type: String) -> (any ResourceProvider)? { byName[type] }

    /// The provider of `type`, or an internal error naming it (a stack parsed with another catalogue).
    public func require(_ type: String) throws -> any ResourceProvider {
        guard let provider = byName[type] else { throw SimpleError(.internal, "no provider for \(type); the stack was parsed with kinds this catalogue lacks") }
        return provider
    }

    /// The kind whose `terraformImports` lists `terraformType`, with that mapping.
    public func terraformImport(for terraformType: String) -> (provider: any ResourceProvider, mapping: TerraformImport)? {
        for provider in providers {
            if let mapping = provider.terraformImports.first(where: { $0.terraformType == terraformType }) { return (provider, mapping) }
        }
        return nil
    }

    /// Every Terraform type some kind maps, in catalogue order.
    public var terraformTypes: [String] { providers.flatMap { $0.terraformImports.map(\.terraformType) } }
}

extension StackParser {
    /// Parses a stack against the standard catalogue's kinds.
    public static func parse(_ text: String, file: String, bytes: Data? = nil) throws -> Stack {
        try parse(text, file: file, bytes: bytes, kinds: KindCatalogue.standard.schemas)
    }

    /// Loads and parses a stack file against the standard catalogue's kinds.
    public static func load(path: String) throws -> Stack {
        try load(path: path, kinds: KindCatalogue.standard.schemas)
    }
}

extension StackSchema {
    /// The JSON Schema of stack files for the standard catalogue's kinds.
    public static func document() -> JSONValue { document(kinds: KindCatalogue.standard.schemas) }
}
