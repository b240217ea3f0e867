import HTTP

/// `/v1/status/leader` and `/v1/status/peers` (consul-api.md §2.7).
enum StatusEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/status/leader", leader)
        router.add("GET", "/v1/status/peers", peers)
    }

    /// The leader's Raft address as a JSON string; `""` (still 200) while there is none.
    static func leader(_ context: ConsulContext) throws -> Reply {
        .response(context.json(.string(context.node.leaderAddress ?? "")))
    }

    /// The Raft voters' addresses.
    static func peers(_ context: ConsulContext) throws -> Reply {
        .response(context.json(.array(context.node.peers.map { .string($0) })))
    }
}
