import Registry

/// Decodes the `PUT /v1/agent/service/register` body (Consul's `ServiceDefinition`) into the
/// registration the agent proposes, checking it in Consul's order so the first complaint is the
/// one Consul would make (consul-api.md §2.1): the body's types, `Missing service name`, the
/// address, weights and meta, every check's definition (`Invalid check: ...`), then the check
/// statuses.
enum ServiceDefinitionDecoder {
    /// The registration of the service and its checks on `node`.
    static func registration(_ body: JSON, node: String, replaceExistingChecks: Bool) throws(APIError) -> ServiceRegistration {
        let fields = try BodyFields(body, path: "ServiceDefinition", goType: "structs.ServiceDefinition")
        let service = try self.service(fields)
        let pending = try checks(fields, node: node)
        try BodyFields.validated { () throws(ValidationError) in try service.validate() }
        for item in pending {
            try BodyFields.validated { () throws(ValidationError) in try item.check.definition.validate() }
        }
        let checks = try finish(pending, service: service)
        let registration = ServiceRegistration(node: node, service: service, checks: checks, replaceExistingChecks: replaceExistingChecks)
        try BodyFields.validated { () throws(ValidationError) in try registration.validate() }
        assert(!registration.service.id.isEmpty, "the ID defaults to the name, which validation requires")
        return registration
    }

    /// The service fields; the ID defaults to the name.
    static func service(_ fields: BodyFields) throws(APIError) -> Service {
        let name = try fields.string("Name") ?? ""
        let id = try fields.string("ID") ?? ""
        var service = Service(id: id.isEmpty ? name : id, name: name)
        service.tags = try fields.strings("Tags") ?? []
        service.address = try fields.string("Address") ?? ""
        service.taggedAddresses = try taggedAddresses(fields)
        service.meta = try fields.stringMap("Meta") ?? [:]
        service.port = try fields.int("Port") ?? 0
        service.weights = try weights(fields)
        service.enableTagOverride = try fields.bool("EnableTagOverride", "enable_tag_override") ?? false
        service.kind = try fields.string("Kind") ?? ""
        // Proxy, Connect, SocketPath, Locality and Token are accepted and not modelled.
        return service
    }

    /// `TaggedAddresses`: `{"lan": {"address": "10.0.0.1", "port": 80}, ...}`, keys matched
    /// case-insensitively inside each address too.
    static func taggedAddresses(_ fields: BodyFields) throws(APIError) -> [String: ServiceAddress] {
        var result: [String: ServiceAddress] = [:]
        for (kind, address) in try fields.objectMap("TaggedAddresses", "tagged_addresses") ?? [] {
            result[kind] = ServiceAddress(address: try address.string("Address") ?? "", port: try address.int("Port") ?? 0)
        }
        return result
    }

    /// Absent weights are Consul's 1/1; given weights take what they say (a missing field is
    /// 0, which validation then judges, as Go's decoder leaves it).
    static func weights(_ fields: BodyFields) throws(APIError) -> Weights {
        guard let weights = try fields.object("Weights") else { return Weights() }
        return Weights(passing: try weights.int("Passing") ?? 0, warning: try weights.int("Warning") ?? 0)
    }

    /// `Check` then `Checks`, in that order; a `Check` object with nothing in it is no check,
    /// as in Consul (`CheckType.Empty`).
    private static func checks(_ fields: BodyFields, node: String) throws(APIError) -> [CheckDefinitionDecoder.Pending] {
        var pending: [CheckDefinitionDecoder.Pending] = []
        if let single = try fields.object("Check"), single.json != .object([]) {
            pending.append(try CheckDefinitionDecoder.serviceCheck(single, node: node))
        }
        for item in try fields.objects("Checks") ?? [] {
            pending.append(try CheckDefinitionDecoder.serviceCheck(item, node: node))
        }
        return pending
    }

    /// Generated IDs and names (consul-api.md §1.10): one check is `service:<id>`, several are
    /// `service:<id>:1`...`:N` in body order; the name is `Service '<name>' check`.
    private static func finish(_ pending: [CheckDefinitionDecoder.Pending], service: Service) throws(APIError) -> [Check] {
        var checks: [Check] = []
        for (offset, item) in pending.enumerated() {
            var check = item.check
            if check.checkID.isEmpty {
                check.checkID = "service:\(service.id)" + (pending.count > 1 ? ":\(offset + 1)" : "")
            }
            if check.name.isEmpty { check.name = "Service '\(service.name)' check" }
            check.serviceID = service.id
            check.serviceName = service.name
            check.serviceTags = service.tags
            check.status = try BodyFields.validated { () throws(ValidationError) in
                try HealthStatus.parse(item.statusText, from: .serviceRegistration)
            }
            checks.append(check)
        }
        assert(checks.allSatisfy { !$0.checkID.isEmpty && !$0.name.isEmpty }, "every service check has an ID and a name")
        return checks
    }
}
