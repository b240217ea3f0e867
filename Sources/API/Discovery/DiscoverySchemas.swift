import Registry

/// The `components.schemas` of the 8761 OpenAPI document: the seed design's data models as this
/// server writes them (DiscoveryJSON.swift, the endpoints, DiscoveryError.swift) and reads them
/// (RegistrationDecoder.swift, DiscoveryConfigEndpoint.put). Answers are closed objects with
/// every member required, since the server always writes every member (null where the model is
/// optional); request bodies are open, since the server ignores keys it does not know.
enum DiscoverySchemas {
    typealias S = JSONSchema

    static let statusValues = ["passing", "warning", "critical"]
    static let strategyValues = ["round_robin", "least_connections", "weighted", "geographic"]
    static let checkTypeValues = ["http", "tcp", "ttl", "grpc", "script"]
    // Go durations as `GoDuration.parseNanoseconds` reads them: numbers with units, "10s",
    // "1m30s", "1.5h", or a bare "0". Negative durations are refused everywhere here.
    private static let unit = "(ns|us|µs|μs|ms|s|m|h)"
    private static let number = #"([0-9]+(\.[0-9]*)?|\.[0-9]+)"#
    private static let zero = #"(0+(\.0*)?|\.0+)"#
    private static let nonzero = #"([0-9]*[1-9][0-9]*(\.[0-9]*)?|[0-9]+\.[0-9]*[1-9][0-9]*|\.[0-9]*[1-9][0-9]*)"#
    /// A duration of zero or more.
    static let durationPattern = #"^\+?(0|("# + number + unit + ")+)$"
    /// A duration above zero: some component has a digit other than 0 (a TTL, a lease).
    static let positiveDurationPattern = #"^\+?("# + zero + unit + ")*" + nonzero + unit + "(" + number + unit + ")*$"
    /// `?lease_ttl`: empty (the default), or a positive duration.
    static let leaseTTLPattern = "^$|" + positiveDurationPattern
    /// `?version`: from 1 to the largest SQLite integer.
    static let configVersion = JSONSchema.integer(minimum: 1, maximum: Int64.max)
    /// The error `code`s each status carries (`DiscoveryError.forStatus`, `.invalid`, the
    /// handshake's refusals); `DiscoveryError` may also write `payload_too_large` and `error`.
    static let errorCodes: [(status: Int, codes: [String])] = [
        (400, ["bad_request", "validation_error"]), (404, ["not_found"]), (405, ["method_not_allowed"]),
        (409, ["conflict"]), (426, ["upgrade_required"]), (429, ["too_many_requests"]), (500, ["internal_error"]),
    ]

    /// Every named schema, in the order the document lists them.
    static var all: [(String, JSON)] {
        [
            ("ServiceInstance", instance(leased: false)),
            ("LeasedServiceInstance", instance(leased: true)),
            ("Lease", lease),
            ("LeaseRelease", leaseRelease),
            ("ServiceSummary", summary(withInstances: false)),
            ("ServiceDetails", summary(withInstances: true)),
            ("HealthCheckResult", checkResult),
            ("InstanceHealth", instanceHealth),
            ("ServiceConfiguration", configuration),
            ("ConfigWatchMessage", watchMessage),
            ("ServiceMetrics", serviceMetrics),
            ("InstanceMetrics", instanceMetrics),
            ("ServiceRegistration", registration),
            ("HealthCheckConfig", healthCheckConfig),
            ("ConfigurationUpdate", configurationUpdate),
            ("Liveness", liveness),
            ("Ready", ready),
            ("NotReady", notReady),
            ("ErrorResponse", error(codes: errorCodes.flatMap(\.codes) + ["payload_too_large", "error"])),
        ] + errorCodes.map { ("Error\($0.status)", error(codes: $0.codes)) }
    }

    /// The `ApiResponse` envelope of a success: `{"success": true, "data": ..., "message": ...}`.
    static func envelope(_ data: JSON) -> JSON {
        S.object([("success", .object([("const", true)])), ("data", data), ("message", S.string())])
    }

