import SandboxCore

/// The pages of a paginated AWS listing, fetched lazily one request per page as the sequence is iterated.
///
/// `for try await page in s3.objectPages(bucket: "b") { … }` — stop iterating to stop fetching.
public struct PageSequence<Page: Sendable>: AsyncSequence, Sendable {
    public typealias Element = Page

    /// Fetches one page and says how to fetch the following one (nil on the last page).
    struct Step: Sendable {
        let fetch: @Sendable () async throws -> (Page, Step?)
    }

    let first: Step

    /// Pages driven by an opaque token: `fetch(nil)` gets the first page and each page yields the next token.
    /// A token repeated by the service would loop forever, so it ends the sequence with an error instead.
    static func tokens<Token: Sendable & Equatable>(
        service: String, operation: String,
        _ fetch: @escaping @Sendable (Token?) async throws -> (Page, Token?)
    ) -> PageSequence {
        PageSequence(first: step(nil, service: service, operation: operation, fetch))
    }

    private static func step<Token: Sendable & Equatable>(
        _ token: Token?, service: String, operation: String,
        _ fetch: @escaping @Sendable (Token?) async throws -> (Page, Token?)
    ) -> Step {
        Step {
            let (page, next) = try await fetch(token)
            guard let next else { return (page, nil) }
            if let token, token == next {
                throw SimpleError(.infrastructure, "\(service) \(operation) returned the same page token twice; stopping to avoid a loop")
            }
            return (page, step(next, service: service, operation: operation, fetch))
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(next: first)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var next: Step?

        public mutating func next() async throws -> Page? {
            guard let step = next else { return nil }
            next = nil  // an error ends the sequence
            let (page, following) = try await step.fetch()
            next = following
            return page
        }
    }
}

extension PageSequence {
    /// Collects every page into one array (for listings known to be small).
    public func collect() async throws -> [Page] {
        var pages: [Page] = []
        for try await page in self { pages.append(page) }
        return pages
    }
}
