import Foundation
import SandboxCore

/// Turns an error response into an `AWSError` (or a `MalformedResponseError`), for each wire protocol.
enum ErrorParser {
    static func parse(_ response: HTTPResponse, service: ServiceDescriptor, operation: String, endpoint: String) -> Error {
        let requestId = response.header("x-amz-request-id") ?? response.header("x-amzn-requestid") ?? response.header("x-amz-id-2")
        let keptHeaders = response.headers.filter { ["x-amz-bucket-region", "date", "x-amzn-errortype"].contains($0.key) }

        func error(code: String, message: String, requestId: String?) -> AWSError {
            AWSError(service: service.displayName, operation: operation, status: response.status, code: code, message: message, requestId: requestId, headers: keptHeaders)
        }

        if response.body.isEmpty {
            // HEAD requests and some S3 errors carry no body: the status is all there is.
            let code: String
            switch response.status {
            case 301: code = "PermanentRedirect"
            case 400: code = "BadRequest"
            case 403: code = "AccessDenied"
            case 404: code = "NotFound"
            case 409: code = "Conflict"
            case 429: code = "TooManyRequests"
            case 500: code = "InternalError"
            case 503: code = "ServiceUnavailable"
            default: code = "HTTP\(response.status)"
            }
            if let typed = response.header("x-amzn-errortype") {
                return error(code: Self.shortCode(typed), message: "", requestId: requestId)
            }
            return error(code: code, message: "", requestId: requestId)
        }

        switch service.wireProtocol {
        case .json:
            guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
                return malformed(response, service: service, operation: operation, endpoint: endpoint)
            }
            let rawType = (object["__type"] as? String) ?? (object["code"] as? String) ?? (object["Code"] as? String) ?? response.header("x-amzn-errortype") ?? ""
            guard !rawType.isEmpty else {
                return malformed(response, service: service, operation: operation, endpoint: endpoint, reason: "JSON without an error type")
            }
            let message = (object["message"] as? String) ?? (object["Message"] as? String) ?? ""
            return error(code: shortCode(rawType), message: message, requestId: requestId)
        case .query, .restXML:
            guard let root = XMLNode.parse(response.body) else {
                return malformed(response, service: service, operation: operation, endpoint: endpoint)
            }
            // Query: <ErrorResponse><Error>…</Error><RequestId/>; REST-XML: <Error>…</Error>.
            let errorNode = root.name == "Error" ? root : root.descendant("Error")
            guard let errorNode, let code = errorNode.string("Code"), !code.isEmpty else {
                return malformed(response, service: service, operation: operation, endpoint: endpoint, reason: "XML without an error code")
            }
            let id = errorNode.string("RequestId") ?? root.string("RequestId") ?? requestId
            return error(code: code, message: errorNode.string("Message") ?? "", requestId: id)
        }
    }

    /// `com.amazonaws.glue#EntityNotFoundException:http://…` becomes `EntityNotFoundException`.
    static func shortCode(_ raw: String) -> String {
        var code = raw
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        return code
    }

    /// - Parameter reason: what was wrong with a body that did parse; by default the body is taken as cut short or garbled.
    static func malformed(_ response: HTTPResponse, service: ServiceDescriptor, operation: String, endpoint: String, reason: String? = nil) -> MalformedResponseError {
        let type = response.header("content-type") ?? "no content type"
        let head = Diagnostic.escapingControlCharacters(String(decoding: response.body.prefix(60), as: UTF8.self))
        let what: String
        if isHTML(response) {
            what = "an HTML page"
        } else if response.body.isEmpty {
            what = "an empty body"
        } else {
            what = reason ?? "truncated or invalid \(service.wireProtocol == .json ? "JSON" : "XML")"
        }
        return MalformedResponseError(service: service.displayName, operation: operation, status: response.status,
                                      detail: "\(what): \(type), \(response.body.count) bytes, starts \"\(head)\"", endpoint: endpoint)
    }

    /// An HTML page (a proxy's error page, a captive portal, a web server at the wrong URL) by content type or first tag.
    static func isHTML(_ response: HTTPResponse) -> Bool {
        if response.header("content-type")?.lowercased().contains("html") == true { return true }
        let start = String(decoding: response.body.prefix(64), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return start.hasPrefix("<!doctype html") || start.hasPrefix("<html")
    }
}
