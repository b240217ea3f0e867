import HTTP

/// The query parameters every Consul read understands (consul-api.md §1.4, §1.6, §1.7).
public struct QueryOptions: Sendable, Equatable {
    /// The datacenter asked for; nil means this node's own.
    public var datacenter: String?
    public var pretty = false
    public var stale = false
    public var consistent = false

    /// Parses and validates; boolean flags count by presence, as in Consul.
    public init(_ request: HTTPRequest) throws(APIError) {
        datacenter = request.queryValue("dc").flatMap { $0.isEmpty ? nil : $0 }
        pretty = request.hasQuery("pretty")
        stale = request.hasQuery("stale")
        consistent = request.hasQuery("consistent")
        if stale && consistent {
            throw .badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.")
        }
        try Self.refuseEnterpriseOnly("ns", request.queryValue("ns") ?? request.headers["X-Consul-Namespace"], feature: "Namespaces")
        try Self.refuseEnterpriseOnly("partition", request.queryValue("partition") ?? request.headers["X-Consul-Partition"], feature: "Partitions")
    }

    /// Consul CE answers 400 for any namespace or partition other than the default one.
    private static func refuseEnterpriseOnly(_ name: String, _ value: String?, feature: String) throws(APIError) {
        guard let value, !value.isEmpty, value != "default" else { return }
        throw .badRequest("Invalid query parameter: \"\(name)\" - \(feature) are a Consul Enterprise feature")
    }
}
