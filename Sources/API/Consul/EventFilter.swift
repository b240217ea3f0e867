import Registry

/// The regular-expression filters of a user event (consul-api.md §2.8; hashicorp/consul
/// agent/user_event.go): which agents an event is for.
///
/// Patterns are RE2, as Go's `regexp` reads them, and are matched by `FilterRegex`, the
/// `?filter=` matcher: a client's pattern must not be able to make matching exponential, which
/// the standard library's backtracking `Regex` allows. Matching is Go's `MatchString`: the
/// pattern may match anywhere in the text.
struct EventFilter {
    let nodeFilter: FilterRegex?
    let serviceFilter: FilterRegex?
    let tagFilter: FilterRegex?

    /// Compiles the event's filters; Consul's texts for a pattern that does not compile.
    init(_ event: UserEvent) throws(APIError) {
        nodeFilter = try Self.compile(event.nodeFilter, what: "node")
        serviceFilter = try Self.compile(event.serviceFilter, what: "service")
        tagFilter = try Self.compile(event.tagFilter, what: "tag")
    }

    private static func compile(_ pattern: String, what: String) throws(APIError) -> FilterRegex? {
        guard !pattern.isEmpty else { return nil }
        guard pattern.utf8.count <= FilterLimits.maxRegexPatternBytes else {
            throw .badRequest("Invalid \(what) filter: longer than \(FilterLimits.maxRegexPatternBytes) bytes")
        }
        do {
            return try FilterRegex(pattern)
        } catch {
            throw .badRequest("Invalid \(what) filter: \(error.message)")
        }
    }

    /// Consul's `shouldProcessUserEvent`: the node filter matches this node's name, and the
    /// service filter (with the tag filter, if any) matches one of this node's services, by
    /// name or ID.
    func applies(toNode nodeName: String, services: [Service]) -> Bool {
        if let nodeFilter, !nodeFilter.hasMatch(in: nodeName) { return false }
        guard let serviceFilter else { return true }
        return services.contains { service in
            guard serviceFilter.hasMatch(in: service.name) || serviceFilter.hasMatch(in: service.id) else { return false }
            guard let tagFilter else { return true }
            return service.tags.contains { tagFilter.hasMatch(in: $0) }
        }
    }
}
