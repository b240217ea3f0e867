import HTTP
import Registry
import Store

/// `GET /v1/agent/health/service/id/:id` and `.../name/:name` (consul-api.md §2.1): the
/// aggregated health of this agent's instances, carried by the HTTP status as well (200
/// passing, 429 warning, 503 critical or maintenance, 404 unknown) so that load balancers can
/// probe it. `?format=text` or `Accept: text/plain` answers with the status word alone.
enum AgentHealthEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/agent/health/service/id/*id", byID)
        router.add("GET", "/v1/agent/health/service/name/*name", byName)
    }

    /// One instance's health, or 404 `ServiceId <id> not found` (JSON: critical, no service).
    static func byID(_ context: ConsulContext) throws -> Reply {
        let id = try context.parameter("id", missing: "Missing serviceID")
        let (index, services, checks) = try agentState(context)
        return context.read(index: index, watch: [.node(context.agentNodeName)]) {
            guard let service = services.first(where: { $0.value.id == id }) else {
                let reason = "ServiceId \(id) not found"
                if wantsText(context) { return .text(.notFound, reason) }
                return body(context, .notFound, .object([("AggregatedStatus", "critical"), ("Service", .null), ("Checks", .null)]))
            }
            let (status, info) = entry(service.value, checks: checks, context: context)
            return wantsText(context) ? .text(httpStatus(status), status.rawValue) : body(context, httpStatus(status), info)
        }
    }

    /// Every instance of the name on this agent, with the worst status; 404
    /// `ServiceName <name> Not Found` (JSON: `[]`) when there is none.
    static func byName(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("name", missing: "Missing service Name")
        let (index, services, checks) = try agentState(context)
        return context.read(index: index, watch: [.node(context.agentNodeName)]) {
            var items: [JSON] = []
            var worst: (code: HTTPStatus, text: String) = (.notFound, "ServiceName \(name) Not Found")
            for service in services where service.value.name == name {
                let (status, info) = entry(service.value, checks: checks, context: context)
                items.append(info)
                let code = httpStatus(status)
                if worst.code == .notFound || worst.code.code < code.code { worst = (code, status.rawValue) }
            }
            return wantsText(context) ? .text(worst.code, worst.text) : body(context, worst.code, .array(items))
        }
    }

    private static func agentState(_ context: ConsulContext) throws -> (UInt64, [Indexed<Service>], [Indexed<Check>]) {
        let services = try context.store.agentServices(onNode: context.agentNodeName)
        let checks = try context.store.agentChecks(onNode: context.agentNodeName)
        return (max(services.index, checks.index), AgentLocal.services(services.value), AgentLocal.checks(checks.value))
    }

    /// `{"AggregatedStatus","Service","Checks"}`: the instance's checks and the node-level ones,
    /// as Consul's `ChecksForService(id, includeNodeChecks: true)`.
    private static func entry(_ service: Service, checks: [Indexed<Check>], context: ConsulContext) -> (AggregatedStatus, JSON) {
        let own = checks.filter { $0.value.serviceID == service.id || $0.value.serviceID.isEmpty }
        let status = HealthStatus.aggregate(own.map(\.value))
        return (status, .object([
            ("AggregatedStatus", .string(status.rawValue)),
            ("Service", CatalogJSON.agentService(service, datacenter: context.datacenter)),
            ("Checks", .array(own.map { CatalogJSON.healthCheck($0, agentView: true) })),
        ]))
    }

    static func httpStatus(_ status: AggregatedStatus) -> HTTPStatus {
        switch status {
        case .passing: .ok
        case .warning: .tooManyRequests
        case .critical, .maintenance: .serviceUnavailable
        }
    }

    /// Consul's `returnTextPlain`: an `Accept: text/plain...` header, else `?format=text`.
    private static func wantsText(_ context: ConsulContext) -> Bool {
        if let accept = context.request.headers["Accept"], accept.hasPrefix("text/plain") { return true }
        return context.request.queryValue("format") == "text"
    }

    private static func body(_ context: ConsulContext, _ status: HTTPStatus, _ value: JSON) -> HTTPResponse {
        .json(status, value.encoded(pretty: context.options.pretty))
    }
}
