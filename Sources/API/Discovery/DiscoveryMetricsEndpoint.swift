import HTTP
import Registry
import Store

/// `/metrics` (Prometheus text format 0.0.4) and `/api/v1/metrics/services|instances` (the
/// seed's `ServiceMetrics`, and per instance).
///
/// Definitions (the seed names the fields, not what they measure):
/// - `total_requests`: discovery picks (`/instance`) for the service that this node answered,
///   including those that found no healthy instance; `error_rate` is the share of those.
/// - `average_response_time_ms`: mean duration of the service's health-check probes run by this
///   node, which is what the registry sees of the service's response time (0 before any).
/// - `active_service_instances`: registered instances that are not critical (in the pool).
enum DiscoveryMetricsEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
        router.add("GET", "/metrics", prometheus)
        router.add("GET", "/api/v1/metrics/services", services)
        router.add("GET", "/api/v1/metrics/instances", instances)
    }

    /// Every service's instances, by name.
    private static func catalog(_ context: DiscoveryContext) throws -> [(String, [DiscoveryInstance])] {
        try context.store.services().value.map { ($0.name, try context.store.discoveryInstances(named: $0.name).value) }
    }

    static func services(_ context: DiscoveryContext) throws -> Reply {
        let stats = context.environment.stats
        let items: [JSON] = try catalog(context).map { name, instances in
            let served = stats.discoveries[name]?.values.reduce(0, +) ?? 0
            let failed = stats.failures[name] ?? 0
            let total = served + failed
            return .object([
                ("service_name", .string(name)),
                ("total_instances", .int(Int64(instances.count))),
                ("healthy_instances", .int(Int64(instances.filter(DiscoveryJSON.isHealthy).count))),
                ("total_requests", .uint(total)),
                ("average_response_time_ms", .double(stats.probeDurations[name].map { $0.count == 0 ? 0 : $0.sumSeconds * 1000 / Double($0.count) } ?? 0)),
                ("error_rate", .double(total == 0 ? 0 : Double(failed) / Double(total))),
            ])
        }
        return .response(context.envelope(.array(items), "\(items.count) services"))
    }

    static func instances(_ context: DiscoveryContext) throws -> Reply {
        let stats = context.environment.stats
        var items: [JSON] = []
        for (name, instances) in try catalog(context) {
            let leases = try context.store.activeLeases(serviceName: name, now: context.environment.wallMilliseconds)
            for instance in instances {
                let node = instance.entry.node.value.name
                let id = instance.entry.service.value.id
                items.append(.object([
                    ("service_id", .string(id)),
                    ("service_name", .string(name)),
                    ("node", .string(node)),
                    ("status", .string(DiscoveryJSON.status(instance))),
                    ("picks", .uint(stats.picks(node: node, serviceID: id))),
                    ("active_leases", .uint(leases[node + "\u{0}" + id] ?? 0)),
                    ("last_health_check", DiscoveryJSON.time(instance.lastCheckMilliseconds)),
                ]))
            }
        }
        return .response(context.envelope(.array(items), "\(items.count) instances"))
    }

    static func prometheus(_ context: DiscoveryContext) throws -> Reply {
        let stats = context.environment.stats
        var text = PrometheusText()
        text.family("service_registrations_total", "counter", "Service instance registrations applied, through either API.")
        for name in stats.registrations.keys.sorted(by: byBytes) {
            text.sample("service_registrations_total", [("service_name", name)], Double(stats.registrations[name] ?? 0))
        }
        text.family("service_discoveries_total", "counter", "Instance picks this node served, by service and strategy.")
        for name in stats.discoveries.keys.sorted(by: byBytes) {
            let strategies = stats.discoveries[name] ?? [:]
            for strategy in strategies.keys.sorted(by: byBytes) {
                text.sample("service_discoveries_total", [("service_name", name), ("strategy", strategy)], Double(strategies[strategy] ?? 0))
            }
        }
        text.family("service_discovery_failures_total", "counter", "Instance picks that found no healthy instance.")
        for name in stats.failures.keys.sorted(by: byBytes) {
            text.sample("service_discovery_failures_total", [("service_name", name)], Double(stats.failures[name] ?? 0))
        }
        text.family("health_check_duration_seconds", "histogram", "Duration of health-check probes run by this node, by service.")
        for name in stats.probeDurations.keys.sorted(by: byBytes) {
            guard let histogram = stats.probeDurations[name] else { continue }
            for (bound, count) in zip(DiscoveryStats.Histogram.bounds, histogram.buckets) {
                text.sample("health_check_duration_seconds_bucket", [("service_name", name), ("le", String(bound))], Double(count))
            }
            text.sample("health_check_duration_seconds_bucket", [("service_name", name), ("le", "+Inf")], Double(histogram.count))
            text.sample("health_check_duration_seconds_sum", [("service_name", name)], histogram.sumSeconds)
            text.sample("health_check_duration_seconds_count", [("service_name", name)], Double(histogram.count))
        }
        let catalog = try catalog(context)
        text.family("active_service_instances", "gauge", "Registered instances that are not critical, by service.")
        for (name, instances) in catalog {
            text.sample("active_service_instances", [("service_name", name)], Double(instances.filter(DiscoveryJSON.isHealthy).count))
        }
        text.family("service_instances", "gauge", "Registered instances by service and status.")
        for (name, instances) in catalog {
            for status in ["passing", "warning", "critical"] {
                let count = instances.filter { DiscoveryJSON.status($0) == status }.count
                text.sample("service_instances", [("service_name", name), ("status", status)], Double(count))
            }
        }
        text.family("gravity_raft_applied_index", "gauge", "The last log index applied to the state machine on this node.")
        text.sample("gravity_raft_applied_index", [], Double(context.store.appliedIndex))
        var response = HTTPResponse(status: .ok, body: Array(text.output.utf8))
        response.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        return .response(response)
    }

    private static func byBytes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
}

/// Prometheus text exposition (format 0.0.4): `# HELP` and `# TYPE` per family, then samples
/// with escaped label values.
struct PrometheusText {
    private(set) var output = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        output += name
        if !labels.isEmpty {
            output += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        output += " " + (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) + "\n"
    }

    /// Backslash, double quote and line feed are the characters a label value escapes.
    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