    static let timestamp = S.string("RFC 3339, UTC, milliseconds: 2026-11-29T19:30:00.123Z", format: "date-time")
    static let lastHealthCheck = S.nullable(S.string("When a check last recorded a result; null before any did", format: "date-time"))
    static let status = S.enumeration(statusValues, "Aggregated over the instance's checks and its node's; maintenance counts as critical")

    static func instance(leased: Bool) -> JSON {
        var properties: [(String, JSON)] = [
            ("service_id", S.string("Unique per node")),
            ("service_name", S.string()),
            ("node", S.string("The catalog node the instance is registered on")),
            ("address", S.string("The instance's address, else its node's (Consul's rule)")),
            ("port", S.integer(minimum: 0, maximum: 65535)),
            ("tags", S.array(S.string())),
            ("metadata", S.map(S.string())),
            ("status", status),
            ("last_health_check", lastHealthCheck),
            ("registered_at", timestamp),
            ("url", S.string("http://address:port, an IPv6 address in brackets")),
        ]
        if leased { properties.append(("lease", S.ref("Lease"))) }
        return S.object(properties, leased ? "A least_connections pick: the instance and its lease" : nil)
    }

    static let lease = S.object([
        ("lease_id", S.string("Release with POST .../release?lease=<lease_id>", format: "uuid")),
        ("expires_at", S.string("When the lease lapses on its own", format: "date-time")),
    ])

    static let leaseRelease = S.object([
        ("lease_id", S.string()), ("service_name", S.string()), ("service_id", S.string()),
    ])

    static func summary(withInstances: Bool) -> JSON {
        var properties: [(String, JSON)] = [
            ("service_name", S.string()),
            ("tags", S.array(S.string(), "Every tag of any instance, sorted")),
            ("total_instances", S.integer(minimum: 0)),
            ("healthy_instances", S.integer("Passing or warning", minimum: 0)),
        ]
        if withInstances { properties.append(("instances", S.array(S.ref("ServiceInstance"), minItems: 1))) }
        return S.object(properties)
    }

    static let checkResult = S.object([
        ("service_id", S.string()),
        ("check_id", S.string("service:<service_id> for a check registered here; serfHealth for the node's")),
        ("name", S.string()),
        ("type", S.string("http, tcp, ttl, grpc, or another Consul check type; empty for the node's serfHealth")),
        ("status", S.enumeration(statusValues)),
        ("output", S.string()),
        ("timestamp", S.string("When the check last recorded a result (1970-01-01T00:00:00.000Z if never)", format: "date-time")),
        ("duration_ms", S.number("The last probe's duration; 0 for checks that are not probed", minimum: 0)),
    ])

    static let instanceHealth = S.object([
        ("service_id", S.string()),
        ("service_name", S.string()),
        ("node", S.string()),
        ("status", status),
        ("receives_traffic", S.boolean("Whether load balancing picks it: not critical")),
        ("last_health_check", lastHealthCheck),
        ("checks", S.array(S.ref("HealthCheckResult"))),
    ])

    static let configuration = S.object([
        ("service_name", S.string()),
        ("version", S.string("The version number as a string, from 1; each PUT adds one", pattern: "^[1-9][0-9]*$")),
        ("config", S.anyObject("The configuration as it was PUT")),
        ("environment", S.string()),
        ("created_at", S.string("When the first version since the last DELETE was stored", format: "date-time")),
        ("updated_at", S.string("When this version was stored", format: "date-time")),
    ])

    static let watchMessage = S.anyOf([
        S.object([("event", S.enumeration(["current", "updated"])), ("data", S.ref("ServiceConfiguration"))]),
        S.object([("event", S.constant("deleted")), ("data", S.object([("service_name", S.string())]))]),
    ], "One WebSocket text message of /api/v1/config/watch/{service_name}")

    static let serviceMetrics = S.object([
        ("service_name", S.string()),
        ("total_instances", S.integer(minimum: 0)),
        ("healthy_instances", S.integer(minimum: 0)),
        ("total_requests", S.integer(minimum: 0)),
        ("average_response_time_ms", S.number(minimum: 0)),
        ("error_rate", S.number(minimum: 0)),
    ])

    static let instanceMetrics = S.object([
        ("service_id", S.string()),
        ("service_name", S.string()),
        ("node", S.string()),
        ("status", S.enumeration(statusValues)),
        ("picks", S.integer("Times load balancing chose it", minimum: 0)),
        ("active_leases", S.integer("Unexpired least_connections leases on it", minimum: 0)),
        ("last_health_check", lastHealthCheck),
    ])

