import HTTP
import Registry
import Store

/// `/v1/agent/checks` and `/v1/agent/check/...` (consul-api.md §2.1): this agent's checks, and
/// the TTL updates clients send. Unknown IDs are apply's 404, a TTL update of a check without a
/// TTL its 500 (`CheckID "x" does not have associated TTL`, which clients match on).
enum AgentCheckEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/agent/checks", checks)
        router.add("PUT", "/v1/agent/check/register", registerCheck)
        router.add("PUT", "/v1/agent/check/deregister/*id", deregisterCheck)
        router.add("PUT", "/v1/agent/check/pass/*id") { try ttl($0, .passing) }
        router.add("PUT", "/v1/agent/check/warn/*id") { try ttl($0, .warning) }
        router.add("PUT", "/v1/agent/check/fail/*id") { try ttl($0, .critical) }
        router.add("PUT", "/v1/agent/check/update/*id", update)
    }

    /// Map of check ID to HealthCheck, node-level and service checks; blocks on this node.
    static func checks(_ context: ConsulContext) throws -> Reply {
        let answer = try context.store.agentChecks(onNode: context.agentNodeName)
        return try context.readJSON(index: answer.index, watch: [.node(context.agentNodeName)]) {
            let items = AgentLocal.checks(answer.value).map { CatalogJSON.healthCheck($0, agentView: true) }
            return CatalogJSON.keyed(try context.applyFilter(items), by: "CheckID")
        }
    }

    /// A CheckDefinition body; the ID defaults to the name.
    static func registerCheck(_ context: ConsulContext) throws -> Reply {
        let check = try CheckDefinitionDecoder.agentCheck(try context.bodyJSON(), node: context.agentNodeName)
        guard !AgentLocal.isServerCheck(check.checkID) else {
            throw APIError.badRequest("Invalid check ID \"\(check.checkID)\": reserved for the server's own liveness check")
        }
        try AgentLocal.refuseScripts([check], policy: context.node.scriptChecks)
        return context.write(.checkRegister(check)) { _ in .emptyOK }
    }

    static func deregisterCheck(_ context: ConsulContext) throws -> Reply {
        let id = try context.parameter("id", missing: "Missing check ID")
        guard !AgentLocal.isServerCheck(id) else { throw AgentLocal.unknownCheck(id) }
        return context.write(.checkDeregister(node: context.agentNodeName, checkID: id)) { _ in .emptyOK }
    }

    /// `pass`, `warn`, `fail`: `?note=` becomes the output.
    static func ttl(_ context: ConsulContext, _ status: HealthStatus) throws -> Reply {
        let id = try context.parameter("id", missing: "Missing check ID")
        return try setStatus(context, id: id, status: status, output: context.request.queryValue("note") ?? "")
    }

    /// `{"Status": ..., "Output": ...}`; a status that is not passing, warning or critical
    /// (including none) is `Invalid check status: '<s>'`.
    static func update(_ context: ConsulContext) throws -> Reply {
        let fields = try BodyFields(try context.bodyJSON(), path: "checkUpdate", goType: "agent.checkUpdate")
        let statusText = try fields.string("Status") ?? ""
        let output = try fields.string("Output") ?? ""
        let status = try BodyFields.validated { () throws(ValidationError) in try HealthStatus.parse(statusText, from: .checkUpdate) }
        let id = try context.parameter("id", missing: "Missing check ID")
        return try setStatus(context, id: id, status: status, output: output)
    }

    private static func setStatus(_ context: ConsulContext, id: String, status: HealthStatus, output: String) throws -> Reply {
        guard !AgentLocal.isServerCheck(id) else { throw AgentLocal.unknownCheck(id) }
        let update = CheckUpdate(node: try ttlNode(context, checkID: id), checkID: id, status: status, output: output)
        return context.write(.checkUpdate(update)) { _ in .emptyOK }
    }

    /// The node a TTL update is for: this agent's, unless only a node this server took over
    /// (its own server is unreachable) has the check, so an instance whose agent died keeps
    /// its TTL check alive through the server that runs its checks now.
    private static func ttlNode(_ context: ConsulContext, checkID: String) throws -> String {
        let own = context.agentNodeName
        guard !context.node.takenOverNodes.isEmpty, try context.store.check(CheckRef(node: own, checkID: checkID)) == nil else { return own }
        for node in context.node.takenOverNodes where try context.store.check(CheckRef(node: node, checkID: checkID)) != nil {
            return node
        }
        return own
    }
}
