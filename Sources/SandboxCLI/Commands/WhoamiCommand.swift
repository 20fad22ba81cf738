import ArgumentParser
import Foundation
import SandboxAWS
import SandboxServices

/// `sandbox whoami`: who the credentials are, where requests go, and where the credentials came from.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the AWS identity, region, endpoint and credential source in use.")

    @OptionGroup var aws: AWSOptionGroup
    @OptionGroup var output: OutputOptionGroup

    struct Identity: Encodable {
        let account: String
        let arn: String
        let userId: String
        let region: String
        let endpoint: String
        /// Where each service's requests go (the custom endpoint or AWS's own), for comparing with the AWS CLI.
        let endpoints: [String: String]
        let credentialSource: String
        let credentialKind: String
    }

    func run() async throws {
        let invocation = Invocation(output: output)
        let console = Console(redactor: invocation.redactor)
        try await execute(console) {
            let environment = try invocation.aws(aws.options)
            let caller = try await STSClient(environment.client).getCallerIdentity()
            let source = try await environment.credentials.resolve()?.source
            let identity = Identity(account: caller.account, arn: caller.arn, userId: caller.userId, region: environment.region.region.name,
                                    endpoint: environment.client.endpoint(for: .sts).baseURL.absoluteString,
                                    endpoints: Dictionary(uniqueKeysWithValues: ServiceDescriptor.all.map {
                                        ($0.name, environment.client.endpoint(for: $0).baseURL.absoluteString)
                                    }),
                                    credentialSource: source?.description ?? "unknown", credentialKind: source?.kind ?? "unknown")
            if output.json {
                console.out(try JSONOutput.encode(identity))
            } else {
                console.out("Account:    \(identity.account)")
                console.out("ARN:        \(identity.arn)")
                console.out("User id:    \(identity.userId)")
                console.out("Region:     \(identity.region) (from \(environment.region.source))")
                console.out("Endpoint:   \(identity.endpoint)")
                console.out("Credentials: \(identity.credentialSource)")
            }
            return 0
        }
    }
}
