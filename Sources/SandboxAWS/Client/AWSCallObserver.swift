import Foundation

/// Hears about every mutating AWS call before it is sent and after it ends, so the engine can journal them.
public protocol AWSCallObserver: Sendable {
    /// Returns a token handed back to `didFinish`.
    func willSend(service: String, operation: String, target: String) -> Int64?
    func didFinish(token: Int64?, succeeded: Bool, requestId: String?, detail: String?)
}

/// What counts as mutating, and what a call is aimed at (no bodies or secrets, only names).
enum AWSCallObserverSupport {
    static let readPrefixes = ["Get", "List", "Describe", "Head"]

    static func isMutating(_ operation: String) -> Bool {
        !readPrefixes.contains { operation.hasPrefix($0) }
    }

    static func target(of request: AWSRequest) -> String {
        if let bucket = request.bucket {
            return request.path == "/" ? bucket : bucket + request.path
        }
        let body = String(decoding: request.body.prefix(4096), as: UTF8.self)
        if request.headers["Content-Type"]?.hasPrefix("application/x-www-form-urlencoded") == true {
            for key in ["PolicyArn", "PolicyName", "UserName", "RoleArn"] {
                if let value = formValue(body, key) { return value }
            }
        } else if let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any] {
            if let name = object["BudgetName"] as? String { return name }
            if let input = object["Budget"] as? [String: Any], let name = input["BudgetName"] as? String { return name }
            if let input = object["DatabaseInput"] as? [String: Any], let name = input["Name"] as? String { return name }
            if let name = object["DatabaseName"] as? String { return name }
            if let name = object["Name"] as? String { return name }
        }
        return "-"
    }

    static func formValue(_ body: String, _ key: String) -> String? {
        for pair in body.split(separator: "&") where pair.hasPrefix("\(key)=") {
            return String(pair.dropFirst(key.count + 1)).removingPercentEncoding
        }
        return nil
    }
}
