/// S3 answers a request for a bucket in another region with a redirect naming that region in
/// `x-amz-bucket-region` (HEAD answers have no body, so the header is all there is). Followed once, with that
/// region's endpoint and signature, as botocore's S3RegionRedirector does; a second redirect is an error.
public struct S3BucketRegionRedirect: RequestStep {
    public init() {}

    public func afterFailure(_ error: AWSError, request: AWSRequest, state: inout AttemptState) -> StepDecision {
        guard error.kind == .redirect, state.region == state.clientRegion,
              let header = error.headers["x-amz-bucket-region"], let target = try? Region(header), target != state.region
        else { return .proceed }
        state.region = target
        return .resend
    }
}
