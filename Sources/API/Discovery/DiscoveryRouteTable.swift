/// Every route of the 8761 API, described once (`DocumentedRoute`). Each description is written
/// from its handler: a status is listed when the handler, the node or the state machine can
/// answer it for that route, and only then. `OpenAPIDocumentTests` checks that these are exactly
/// the routes `DiscoveryAPI` serves.
enum DiscoveryRouteTable {
    typealias S = JSONSchema
    typealias P = DocumentedParameter
    typealias R = DocumentedResponse

    static let all: [DocumentedRoute] = probes + registration + discovery + health + configuration + metrics + documentation

    static let base = "http://localhost:8761"

    // Answers many routes share.
    static let storageFailure = R.error(500, "The store could not be read or written")
    static let busy = R.error(429, "Too many writes are waiting for the disk; retry later")

    // Path parameters.
    static let serviceName = P.path("service_name", "The service's name", S.string(minLength: 1))
    static let configName = P.path("service_name", "The service's name: 1 to 100 bytes, no '/' (else 400)",
                                   S.string(pattern: "^[^/]+$", minLength: 1, maxLength: 100))
    static let serviceID = P.path("service_id", "The instance's service_id (this node's first, else another node's)", S.string(minLength: 1))

    static let probes: [DocumentedRoute] = [
        DocumentedRoute("GET", "/health", .probes, "liveness",
            summary: "Liveness: the process answers",
            details: "Always 200 while the process runs; never tied to Raft, so an orchestrator does not restart a node that is only waiting for a leader.",
            responses: [R(200, "The process is alive", content: ("application/json", S.ref("Liveness")))],
            example: "curl -s \(base)/health"),
        DocumentedRoute("GET", "/health/ready", .probes, "readiness",
            summary: "Readiness: a leader is known and this node has caught up",
            responses: [
                R(200, "Ready to serve", content: ("application/json", S.ref("Ready"))),
                R(503, "Not ready: no known leader, or catching up with it", content: ("application/json", S.ref("NotReady"))),
            ],
            example: "curl -s \(base)/health/ready"),
    ]

    static let registration: [DocumentedRoute] = [
        DocumentedRoute("POST", "/api/v1/register", .registration, "registerInstance",
            summary: "Register (or replace) a service instance on this agent's node",
            details: "The instance is a catalog entry on this agent's node, the same one the Consul API (port 8500) shows. Registering a service_id again replaces the instance and its check and keeps registered_at. A health_check becomes the check service:<service_id>, which starts passing.",
            parameters: [P.pretty],
            body: DocumentedBody(description: "A ServiceRegistration", schema: S.ref("ServiceRegistration"), example: registrationExample),
            responses: [
                .envelope(201, "Registered; the instance as stored", data: S.ref("ServiceInstance")),
                .error(400, "The body is not JSON, or a field is missing, of the wrong type or out of range (details.field names it)"),
                busy, storageFailure,
            ],
            example: "curl -s -X POST \(base)/api/v1/register -d '\(String(decoding: registrationExample.encoded(), as: UTF8.self))'"),
        DocumentedRoute("DELETE", "/api/v1/deregister/{service_id}", .registration, "deregisterInstance",
            summary: "Deregister a service instance and its checks",
            details: "This node's instance with that service_id goes first; else the one other node that holds it. The server's own consul instance cannot be removed.",
            parameters: [serviceID],
            responses: [
                .empty(204, "Deregistered"),
                .error(404, "No instance has that service_id"),
                .error(409, "Several other nodes hold that service_id; remove it through the Consul catalog API, which names the node"),
                busy, storageFailure,
            ],
            example: "curl -s -X DELETE \(base)/api/v1/deregister/web-1"),
    ]

    static let registrationExample = JSON.object([
        ("service_name", "web"), ("service_id", "web-1"), ("address", "10.0.0.1"), ("port", 8080),
        ("tags", .array(["v1"])), ("metadata", .object([("region", "eu"), ("weight", "100")])),
        ("health_check", .object([("type", "ttl"), ("interval", "30s")])),
    ])