    static let liveness = S.object([
        ("status", S.constant("healthy")), ("node", S.string()), ("datacenter", S.string()), ("version", S.string()),
    ])

    static let ready = S.object([("status", S.constant("ready")), ("leader", S.string("The leader's Raft address, ip:port"))])
    static let notReady = S.object([("status", S.constant("not_ready")), ("reason", S.string())])

    /// The error envelope with `code` one of `codes`.
    static func error(codes: [String]) -> JSON {
        let detail = S.object([("field", S.string("The request field at fault: body, service_name, health_check.url, status, ..."))])
        return S.object([
            ("success", .object([("const", false)])),
            ("error", S.object([
                ("code", S.enumeration(codes)),
                ("message", S.string("For people; says what was wrong and what would be right")),
                ("details", S.nullable(S.described(detail, "Present on validation_error; null otherwise"))),
            ])),
        ])
    }

    static func duration(_ description: String, positive: Bool = false) -> JSON {
        S.nullable(S.string("A Go duration (\"10s\", \"1m30s\", \"1.5h\"); " + description,
                            pattern: positive ? positiveDurationPattern : durationPattern))
    }

    static var registration: JSON {
        S.object([
            ("service_name", S.string("1 to 100 bytes, no '/'", pattern: "^[^/]+$", minLength: 1, maxLength: 100)),
            ("service_id", S.string(#"Unique per node; 1 to 256 bytes, no '/'; "consul" is reserved"#, pattern: "^[^/]+$", minLength: 1, maxLength: 256)),
            ("address", S.string("Hostname or IP address", minLength: 1)),
            ("port", S.integer(minimum: 1, maximum: 65535)),
            ("tags", S.nullable(S.array(S.string()))),
            ("metadata", S.nullable(metadata)),
            ("health_check", S.nullable(S.ref("HealthCheckConfig"))),
            ("enable_tag_override", S.nullable(S.boolean())),
        ], optional: ["tags", "metadata", "health_check", "enable_tag_override"], closed: false,
           "The seed's registration model. Unknown keys are ignored; without health_check the instance has no check of its own")
    }

    /// Consul's Meta rules (`MetaRules`): the server refuses more pairs, other keys, longer values.
    static var metadata: JSON {
        guard case .object(var members) = S.map(S.string(maxLength: RegistryLimits.maxMetaValueBytes)) else { preconditionFailure() }
        members.append(("maxProperties", .int(Int64(RegistryLimits.maxMetaPairs))))
        members.append(("propertyNames", .object([("pattern", .string("^[a-zA-Z0-9_-]{1,\(RegistryLimits.maxMetaKeyBytes)}$"))])))
        return S.described(.object(members), "Consul's Meta rules: keys of ASCII letters, digits, '-' and '_' not starting with consul-; values up to 512 bytes")
    }

    static var healthCheckConfig: JSON {
        S.object([
            ("type", S.enumeration(checkTypeValues, "script is refused: script checks are disabled on this agent")),
            ("url", S.nullable(S.string("http: an http:// or https:// URL; tcp: host:port (tcp:// allowed); grpc: host:port[/service] (grpc:// allowed); unused by ttl"))),
            ("interval", duration("default 10s; a ttl check without ttl lapses after it")),
            ("timeout", duration("default 5s")),
            ("deregister_critical_service_after", duration("default 30s")),
            ("ttl", duration("ttl checks only, above zero; default: interval", positive: true)),
        ], optional: ["url", "interval", "timeout", "deregister_critical_service_after", "ttl"], closed: false,
           "Becomes a Consul check with ID service:<service_id> that starts passing")
    }

    static var configurationUpdate: JSON {
        let wrapped = S.object([
            ("config", S.anyObject()),
            ("environment", S.string("At most 128 bytes; default production", maxLength: 128)),
        ], optional: ["environment"])
        return S.anyOf([wrapped, S.anyObject()],
                       #"Either {"config": {...}, "environment": "..."} (those keys only), or the configuration object itself (environment production). The stored configuration is at most 512 KiB"#)
    }
}
