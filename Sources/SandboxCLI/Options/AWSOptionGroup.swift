import ArgumentParser
import SandboxAWS

/// Flags that say how to reach AWS, shared by every command that talks to it.
public struct AWSOptionGroup: ParsableArguments, Sendable {
    @Option(help: "AWS profile from ~/.aws/config (default: AWS_PROFILE, then 'default').")
    public var profile: String?

    @Option(help: "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region).")
    public var region: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS request to this endpoint (a local moto, a proxy).")
    public var endpointURL: String?

    @Option(name: .customLong("max-attempts"), help: "Attempts per AWS request, retries included (default: AWS_MAX_ATTEMPTS or 3).")
    public var maxAttempts: Int?

    public init() {}

    public func validate() throws {
        if let maxAttempts, !(1...20).contains(maxAttempts) {
            throw ValidationError("--max-attempts must be between 1 and 20")
        }
    }

    var options: AWSOptions {
        AWSOptions(profile: profile, region: region, endpointURL: endpointURL, maxAttempts: maxAttempts)
    }
}

/// Which stack and state to use, and variable values.
public struct StackOptionGroup: ParsableArguments, Sendable {
    @Option(help: "Stack file (default: the only .yaml file in Stacks/, or Stacks/aws-provider-tests.yaml).")
    public var stack: String?

    @Option(help: "State file (default: State/<stack name>.sqlite), or s3://BUCKET/KEY.")
    public var state: String?

    @Option(help: "Keep state in S3: s3://BUCKET/KEY (default: SANDBOX_BACKEND, then the stack's backend:).")
    public var backend: String?

    @Option(name: .customLong("var"), help: "Set a variable: NAME=VALUE (repeatable).")
    public var vars: [String] = []

    @Option(name: .customLong("var-file"), help: "Read variables from a YAML file of NAME: VALUE (repeatable).")
    public var varFiles: [String] = []

    public init() {}

    public func validate() throws {
        for assignment in vars where !assignment.contains("=") {
            throw ValidationError("--var '\(assignment)' must look like NAME=VALUE")
        }
    }
}