    static let discovery: [DocumentedRoute] = [
        DocumentedRoute("GET", "/api/v1/services", .discovery, "listServices",
            summary: "Every service, with its tags and instance counts, by name",
            parameters: [P.pretty],
            responses: [.envelope(200, "The services", data: S.array(S.ref("ServiceSummary"))), storageFailure],
            example: "curl -s \(base)/api/v1/services"),
        DocumentedRoute("GET", "/api/v1/services/{service_name}", .discovery, "getService",
            summary: "One service: its summary and every instance",
            parameters: [serviceName, P.pretty],
            responses: [
                .envelope(200, "The service", data: S.ref("ServiceDetails")),
                .error(404, "The service has no instances"),
                storageFailure,
            ],
            example: "curl -s \(base)/api/v1/services/web"),
        DocumentedRoute("GET", "/api/v1/services/{service_name}/instances", .discovery, "listInstances",
            summary: "The service's instances, filtered by tags, status and metadata",
            details: "Every filter given must hold. An unknown service gives an empty list, as Consul's health endpoint does.",
            parameters: instanceFilters,
            responses: [
                .envelope(200, "The matching instances, by node then service_id", data: S.array(S.ref("ServiceInstance"))),
                .error(400, "status is not passing, warning or critical, or a metadata filter is not key:value"),
                storageFailure,
            ],
            example: "curl -s '\(base)/api/v1/services/web/instances?tag=v1&status=passing&metadata=region:eu'"),
        pick,
        DocumentedRoute("POST", "/api/v1/services/{service_name}/instances/{service_id}/release", .discovery, "releaseLease",
            summary: "End a least_connections lease",
            details: "Ends the lease named by ?lease, which must be held on the instance the path names.",
            parameters: [serviceName, serviceID, P.query("lease", "The lease_id the pick returned", S.string(minLength: 1), required: true), P.pretty],
            responses: [
                .envelope(200, "Released", data: S.ref("LeaseRelease")),
                .error(400, "lease is missing or empty"),
                .error(404, "No active lease has that ID on that instance (unknown, released, expired, or held on another instance)"),
                busy, storageFailure,
            ],
            example: "curl -s -X POST '\(base)/api/v1/services/web/instances/web-1/release?lease=<lease_id>'"),
    ]

    static let instanceFilters: [DocumentedParameter] = [
        serviceName,
        P.query("tag", "Only instances with this tag; repeat for several (all must be present)", S.string(), repeatable: true),
        P.query("status", "Only instances with this aggregated status", S.enumeration(DiscoverySchemas.statusValues)),
        P.query("metadata", "Only instances whose metadata has key = value, written key:value (split at the first ':'); repeatable, all must match",
                S.string(pattern: "^[^:]+:"), repeatable: true),
        P.pretty,
    ]

    static let pick = DocumentedRoute("GET", "/api/v1/services/{service_name}/instance", .discovery, "pickInstance",
        summary: "One healthy instance (passing or warning), chosen by a load-balancing strategy",
        details: "round_robin (default) rotates over the healthy instances, per node. weighted draws at random in proportion to metadata.weight (default 100) times 1 - metadata.cpu_usage/100. geographic rotates over the instances whose metadata.region is ?region, else over all. least_connections goes through the replicated log: it grants a lease on the healthy instance with the fewest unexpired leases and answers with it; release the lease when done, or it lapses after lease_ttl.",
        parameters: [
            serviceName,
            P.query("strategy", "How to choose; default round_robin", S.enumeration(DiscoverySchemas.strategyValues)),
            P.query("lease_ttl", "least_connections only (other strategies ignore it): how long the lease lasts, 1ms to 1h; empty or absent means 30s",
                    S.string("A Go duration", pattern: DiscoverySchemas.leaseTTLPattern)),
            P.query("region", "geographic only: prefer instances whose metadata.region is this", S.string()),
            P.pretty,
        ],
        responses: [
            .envelope(200, "The chosen instance; with its lease for least_connections",
                      data: S.anyOf([S.ref("ServiceInstance"), S.ref("LeasedServiceInstance")])),
            .error(400, "strategy is not one of the four, or lease_ttl is not a duration from 1ms to 1h"),
            .error(404, "The service has no healthy instance"),
            .error(409, "least_connections: the lease ID drawn is taken (retry)"),
            busy, storageFailure,
        ],
        example: "curl -s '\(base)/api/v1/services/web/instance?strategy=least_connections&lease_ttl=10s'")

