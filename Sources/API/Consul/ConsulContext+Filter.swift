extension ConsulContext {
    /// The `?filter` expression (consul-api.md §1.8); nil when absent or empty.
    var filterText: String? {
        guard let text = request.queryValue("filter"), !text.isEmpty else { return nil }
        return text
    }

    /// Keeps the items of a list (or the values of a map) that match `?filter`. Every endpoint
    /// that takes `filter` builds its items as JSON first, in the shape the client will see, and
    /// passes them through here: selectors are the JSON field names of one item.
    ///
    /// A malformed expression is a 400 with the parser's message. Consul answers 500 there (the
    /// error comes up from its RPC layer); clients only look for a non-2xx, and 400 says whose
    /// mistake it was.
    func applyFilter(_ items: [JSON]) throws(APIError) -> [JSON] {
        guard let text = filterText else { return items }
        let expression: FilterExpression
        do {
            expression = try FilterExpression(text)
        } catch {
            throw .badRequest(error.message)
        }
        let kept = items.filter(expression.matches)
        assert(kept.count <= items.count)
        return kept
    }
}
