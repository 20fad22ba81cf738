/// IAM's string wildcards: `*` is any run of characters (also none), `?` is exactly one; nothing else is special.
/// Actions compare without case, ARNs and condition values with it.
public struct WildcardPattern: Sendable, Hashable {
    public let pattern: String
    public let caseSensitive: Bool

    public init(_ pattern: String, caseSensitive: Bool = true) {
        self.pattern = pattern
        self.caseSensitive = caseSensitive
    }

    public func matches(_ text: String) -> Bool {
        let p = Array(caseSensitive ? pattern.unicodeScalars : pattern.lowercased().unicodeScalars)
        let t = Array(caseSensitive ? text.unicodeScalars : text.lowercased().unicodeScalars)
        // Greedy match with backtracking to the last `*`: linear in practice, no regex (a key may hold any character).
        var pi = 0, ti = 0
        var star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || (p[pi] != "*" && p[pi] == t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// True when the pattern has a wildcard, so it names many strings.
    public var isWildcard: Bool { pattern.contains("*") || pattern.contains("?") }
}