    static let health: [DocumentedRoute] = [
        DocumentedRoute("GET", "/api/v1/health/{service_id}", .health, "instanceHealth",
            summary: "An instance's aggregated status, with every check that decides it",
            parameters: [serviceID, P.pretty],
            responses: [.envelope(200, "The instance's health", data: S.ref("InstanceHealth")), .error(404, "No instance has that service_id"), storageFailure],
            example: "curl -s \(base)/api/v1/health/web-1"),
        DocumentedRoute("GET", "/api/v1/health/{service_id}/checks", .health, "instanceChecks",
            summary: "Every check of an instance (its own and its node's) as HealthCheckResults",
            parameters: [serviceID, P.pretty],
            responses: [.envelope(200, "The checks", data: S.array(S.ref("HealthCheckResult"))), .error(404, "No instance has that service_id"), storageFailure],
            example: "curl -s \(base)/api/v1/health/web-1/checks"),
        DocumentedRoute("POST", "/api/v1/health/{service_id}/check", .health, "checkInstance",
            summary: "The current result of each of the instance's checks",
            details: "Reports what each check last recorded (for a TTL check, exactly its state): one HealthCheckResult when there is one check, else a list.",
            parameters: [serviceID, P.pretty],
            responses: [
                .envelope(200, "The check results",
                          data: S.anyOf([S.ref("HealthCheckResult"), S.array(S.ref("HealthCheckResult"), minItems: 2)])),
                .error(404, "No instance has that service_id, or it has no checks"),
                storageFailure,
            ],
            example: "curl -s -X POST \(base)/api/v1/health/web-1/check"),
    ]

    static let configuration: [DocumentedRoute] = [
        DocumentedRoute("GET", "/api/v1/config/{service_name}", .configuration, "getConfiguration",
            summary: "A service's configuration: the latest version, or ?version=N",
            details: "The last 20 versions stay readable.",
            parameters: [configName, P.query("version", "Which version; default the latest", DiscoverySchemas.configVersion), P.pretty],
            responses: [
                .envelope(200, "The configuration", data: S.ref("ServiceConfiguration")),
                .error(400, "The service name is longer than 100 bytes or holds '/', or version is not an integer from 1 to 2^63-1"),
                .error(404, "No configuration, or that version is no longer kept (the message says which are)"),
                storageFailure,
            ],
            example: "curl -s '\(base)/api/v1/config/web?version=2'"),
        DocumentedRoute("PUT", "/api/v1/config/{service_name}", .configuration, "putConfiguration",
            summary: "Store a new version of a service's configuration and push it to watchers",
            details: "Each PUT is the next version, numbered by the state machine so that every node agrees.",
            parameters: [configName, P.pretty],
            body: DocumentedBody(description: "The configuration, or {config, environment}", schema: S.ref("ConfigurationUpdate"), example: configExample),
            responses: [
                .envelope(200, "Stored; the new version", data: S.ref("ServiceConfiguration")),
                .error(400, "Bad service name, a body that is not a JSON object, config or environment of the wrong type, or too large"),
                busy, storageFailure,
            ],
            example: "curl -s -X PUT \(base)/api/v1/config/web -d '\(String(decoding: configExample.encoded(), as: UTF8.self))'"),
        DocumentedRoute("DELETE", "/api/v1/config/{service_name}", .configuration, "deleteConfiguration",
            summary: "Delete every version of a service's configuration; watchers get a deleted event",
            details: "Numbering continues: the next PUT is the version after the last one deleted.",
            parameters: [configName],
            responses: [
                .empty(204, "Deleted"),
                .error(400, "The service name is longer than 100 bytes or holds '/'"),
                .error(404, "No configuration for that service"),
                busy, storageFailure,
            ],
            example: "curl -s -X DELETE \(base)/api/v1/config/web"),
        watch,
    ]

