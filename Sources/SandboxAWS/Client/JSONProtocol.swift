import Foundation

/// An empty JSON object, for operations without input or with an output sandbox ignores.
public struct EmptyShape: Codable, Sendable, Equatable {
    public init() {}
}

extension AWSClient {
    /// Calls a JSON 1.1 operation (Glue, Budgets). Member names are the Swift names with the first letter upper-cased.
    /// `journal` is the caller's declaration of what the call changes.
    public func json<Output: Decodable>(_ service: ServiceDescriptor, operation: String, input: some Encodable, as output: Output.Type = Output.self,
                                        journal: Journal) async throws -> Output {
        let body = try AWSJSON.encoder.encode(input)
        let target = "\(service.targetPrefix ?? service.name).\(operation)"
        let request = AWSRequest(operation: operation, journal: journal, method: "POST", path: "/",
                                 headers: ["Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target], body: body)
        let response = try await send(request, to: service)
        let data = response.body.isEmpty ? Data("{}".utf8) : response.body
        do {
            return try AWSJSON.decoder.decode(Output.self, from: data)
        } catch {
            throw MalformedResponseError(service: service.displayName, operation: operation, status: response.status,
                                         detail: "cannot decode the JSON answer: \(AWSJSON.describe(error))",
                                         endpoint: endpoint(for: service).baseURL.absoluteString)
        }
    }
}

/// JSON coding with AWS's PascalCase member names and epoch-second timestamps.
public enum AWSJSON {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
    }

    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in
            guard let last = path.last else { return Key(stringValue: "") }
            if last.intValue != nil { return last }
            return Key(stringValue: last.stringValue.prefix(1).uppercased() + last.stringValue.dropFirst())
        }
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            guard let last = path.last else { return Key(stringValue: "") }
            if last.intValue != nil { return last }
            return Key(stringValue: last.stringValue.prefix(1).lowercased() + last.stringValue.dropFirst())
        }
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(context.codingPath.map(\.stringValue).joined(separator: "."))\(context.codingPath.isEmpty ? "" : ".")\(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted:
            return "not valid JSON"
        default:
            return String(describing: error)
        }
    }
}
