import Foundation
import SandboxSigV4

extension AWSClient {
    /// Calls a Query-protocol operation (IAM, STS) and returns the `<ActionResult>` element.
    /// `journal` is the caller's declaration of what the call changes.
    public func query(_ service: ServiceDescriptor, action: String, parameters: [(String, String)] = [], unsigned: Bool = false,
                      journal: Journal) async throws -> XMLNode {
        var pairs: [(String, String)] = [("Action", action), ("Version", service.apiVersion)]
        pairs.append(contentsOf: parameters)
        let body = pairs.map { "\(URIEncoding.encode($0.0))=\(URIEncoding.encode($0.1))" }.joined(separator: "&")
        let request = AWSRequest(operation: action, journal: journal, method: "POST", path: "/",
                                 headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                                 body: Data(body.utf8), unsigned: unsigned)
        let response = try await send(request, to: service)
        // The answer must be `<ActionResponse>`: any other XML (an XHTML page from a proxy, say) is not a success.
        let root = XMLNode.parse(response.body)
        guard let root, root.name == "\(action)Response" || root.child("\(action)Result") != nil else {
            throw ErrorParser.malformed(response, service: service, operation: action, endpoint: endpoint(for: service).baseURL.absoluteString,
                                        reason: root == nil ? "not well-formed XML" : "XML that is not a \(action)Response")
        }
        return root.child("\(action)Result") ?? root
    }
}

/// Flattens lists and maps into Query-protocol parameter names (`Tags.member.1.Key`).
public struct QueryParameters: Sendable {
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public mutating func add(_ name: String, _ value: String?) {
        if let value { pairs.append((name, value)) }
    }

    public mutating func addList(_ name: String, _ values: [String]) {
        for (index, value) in values.enumerated() { pairs.append(("\(name).member.\(index + 1)", value)) }
    }

    public mutating func addTags(_ name: String, _ tags: [String: String]) {
        for (index, key) in tags.keys.sorted().enumerated() {
            pairs.append(("\(name).member.\(index + 1).Key", key))
            pairs.append(("\(name).member.\(index + 1).Value", tags[key] ?? ""))
        }
    }
}
