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

    /// Probes the instance's checks now (its own and its node's) and answers with each run's
    /// `HealthCheckResult` (one object for one check, else a list). The results also count as
    /// scheduled runs: they go through the damping and may change the stored status. Checks
    /// that are not probed (TTL: their service reports them; the node's liveness) answer with
    /// their recorded state.
    static func checkNow(_ context: DiscoveryContext) throws -> Reply {
        let instance = try context.instance(withServiceID: try context.parameter("id"))
        let serviceID = instance.entry.service.value.id
        // The instance's own checks and its node's: all of them decide its health.
        let own = instance.entry.checks.map(\.value)
        guard !own.isEmpty else {
            throw DiscoveryError.notFound("service instance \(serviceID) has no health checks")
        }
        let now = context.environment.wallMilliseconds
        return .probe(checks: own.map { ProbeTarget(node: $0.node, checkID: $0.checkID) }) { results in
            let items: [JSON] = zip(own, results).map { check, result in
                guard let result else { return DiscoveryJSON.checkResult(check, serviceID: serviceID, at: instance.checkMilliseconds[check.checkID]) }
                var probed = check
                probed.status = result.status
                probed.output = result.output
                return DiscoveryJSON.checkResult(probed, serviceID: serviceID, at: now, durationMilliseconds: result.durationMilliseconds)
            }
            return context.envelope(items.count == 1 ? items[0] : .array(items), "check results")
        }
    }

    private static func results(_ instance: DiscoveryInstance) -> [JSON] {
        instance.entry.checks.map {
            DiscoveryJSON.checkResult($0.value, serviceID: instance.entry.service.value.id, at: instance.checkMilliseconds[$0.value.checkID])
        }
    }
}
