// Generated from VERSION by `make version`; SandboxVersionTests fails when the two differ.

/// The version printed by `sandbox --version` and recorded in state, plans, reports and the User-Agent.
public enum SandboxVersion {
    public static let current = "0.1.0"
}
