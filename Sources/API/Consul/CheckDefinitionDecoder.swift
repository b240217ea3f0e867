import Registry

/// Decodes check objects of request bodies: the probe fields shared by a service's `Check` /
/// `Checks`, the `agent/check/register` body and the catalog's `Definition`, with Consul's
/// aliases (consul-api.md §1.3, §2.1 "CheckDefinition").
enum CheckDefinitionDecoder {
    /// A check as the client sent it, before its status text is parsed: Consul checks every
    /// definition before it looks at any status, and the texts differ by endpoint.
    struct Pending {
        var check: Check
        var statusText: String
    }

    /// The probe fields. Nothing is validated here; `CheckDefinition.validate()` does that.
    static func definition(_ fields: BodyFields) throws(APIError) -> CheckDefinition {
        var definition = CheckDefinition()
        definition.http = try fields.string("HTTP") ?? ""
        definition.header = try fields.stringListMap("Header") ?? [:]
        definition.method = try fields.string("Method") ?? ""
        definition.body = try fields.string("Body") ?? ""
        definition.tlsServerName = try fields.string("TLSServerName", "tls_server_name") ?? ""
        definition.tlsSkipVerify = try fields.bool("TLSSkipVerify", "tls_skip_verify") ?? false
        definition.tcp = try fields.string("TCP") ?? ""
        definition.tcpUseTLS = try fields.bool("TCPUseTLS", "tcp_use_tls") ?? false
        definition.udp = try fields.string("UDP") ?? ""
        definition.grpc = try fields.string("GRPC") ?? ""
        definition.grpcUseTLS = try fields.bool("GRPCUseTLS", "grpc_use_tls") ?? false
        definition.h2ping = try fields.string("H2PING") ?? ""
        // Consul's CheckDefinition.UnmarshalJSON: TLS unless the check says otherwise.
        definition.h2pingUseTLS = try fields.bool("H2PingUseTLS", "h2ping_use_tls") ?? !definition.h2ping.isEmpty
        // The Go client sends ScriptArgs, the docs say Args; both, and the snake_case alias.
        definition.args = try fields.strings("Args", "ScriptArgs", "script_args") ?? []
        definition.aliasNode = try fields.string("AliasNode", "alias_node") ?? ""
        definition.aliasService = try fields.string("AliasService", "alias_service") ?? ""
        definition.ttlNanoseconds = try fields.duration("TTL")
        definition.intervalNanoseconds = try fields.duration("Interval")
        definition.timeoutNanoseconds = try fields.duration("Timeout")
        definition.deregisterCriticalServiceAfterNanoseconds =
            try fields.duration("DeregisterCriticalServiceAfter", "deregister_critical_service_after")
        try decodeCounters(fields, into: &definition)
        return definition
    }

    private static func decodeCounters(_ fields: BodyFields, into definition: inout CheckDefinition) throws(APIError) {
        definition.successBeforePassing = try fields.int("SuccessBeforePassing", "success_before_passing") ?? 0
        definition.failuresBeforeWarning = try fields.int("FailuresBeforeWarning", "failures_before_warning") ?? 0
        definition.failuresBeforeCritical = try fields.int("FailuresBeforeCritical", "failures_before_critical") ?? 0
        // Consul reads 0 (or absent) as its default of 4 KiB.
        let outputMaxSize = try fields.int("OutputMaxSize", "output_max_size") ?? 0
        definition.outputMaxSize = outputMaxSize == 0 ? RegistryLimits.defaultCheckOutputMaxSize : outputMaxSize
    }

    /// The `PUT /v1/agent/check/register` body (Consul's `CheckDefinition`) as a check on `node`.
    /// Consul's order: `Missing check name`, `Bad check status`, then `Invalid check: ...`; the ID
    /// defaults to the name. An unknown ServiceID is apply's 404.
    static func agentCheck(_ body: JSON, node: String) throws(APIError) -> Check {
        let fields = try BodyFields(body, path: "CheckDefinition", goType: "structs.CheckDefinition")
        let name = try fields.string("Name") ?? ""
        let id = try fields.string("ID", "CheckID", "check_id") ?? ""
        var check = Check(node: node, checkID: id.isEmpty ? name : id, name: name)
        check.notes = try fields.string("Notes") ?? ""
        check.serviceID = try fields.string("ServiceID", "service_id") ?? ""
        check.definition = try definition(fields)
        let statusText = try fields.string("Status") ?? ""
        guard !name.isEmpty else { throw .badRequest("Missing check name") }
        check.status = try BodyFields.validated { () throws(ValidationError) in try HealthStatus.parse(statusText, from: .checkRegistration) }
        try BodyFields.validated { () throws(ValidationError) in try check.validate(includingDefinition: true) }
        return check
    }

    /// One item of a service definition's `Check` / `Checks`: the ID and name are left empty
    /// when the client gave none, for `ServiceDefinitionDecoder` to generate.
    static func serviceCheck(_ fields: BodyFields, node: String) throws(APIError) -> Pending {
        var check = Check(node: node, checkID: try fields.string("CheckID", "ID", "check_id") ?? "", name: try fields.string("Name") ?? "")
        check.notes = try fields.string("Notes") ?? ""
        check.definition = try definition(fields)
        return Pending(check: check, statusText: try fields.string("Status") ?? "")
    }

    /// One catalog check (Consul's `HealthCheck` in a RegisterRequest): a record that nothing
    /// runs; its probe is under `Definition`. Node and CheckID default to the registration's node
    /// and the check's name, the status to critical (consul-api.md §2.2).
    static func catalogCheck(_ fields: BodyFields, node: String) throws(APIError) -> Pending {
        let name = try fields.string("Name") ?? ""
        let id = try fields.string("CheckID", "ID", "check_id") ?? ""
        let checkNode = try fields.string("Node") ?? ""
        var check = Check(node: checkNode.isEmpty ? node : checkNode, checkID: id.isEmpty ? name : id, name: name)
        check.notes = try fields.string("Notes") ?? ""
        check.output = try fields.string("Output") ?? ""
        check.serviceID = try fields.string("ServiceID", "service_id") ?? ""
        check.exposedPort = try fields.int("ExposedPort", "exposed_port") ?? 0
        if let definitionFields = try fields.object("Definition") {
            check.definition = try definition(definitionFields)
        }
        return Pending(check: check, statusText: try fields.string("Status") ?? "")
    }
}
