import HTTP
import Registry
import Store

/// `/api/v1/health/{service_id}...`: an instance's health as the seed design shows it.
enum DiscoveryHealthEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
        router.add("GET", "/api/v1/health/:id", health)
        router.add("GET", "/api/v1/health/:id/checks", checks)
        router.add("POST", "/api/v1/health/:id/check", checkNow)
    }

    /// The instance's aggregated status, with its checks.
    static func health(_ context: DiscoveryContext) throws -> Reply {
        let instance = try context.instance(withServiceID: try context.parameter("id"))
        let status = DiscoveryJSON.status(instance)
        let data = JSON.object([
            ("service_id", .string(instance.entry.service.value.id)),
            ("service_name", .string(instance.entry.service.value.name)),
            ("node", .string(instance.entry.node.value.name)),
            ("status", .string(status)),
            ("receives_traffic", .bool(status != "critical")),
            ("last_health_check", DiscoveryJSON.time(instance.lastCheckMilliseconds)),
            ("checks", .array(results(instance))),
        ])
        return .response(context.envelope(data, "instance is \(status)"))
    }

    /// Every check that decides the instance's health (its own and its node's), as `HealthCheckResult`s.
    static func checks(_ context: DiscoveryContext) throws -> Reply {
        let instance = try context.instance(withServiceID: try context.parameter("id"))
        let items = results(instance)
        return .response(context.envelope(.array(items), "\(items.count) checks"))
    }

    /// The current result of each check. Probes (HTTP, TCP, gRPC) run in the health-checking
    /// work (issue 5); until then this reports what the checks last recorded, which for TTL
    /// checks is exactly their state.
    static func checkNow(_ context: DiscoveryContext) throws -> Reply {
        let instance = try context.instance(withServiceID: try context.parameter("id"))
        let items = results(instance)
        guard let first = items.first else {
            throw DiscoveryError.notFound("service instance \(instance.entry.service.value.id) has no health checks")
        }
        return .response(context.envelope(items.count == 1 ? first : .array(items), "check results"))
    }

    private static func results(_ instance: DiscoveryInstance) -> [JSON] {
        instance.entry.checks.map {
            DiscoveryJSON.checkResult($0.value, serviceID: instance.entry.service.value.id, at: instance.checkMilliseconds[$0.value.checkID])
        }
    }
}
