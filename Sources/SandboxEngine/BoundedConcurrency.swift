/// Runs `body` over `items` with at most `limit` in flight, returning results in input order.
func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
    var results = [R?](repeating: nil, count: items.count)
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var next = 0
        func launch() {
            guard next < items.count else { return }
            let index = next
            let item = items[index]
            next += 1
            group.addTask { (index, try await body(item)) }
        }
        for _ in 0..<max(1, limit) { launch() }
        while let (index, result) = try await group.next() {
            results[index] = result
            launch()
        }
    }
    return results.compactMap { $0 }
}
