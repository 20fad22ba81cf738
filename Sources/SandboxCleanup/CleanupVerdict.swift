import SandboxCore

/// How one cleanup ended, as the CLI turns it into an exit code (README "Exit codes"): decided here, mapped there
/// with one switch.
public enum CleanupVerdict: Sendable, Equatable {
    /// The run is proven gone; for a dry run, what it holds was listed without error.
    case done
    /// Cleanup ran to the end but something of the run remains or could not be proven gone.
    case notProven
    /// An error stopped cleanup early; its category says whose fault it was.
    case stopped(FailureCategory)

    public init(_ result: CleanupResult) {
        if result.dryRun {
            // A dry run has nothing to prove: only an error (or a listing it could not make) is a failure.
            self = result.error == nil ? .done : .stopped(result.errorCategory ?? .infrastructure)
        } else if result.proven {
            self = .done
        } else if let category = result.errorCategory {
            self = .stopped(category)
        } else {
            self = .notProven
        }
    }
}
