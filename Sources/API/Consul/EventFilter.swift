import Registry

/// The regular-expression filters of a user event (consul-api.md §2.8; hashicorp/consul
/// agent/user_event.go): which agents an event is for. Go's RE2 syntax and Swift's Regex agree
/// on everything filters use in practice (literals, classes, anchors, alternation, repetition).
///
/// Matching is Go's `MatchString`: the pattern may match anywhere in the text. Patterns are
/// bounded in length, as they come from clients.
struct EventFilter {
    /// Longest filter pattern accepted, in UTF-8 bytes.
    static let maxPatternBytes = 256

    let nodeFilter: Regex<AnyRegexOutput>?
    let serviceFilter: Regex<AnyRegexOutput>?
    let tagFilter: Regex<AnyRegexOutput>?

    /// Compiles the event's filters; Consul's texts for a pattern that does not compile.
    init(_ event: UserEvent) throws(APIError) {
        nodeFilter = try Self.compile(event.nodeFilter, what: "node")
        serviceFilter = try Self.compile(event.serviceFilter, what: "service")
        tagFilter = try Self.compile(event.tagFilter, what: "tag")
    }

    private static func compile(_ pattern: String, what: String) throws(APIError) -> Regex<AnyRegexOutput>? {
        guard !pattern.isEmpty else { return nil }
        guard pattern.utf8.count <= maxPatternBytes else {
            throw .badRequest("Invalid \(what) filter: longer than \(maxPatternBytes) bytes")
        }
        do {
            return try Regex(pattern)
        } catch {
            throw .badRequest("Invalid \(what) filter: \(error)")
        }
    }

    /// Consul's `shouldProcessUserEvent`: the node filter matches this node's name, and the
    /// service filter (with the tag filter, if any) matches one of this node's services.
    func applies(toNode nodeName: String, services: [Service]) -> Bool {
        if let nodeFilter, !nodeName.contains(nodeFilter) { return false }
        guard let serviceFilter else { return true }
        return services.contains { service in
            guard service.name.contains(serviceFilter) || service.id.contains(serviceFilter) else { return false }
            guard let tagFilter else { return true }
            return service.tags.contains { $0.contains(tagFilter) }
        }
    }
}
