import Registry

// Query parameters and views shared by the agent, catalog and health endpoints
// (consul-api.md §1.4).

extension ConsulContext {
    /// This agent's node: the one `agent/*` endpoints read and write.
    var agentNodeName: String { node.identity.nodeName }

    /// This agent's datacenter.
    var datacenter: String { node.identity.datacenter }

    /// Repeated `node-meta=key:value` filters; a value without ':' filters on the key with an
    /// empty value, as Consul's `parseMetaFilter` splits it.
    var nodeMetaFilters: [(key: String, value: String)] {
        request.query.filter { $0.name == "node-meta" }.map { item in
            guard let colon = item.value.firstIndex(of: ":") else { return (item.value, "") }
            return (String(item.value[..<colon]), String(item.value[item.value.index(after: colon)...]))
        }
    }

    /// Repeated `tag=` values; an instance must carry all of them.
    var tagFilters: [String] {
        request.query.filter { $0.name == "tag" }.map(\.value)
    }

    /// True when `meta` holds every `node-meta` pair asked for.
    func matchesNodeMeta(_ meta: [String: String]) -> Bool {
        nodeMetaFilters.allSatisfy { meta[$0.key] == $0.value }
    }

    /// A query flag whose value is parsed (`passing`, consul-api.md §1.4): absent is false,
    /// present without a value is true, otherwise Go's `strconv.ParseBool`; junk is a 400 with
    /// `invalid` as its text.
    func parsedFlag(_ name: String, invalid: String) throws(APIError) -> Bool {
        guard let value = request.queryValue(name) else { return false }
        if value.isEmpty { return true }
        guard let flag = Self.parseGoBool(value) else { throw .badRequest(invalid) }
        return flag
    }

    /// Go's `strconv.ParseBool`.
    static func parseGoBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }
}
