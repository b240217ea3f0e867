import Registry
import Store

/// The seed design's data models as JSON (its "Data Models" section): `ServiceInstance`,
/// `HealthCheckResult`, `ServiceConfiguration`, and the `ApiResponse` envelope.
enum DiscoveryJSON {
    /// `{"success": true, "data": ..., "message": ...}`.
    static func envelope(_ data: JSON, _ message: String) -> JSON {
        .object([("success", true), ("data", data), ("message", .string(message))])
    }

    /// The instance's status as the seed names it: maintenance counts as critical (out of the pool).
    static func status(_ instance: DiscoveryInstance) -> String {
        switch HealthStatus.aggregate(instance.entry.checks.map(\.value)) {
        case .passing: "passing"
        case .warning: "warning"
        case .critical, .maintenance: "critical"
        }
    }

    /// Whether the instance is in the load-balancing pool: passing or warning (the seed's
    /// "still receives traffic"), never critical or in maintenance.
    static func isHealthy(_ instance: DiscoveryInstance) -> Bool {
        status(instance) != "critical"
    }

    /// The address clients should use: the instance's own, else its node's (Consul's rule).
    static func address(_ instance: DiscoveryInstance) -> String {
        let own = instance.entry.service.value.address
        return own.isEmpty ? instance.entry.node.value.address : own
    }

    static func time(_ milliseconds: UInt64?) -> JSON {
        guard let milliseconds, milliseconds > 0 else { return .null }
        return .string(Timestamp.iso8601(milliseconds: milliseconds))
    }

    /// `ServiceInstance`, plus `node` and `url` (the seed's computed property).
    static func instance(_ instance: DiscoveryInstance) -> JSON {
        let service = instance.entry.service.value
        let address = address(instance)
        let host = address.contains(":") ? "[\(address)]" : address
        return .object([
            ("service_id", .string(service.id)),
            ("service_name", .string(service.name)),
            ("node", .string(instance.entry.node.value.name)),
            ("address", .string(address)),
            ("port", .int(Int64(service.port))),
            ("tags", CatalogJSON.strings(service.tags)),
            ("metadata", CatalogJSON.stringMap(service.meta)),
            ("status", .string(status(instance))),
            ("last_health_check", time(instance.lastCheckMilliseconds)),
            ("registered_at", .string(Timestamp.iso8601(milliseconds: instance.registeredMilliseconds))),
            ("url", .string("http://\(host):\(service.port)")),
        ])
    }

    /// `HealthCheckResult` for one check of an instance. `duration_ms` is the last probe's
    /// duration; checks that are not probed (TTL) report 0.
    static func checkResult(_ check: Check, serviceID: String, at milliseconds: UInt64?, durationMilliseconds: UInt64 = 0) -> JSON {
        .object([
            ("service_id", .string(serviceID)),
            ("check_id", .string(check.checkID)),
            ("name", .string(check.name)),
            ("type", .string(check.type)),
            ("status", .string(check.status.rawValue)),
            ("output", .string(check.output)),
            ("timestamp", .string(Timestamp.iso8601(milliseconds: milliseconds ?? 0))),
            ("duration_ms", .double(Double(durationMilliseconds))),
        ])
    }

    /// `ServiceConfiguration`; `version` is the number as a string, as the seed's model types it.
    static func config(_ stored: StoredConfig, _ config: JSON) -> JSON {
        .object([
            ("service_name", .string(stored.serviceName)),
            ("version", .string(String(stored.version))),
            ("config", config),
            ("environment", .string(stored.environment)),
            ("created_at", .string(Timestamp.iso8601(milliseconds: stored.createdMilliseconds))),
            ("updated_at", .string(Timestamp.iso8601(milliseconds: stored.updatedMilliseconds))),
        ])
    }
}