    static let configExample = JSON.object([
        ("config", .object([("timeout_ms", 2500), ("feature_flags", .object([("new_checkout", true)]))])),
        ("environment", "production"),
    ])

    static let watch = DocumentedRoute("GET", "/api/v1/config/watch/{service_name}", .configuration, "watchConfiguration",
        summary: "WebSocket: every configuration change of a service, as it is applied",
        details: watchMessages,
        parameters: [
            P.path("service_name", "The service's name", S.string(pattern: "^[^/]+$", minLength: 1)),
            P.header("Upgrade", "websocket (any case)", S.string()),
            P.header("Connection", "Must list Upgrade", S.string()),
            P.header("Sec-WebSocket-Key", "16 random bytes in base64 (RFC 6455 §4.1)", S.string()),
            P.header("Sec-WebSocket-Version", "13", S.constant("13")),
        ],
        responses: [
            R(101, "Switching to WebSocket; messages follow (see the description)", content: nil, headers: [
                (name: "Upgrade", description: "websocket", schema: S.string()),
                (name: "Connection", description: "Upgrade", schema: S.string()),
                (name: "Sec-WebSocket-Accept", description: "RFC 6455 §4.2.2", schema: S.string()),
            ]),
            .error(400, "Not HTTP/1.1, Connection does not list Upgrade, or a bad Sec-WebSocket-Key"),
            .error(426, "Not a WebSocket upgrade, or a Sec-WebSocket-Version other than 13 (the answer then carries Sec-WebSocket-Version: 13)"),
        ],
        example: "curl -s -N --http1.1 -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \(base)/api/v1/config/watch/web",
        servedByRouter: false)

    static let watchMessages = """
        After the handshake the server sends one text message per change, each a JSON object (ConfigWatchMessage): \
        {"event": "current", "data": ServiceConfiguration} once on connect when a configuration exists; \
        {"event": "updated", "data": ServiceConfiguration} for each PUT, every version in log order; \
        {"event": "deleted", "data": {"service_name": "..."}} for each DELETE. \
        The client need send nothing; closing the connection ends the watch.
        """

    static let metrics: [DocumentedRoute] = [
        DocumentedRoute("GET", "/metrics", .metrics, "prometheusMetrics",
            summary: "Prometheus metrics, in the text exposition format",
            responses: [R(200, "The metrics", content: ("text/plain", S.string())), storageFailure],
            example: "curl -s \(base)/metrics"),
        DocumentedRoute("GET", "/api/v1/metrics/services", .metrics, "serviceMetrics",
            summary: "Per service: instances, healthy instances, requests, response time and error rate",
            parameters: [P.pretty],
            responses: [.envelope(200, "One entry per service", data: S.array(S.ref("ServiceMetrics"))), storageFailure],
            example: "curl -s \(base)/api/v1/metrics/services"),
        DocumentedRoute("GET", "/api/v1/metrics/instances", .metrics, "instanceMetrics",
            summary: "Per instance: status, load-balancing picks, active leases, last check",
            parameters: [P.pretty],
            responses: [.envelope(200, "One entry per instance", data: S.array(S.ref("InstanceMetrics"))), storageFailure],
            example: "curl -s \(base)/api/v1/metrics/instances"),
    ]

    static let documentation: [DocumentedRoute] = [
        DocumentedRoute("GET", "/openapi.json", .documentation, "openAPIDocument",
            summary: "This API as an OpenAPI 3.1 document",
            responses: [R(200, "The document", content: ("application/json", S.object([
                ("openapi", S.constant("3.1.0")), ("info", S.anyObject()), ("paths", S.anyObject()),
            ], closed: false)))],
            example: "curl -s \(base)/openapi.json"),
        DocumentedRoute("GET", "/docs", .documentation, "documentationPage",
            summary: "This API as a page for people",
            responses: [R(200, "The page", content: ("text/html", S.string()))],
            example: "curl -s \(base)/docs"),
    ]
}
