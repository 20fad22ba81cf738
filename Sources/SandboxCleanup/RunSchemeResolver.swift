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

    /// The scope of a run id already checked at the edge.
    public func scope(runId: RunID) throws -> RunScope {
        try RunScope(runId: runId, bucket: bucket, root: root, gluePrefix: gluePrefix)
    }

    /// The scope of a name found in the sandbox (a folder under the root, a database), if it is one of this stack's runs.
    public func scope(ifRun name: String) -> RunScope? {
        guard let runId = try? scheme.runID(name) else { return nil }
        return try? scope(runId: runId)
    }
}

extension RunScheme {
    /// Checks a run id as it enters sandbox: the generic rule, then this stack's `id_pattern`.
    public func runID(_ text: String) throws -> RunID {
        try RunID(text, matching: idPattern)
    }
}
