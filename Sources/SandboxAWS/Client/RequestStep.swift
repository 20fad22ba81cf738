/// Where the attempts of one call go; steps may move them (an S3 bucket that lives in another region).
public struct AttemptState: Sendable {
    /// The client's own region, where the first attempt goes.
    public let clientRegion: Region
    /// The region the next attempt is resolved, addressed and signed for.
    public var region: Region

    public init(clientRegion: Region) {
        self.clientRegion = clientRegion
        self.region = clientRegion
    }
}

/// What a step asks of the attempt loop after a failed attempt.
public enum StepDecision: Sendable, Equatable {
    /// Not this step's concern: the next step, then the retry policy, decide.
    case proceed
    /// Send again at once with the (changed) attempt state; the failed attempt does not count against the retries.
    case resend
}

/// A service quirk in the attempt loop, one concern each, carried by the service's descriptor
/// (`ServiceDescriptor.steps`): the generic loop runs the steps in order and knows no service by name.
public protocol RequestStep: Sendable {
    /// Looks at an attempt that failed with an AWS error; may change `state` and ask for a resend.
    func afterFailure(_ error: AWSError, request: AWSRequest, state: inout AttemptState) -> StepDecision
}
