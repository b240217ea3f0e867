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
    /// TODO(filter branch, `Sources/API/Filter/`): evaluate `filterText` with
    /// `try FilterExpression(text).matches(item)` for each item. A malformed expression is a 400
    /// with the parser's message (Consul answers 500 from its RPC layer; clients only look for a
    /// non-2xx, and 400 says whose mistake it was). Until then every item is kept.
    func applyFilter(_ items: [JSON]) throws(APIError) -> [JSON] {
        items
    }
}
