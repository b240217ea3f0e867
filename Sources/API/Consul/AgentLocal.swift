import Registry

/// What the agent endpoints treat as this agent's own registrations, and their refusals.
///
/// Gravity keeps no agent-local state apart from the catalog: an agent's services and checks are
/// the catalog entries on its node. Two of those are the server's own (consul-api.md §1.10) and
/// are not in Consul's agent-local state: the `consul` service and `serfHealth`. The agent
/// endpoints do not list them and treat them as unknown, so no client can deregister the server
/// or flip its liveness.
enum AgentLocal {
    /// The service every Consul server carries.
    static let serverServiceID = "consul"

    static func isServerService(_ id: String) -> Bool { id == serverServiceID }
    static func isServerCheck(_ id: String) -> Bool { id == Check.serfHealthCheckID }

    /// Consul's 404 for an unknown agent service on update or deregister (consul-api.md §1.2).
    static func unknownService(_ id: String) -> APIError {
        .notFound("Unknown service ID \(BodyFields.goQuoted(id)). Ensure that the service ID is passed, not the service name.")
    }

    /// Consul's 404 for an unknown agent check.
    static func unknownCheck(_ id: String) -> APIError {
        .notFound("Unknown check ID \(BodyFields.goQuoted(id)). Ensure that the check ID is passed, not the check name.")
    }

    /// The agent's services, without the server's own.
    static func services(_ services: [Indexed<Service>]) -> [Indexed<Service>] {
        services.filter { !isServerService($0.value.id) }
    }

    /// The agent's checks, without the server's own.
    static func checks(_ checks: [Indexed<Check>]) -> [Indexed<Check>] {
        checks.filter { !isServerCheck($0.value.checkID) }
    }

    /// Script checks (`Args`) through the HTTP API run whatever a caller sends on this host, so
    /// Consul refuses them unless `enable_script_checks` is set (`ScriptCheckPolicy`), with its
    /// text, as a 400 rather than Consul's 500 (a plain error in its handler): the request is
    /// what is wrong, and nothing is written.
    static func refuseScripts(_ checks: [Check], policy: ScriptCheckPolicy) throws(APIError) {
        if let refusal = policy.refusal(for: checks, from: .httpAPI) { throw .badRequest(refusal) }
    }
}
