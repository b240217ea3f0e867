import HTTP

/// `/v1/operator/raft/configuration` (consul-api.md §2.7): the Raft servers as Consul's
/// operator API reports them.
enum OperatorEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/operator/raft/configuration", raftConfiguration)
    }

    /// `{"Servers":[{"ID","Node","Address","Leader","Voter","ProtocolVersion","LastIndex"}],"Index":0}`.
    ///
    /// One entry per voter. This node knows its own ID, name and applied index; for the others
    /// (once Raft has peers) it knows only their addresses, which stand in for ID and name.
    /// `Index` is the index of the configuration entry, which Consul reports as 0 on a single
    /// dev server and py-consul's tests expect. Without a leader only `?stale` answers, as in Consul.
    static func raftConfiguration(_ context: ConsulContext) throws -> Reply {
        let node = context.node
        guard node.leaderAddress != nil || context.options.stale else { throw APIError.server("No cluster leader") }
        let servers: [JSON] = node.peers.map { address in
            let isSelf = address == node.serverAddress
            return .object([
                ("ID", .string(isSelf ? node.identity.nodeID : address)),
                ("Node", .string(isSelf ? node.identity.nodeName : address)),
                ("Address", .string(address)),
                ("Leader", .bool(address == node.leaderAddress)),
                ("Voter", .bool(true)),
                ("ProtocolVersion", .string("3")),
                ("LastIndex", KVJSON.unsigned(isSelf ? context.store.appliedIndex : 0)),
            ])
        }
        return .response(context.json(.object([("Servers", .array(servers)), ("Index", .int(0))])))
    }
}
