import Foundation
import SandboxCore
import SandboxSigV4

/// Temporary credentials from STS AssumeRole, signed with the credentials of a source provider.
/// Wrap it in `CachingCredentialProvider`: every `resolve()` here is a fresh STS call.
public struct AssumeRoleCredentialProvider: CredentialProvider {
    /// The role to assume.
    public let roleArn: String
    /// `RoleSessionName`, visible in CloudTrail.
    public let sessionName: String
    /// `ExternalId`, when the role's trust policy demands one.
    public let externalId: String?
    /// `DurationSeconds`; nil leaves STS's default of one hour.
    public let durationSeconds: Int?
    /// The profile that asked for the role, for messages and `CredentialSource`.
    public let profile: String
    /// The credentials the AssumeRole call is signed with.
    public let source: CredentialProvider
    /// How to name the source in messages (`source_profile base`).
    public let sourceName: String
    /// The client STS calls go through; its own credentials are replaced by `source`.
    public let client: AWSClient

    /// A provider assuming `roleArn` with the credentials of `source`.
    public init(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
                profile: String, source: CredentialProvider, sourceName: String = "source credentials", client: AWSClient) {
        self.roleArn = roleArn
        self.sessionName = sessionName
        self.externalId = externalId
        self.durationSeconds = durationSeconds
        self.profile = profile
        self.source = source
        self.sourceName = sourceName
        self.client = client
    }

    public func resolve() async throws -> ResolvedCredentials? {
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleArn)
        parameters.add("RoleSessionName", sessionName)
        parameters.add("ExternalId", externalId)
        parameters.add("DurationSeconds", durationSeconds.map(String.init))
        let result: XMLNode
        do {
            result = try await client.with(credentialProvider: source).query(.sts, action: "AssumeRole", parameters: parameters.pairs, journal: .read)
        } catch is NoCredentialsError {
            throw CredentialProviderError("profile \(profile): \(sourceName) provided no credentials to assume \(roleArn) with")
        } catch {
            throw CredentialProviderError("profile \(profile): assuming \(roleArn) failed: \(error.oneLine)")
        }
        let credentials = try STSCredentials.parse(result, action: "AssumeRole")
        return ResolvedCredentials(credentials: credentials, source: .assumeRole(roleArn: roleArn, profile: profile))
    }

    public func invalidate() async {
        await source.invalidate()
    }
}
