import Foundation
import SandboxCore
import SandboxStack

/// Resolves a stack's run scheme (bucket, root, Glue prefix) against evaluated resource attributes.
public struct RunSettings: Sendable {
    public let scheme: RunScheme
    public let bucket: String
    public let root: String
    public let gluePrefix: String

    public static func resolve(_ stack: Stack, context: EvaluationContext) throws -> RunSettings {
        guard let scheme = stack.runs else {
            throw SimpleError(.usage, "\(stack.file) declares no runs: section; add one with id_pattern, bucket and glue_prefix")
        }
        func text(_ value: StackValue, _ name: String) throws -> String {
            guard case .known(let result) = try StackEvaluator.evaluate(value, in: context), let string = result.stringValue, !string.isEmpty else {
                throw SimpleError(.usage, "\(value.location): runs.\(name) has no value yet; run sandbox apply first")
            }
            return string
        }
        return RunSettings(scheme: scheme, bucket: try text(scheme.bucket, "bucket"), root: try text(scheme.s3Root, "s3_root"),
                           gluePrefix: try text(scheme.gluePrefix, "glue_prefix"))
    }

    public func scope(runId: String) throws -> RunScope {
        try RunScope(runId: runId, bucket: bucket, root: root, gluePrefix: gluePrefix, idPattern: scheme.idPattern)
    }
}
