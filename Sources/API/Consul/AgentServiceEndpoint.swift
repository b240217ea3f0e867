import HTTP
import Registry
import Store

/// `/v1/agent/services`, `/v1/agent/service/...` (consul-api.md §2.1): this agent's service
/// instances. Writes go through the log and are in the catalog when they answer, which is
/// Consul's synchronous partial sync (§1.11).
enum AgentServiceEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/agent/services", services)
        router.add("PUT", "/v1/agent/service/register", registerService)
        router.add("PUT", "/v1/agent/service/deregister/*id", deregisterService)
        // Service IDs may hold '/', so the ID is the rest of the path, as Consul's TrimPrefix.
        router.add("GET", "/v1/agent/service/*id", service)
    }

    /// Map of service ID to AgentService; blocks on this node.
    static func services(_ context: ConsulContext) throws -> Reply {
        let answer = try context.store.agentServices(onNode: context.agentNodeName)
        return try context.readJSON(index: answer.index, watch: [.node(context.agentNodeName)]) {
            let items = AgentLocal.services(answer.value).map { CatalogJSON.agentService($0.value, datacenter: context.datacenter) }
            return CatalogJSON.keyed(try context.applyFilter(items), by: "ID")
        }
    }

    /// One AgentService with its `ContentHash` (also in `X-Consul-ContentHash`); `?hash=` with
    /// the current hash blocks until the service changes or `wait` ends (Consul's hash-based
    /// blocking, consul-api.md §1.5).
    static func service(_ context: ConsulContext) throws -> Reply {
        let id = try context.parameter("id", missing: "Missing service ID")
        let answer = try context.store.agentServices(onNode: context.agentNodeName)
        guard let service = AgentLocal.services(answer.value).first(where: { $0.value.id == id }) else {
            throw APIError.notFound("unknown service ID: \(id)")
        }
        let body = CatalogJSON.agentService(service.value, datacenter: context.datacenter)
        let hash = contentHash(body)
        let watch: [WatchKey] = [.node(context.agentNodeName)]
        if let wanted = context.request.queryValue("hash"), wanted == hash, !context.environment.finalAttempt {
            return .wait(watch: watch, waitMilliseconds: try hashWaitMilliseconds(context))
        }
        return context.read(index: answer.index, watch: watch) {
            guard case .object(var members) = body else { preconditionFailure("an AgentService is an object") }
            members.append(("ContentHash", .string(hash)))
            var response = context.json(.object(members))
            response.headers.add("X-Consul-ContentHash", hash)
            return response
        }
    }

    /// A hash of the response without its `ContentHash` (64-bit FNV-1a of the compact bytes,
    /// lowercase hex as Consul prints its hash): equal services give equal hashes on every node
    /// and run, since the bytes never depend on dictionary order.
    static func contentHash(_ body: JSON) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body.encoded() {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// `?wait` for a hash-blocking query, read by the same rules as an index-blocking one
    /// (default, cap, Consul's text for junk): `BlockingOptions` reads it once an index is given.
    private static func hashWaitMilliseconds(_ context: ConsulContext) throws(APIError) -> UInt64 {
        var probe = context.request
        probe.query = [HTTPQueryItem(name: "index", value: "1")] + probe.query.filter { $0.name == "wait" }
        guard let options = try BlockingOptions(probe) else { preconditionFailure("index=1 always blocks") }
        return options.waitMilliseconds
    }

    /// A ServiceDefinition body; 200 with an empty body once applied.
    /// `replace-existing-checks` counts when empty or `true`, as in Consul.
    static func registerService(_ context: ConsulContext) throws -> Reply {
        let body = try context.bodyJSON()
        let replace = context.request.hasQuery("replace-existing-checks")
            && ["", "true"].contains(context.request.queryValue("replace-existing-checks") ?? "")
        let registration = try ServiceDefinitionDecoder.registration(body, node: context.agentNodeName, replaceExistingChecks: replace)
        guard !AgentLocal.isServerService(registration.service.id) else {
            throw APIError.badRequest("Invalid service ID \"\(AgentLocal.serverServiceID)\": reserved for the server's own registration")
        }
        try AgentLocal.refuseScripts(registration.checks, policy: context.node.scriptChecks)
        return context.write(.serviceRegister(registration)) { _ in .emptyOK }
    }

    /// Removes the instance and its checks; unknown IDs are apply's 404.
    static func deregisterService(_ context: ConsulContext) throws -> Reply {
        let id = try context.parameter("id", missing: "Missing service ID")
        guard !AgentLocal.isServerService(id) else { throw AgentLocal.unknownService(id) }
        return context.write(.serviceDeregister(node: context.agentNodeName, serviceID: id)) { _ in .emptyOK }
    }
}
