import Foundation
import SandboxAWS
import SandboxSigV4

/// STS (Query protocol, regional endpoint): identity and role assumption.
public struct STSClient: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) {
        self.client = client
    }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await client.query(.sts, action: "GetCallerIdentity", journal: .read)
        guard let account = result.string("Account"), let arn = result.string("Arn") else {
            throw malformed("GetCallerIdentity", "no Account or Arn in the answer")
        }
        return CallerIdentity(account: account, arn: arn, userId: result.string("UserId") ?? "")
    }

    public func assumeRole(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil) async throws -> AssumedRole {
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleArn)
        parameters.add("RoleSessionName", sessionName)
        parameters.add("DurationSeconds", durationSeconds.map(String.init))
        parameters.add("ExternalId", externalId)
        let result = try await client.query(.sts, action: "AssumeRole", parameters: parameters.pairs, journal: .read)
        return try assumedRole(result, action: "AssumeRole")
    }

    /// Exchanges an OIDC token for role credentials; this call is not signed.
    public func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AssumedRole {
        var parameters = QueryParameters()
        parameters.add("RoleArn", roleArn)
        parameters.add("RoleSessionName", sessionName)
        parameters.add("WebIdentityToken", token)
        let result = try await client.query(.sts, action: "AssumeRoleWithWebIdentity", parameters: parameters.pairs, unsigned: true, journal: .read)
        return try assumedRole(result, action: "AssumeRoleWithWebIdentity")
    }

    func assumedRole(_ result: XMLNode, action: String) throws -> AssumedRole {
        guard let node = result.child("Credentials"),
              let accessKeyId = node.string("AccessKeyId"), let secret = node.string("SecretAccessKey") else {
            throw malformed(action, "no Credentials in the answer")
        }
        let credentials = Credentials(accessKeyId: accessKeyId, secretAccessKey: secret,
                                      sessionToken: QueryWire.nonEmpty(node.string("SessionToken")),
                                      expiration: Timestamp.parse(node.string("Expiration")))
        let user = result.child("AssumedRoleUser")
        return AssumedRole(credentials: credentials, assumedRoleArn: user?.string("Arn") ?? "",
                           assumedRoleId: user?.string("AssumedRoleId") ?? "")
    }

    func malformed(_ action: String, _ detail: String) -> MalformedResponseError {
        MalformedResponseError(service: "STS", operation: action, status: 200, detail: detail,
                               endpoint: client.endpoint(for: .sts).baseURL.absoluteString)
    }
}
