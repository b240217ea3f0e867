import HTTP
import Registry

/// `PUT /v1/agent/maintenance` and `PUT /v1/agent/service/maintenance/:id` (consul-api.md §1.10):
/// maintenance mode is a critical check with a reserved ID, which makes the aggregate
/// `maintenance` and takes the node or instance out of `?passing` and DNS. Enabling twice or
/// disabling when off changes nothing, as in Consul.
enum AgentMaintenanceEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("PUT", "/v1/agent/maintenance", node)
        router.add("PUT", "/v1/agent/service/maintenance/*id", service)
    }

    static let nodeCheckName = "Node Maintenance Mode"
    static let serviceCheckName = "Service Maintenance Mode"
    static let defaultNodeReason = "Maintenance mode is enabled for this node, but no reason was provided. This is a default message."
    static let defaultServiceReason = "Maintenance mode is enabled for this service, but no reason was provided. This is a default message."

    /// Node maintenance: the node-level check `_node_maintenance`.
    static func node(_ context: ConsulContext) throws -> Reply {
        let enable = try enableFlag(context)
        let check = maintenanceCheck(node: context.agentNodeName, checkID: Check.nodeMaintenanceCheckID, name: nodeCheckName,
                                     reason: context.request.queryValue("reason") ?? "", defaultReason: defaultNodeReason)
        return try toggle(context, enable: enable, check: check)
    }

    /// Service maintenance: `_service_maintenance:<id>` on the instance; an unknown instance is
    /// a 404 in Consul's words, whether enabling or disabling.
    static func service(_ context: ConsulContext) throws -> Reply {
        let id = try context.parameter("id", missing: "Missing service ID")
        let enable = try enableFlag(context)
        let services = AgentLocal.services(try context.store.agentServices(onNode: context.agentNodeName).value)
        guard let service = services.first(where: { $0.value.id == id })?.value else {
            throw APIError.notFound("No service registered with ID \(BodyFields.goQuoted(id))")
        }
        var check = maintenanceCheck(node: context.agentNodeName, checkID: Check.serviceMaintenanceCheckIDPrefix + id, name: serviceCheckName,
                                     reason: context.request.queryValue("reason") ?? "", defaultReason: defaultServiceReason)
        check.serviceID = service.id
        check.serviceName = service.name
        check.serviceTags = service.tags
        return try toggle(context, enable: enable, check: check)
    }

    /// Registers `check` when enabling and it is absent, removes it when disabling and it is
    /// there; otherwise answers at once without a write.
    private static func toggle(_ context: ConsulContext, enable: Bool, check: Check) throws -> Reply {
        let exists = try context.store.agentChecks(onNode: check.node).value.contains { $0.value.checkID == check.checkID }
        if enable == exists { return .response(.emptyOK) }
        let command: Command = enable ? .checkRegister(check) : .checkDeregister(node: check.node, checkID: check.checkID)
        return context.write(command) { _ in .emptyOK }
    }

    /// `enable` is required and parsed as Go's `strconv.ParseBool` (consul-api.md §1.4).
    static func enableFlag(_ context: ConsulContext) throws(APIError) -> Bool {
        guard let raw = context.request.queryValue("enable") else { throw .badRequest("Missing value for enable") }
        guard let enable = ConsulContext.parseGoBool(raw) else {
            throw .badRequest("Invalid value for enable: \(BodyFields.goQuoted(raw))")
        }
        return enable
    }

    /// A critical check that probes nothing; its notes are the reason.
    private static func maintenanceCheck(node: String, checkID: String, name: String, reason: String, defaultReason: String) -> Check {
        let check = Check(node: node, checkID: checkID, name: name, status: .critical, notes: reason.isEmpty ? defaultReason : reason)
        assert(check.isMaintenance, "maintenance checks carry the reserved IDs")
        return check
    }
}
