import HTTP

/// `/v1/operator/raft/*` (consul-api.md §2.7): the Raft servers as Consul's operator API
/// reports them, leadership transfer and peer removal.
enum OperatorEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/operator/raft/configuration", raftConfiguration)
        router.add("POST", "/v1/operator/raft/transfer-leader", transferLeader)
        router.add("DELETE", "/v1/operator/raft/peer", removePeer)
    }

    /// `{"Servers":[{"ID","Node","Address","Leader","Voter","ProtocolVersion","LastIndex"}],"Index":0}`.
    ///
    /// One entry per member. This server reports its node ID and applied index; for the others
    /// it knows their Raft ID and name. `Index` is the index of the configuration entry, which
    /// Consul reports as 0 on a single dev server and py-consul's tests expect. Without a
    /// leader only `?stale` answers, as in Consul.
    static func raftConfiguration(_ context: ConsulContext) throws -> Reply {
        let node = context.node
        guard node.leaderAddress != nil || context.options.stale else { throw APIError.server("No cluster leader") }
        let servers: [JSON] = node.servers.map { server in
            let isSelf = server.address == node.serverAddress
            return .object([
                ("ID", .string(server.id)),
                ("Node", .string(server.node)),
                ("Address", .string(server.address)),
                ("Leader", .bool(server.leader)),
                ("Voter", .bool(server.voter)),
                ("ProtocolVersion", .string("3")),
                ("LastIndex", KVJSON.unsigned(isSelf ? context.store.appliedIndex : 0)),
            ])
        }
        return .response(context.json(.object([("Servers", .array(servers)), ("Index", .int(0))])))
    }

    /// `POST /v1/operator/raft/transfer-leader[?id=]`: `{"Success":true}` once the handover
    /// is under way.
    static func transferLeader(_ context: ConsulContext) throws -> Reply {
        let id = context.request.queryValue("id").flatMap { $0.isEmpty ? nil : $0 }
        return .operate(.transferLeader(id: id)) { failure in
            if let failure { return .text(.internalServerError, failure) }
            return context.json(.object([("Success", .bool(true))]))
        }
    }

    /// `DELETE /v1/operator/raft/peer?id=` or `?address=`: removes a server from the cluster.
    static func removePeer(_ context: ConsulContext) throws -> Reply {
        let id = context.request.queryValue("id").flatMap { $0.isEmpty ? nil : $0 }
        let address = context.request.queryValue("address").flatMap { $0.isEmpty ? nil : $0 }
        guard (id == nil) != (address == nil) else {
            throw APIError.badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove")
        }
        return .operate(.removePeer(id: id, address: address)) { failure in
            if let failure { return .text(.internalServerError, failure) }
            return HTTPResponse(status: .ok)
        }
    }
}
