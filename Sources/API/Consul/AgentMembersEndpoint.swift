import HTTP

/// `GET /v1/agent/members` (consul-api.md §2.1): the cluster's members as Serf reports them.
/// Until membership lands this node is the only one, shown as `agent/self` shows its `Member`.
enum AgentMembersEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/agent/members", members)
    }

    /// The LAN pool, or with `?wan=<anything>` the WAN pool, where Consul names servers
    /// `<node>.<dc>`. A segment makes no sense on the WAN (Consul's text).
    static func members(_ context: ConsulContext) throws -> Reply {
        let wan = !(context.request.queryValue("wan") ?? "").isEmpty
        let segment = context.request.queryValue("segment") ?? ""
        if wan && !segment.isEmpty && segment != "_all" {
            throw APIError.badRequest("Cannot provide a segment with wan=true")
        }
        var member = AgentEndpoint.member(context.node)
        if wan, case .object(var fields) = member, let index = fields.firstIndex(where: { $0.0 == "Name" }) {
            fields[index].1 = .string("\(context.agentNodeName).\(context.datacenter)")
            member = .object(fields)
        }
        // Membership is not a store table: there is nothing to block on, and Consul sends no
        // X-Consul-Index here either.
        return .response(context.json(.array([member])))
    }
}
