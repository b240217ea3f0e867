import Registry

/// Decodes the bodies of `PUT /v1/catalog/register` (Consul's `RegisterRequest`) and
/// `PUT /v1/catalog/deregister` (`DeregisterRequest`), consul-api.md §2.2.
enum CatalogRequestDecoder {
    /// A validated registration. `Datacenter` must be this one (federation comes later);
    /// `WriteRequest`, which py-consul sends with a token, is ignored.
    static func registration(_ body: JSON, datacenter: String) throws(APIError) -> CatalogRegistration {
        let fields = try BodyFields(body, path: "RegisterRequest", goType: "structs.RegisterRequest")
        let node = try self.node(fields, datacenter: datacenter)
        var service: Service?
        if let serviceFields = try fields.object("Service") {
            service = try self.service(serviceFields)
        }
        var pending: [CheckDefinitionDecoder.Pending] = []
        if let single = try fields.object("Check") {
            pending.append(try CheckDefinitionDecoder.catalogCheck(single, node: node.name))
        }
        for item in try fields.objects("Checks") ?? [] {
            pending.append(try CheckDefinitionDecoder.catalogCheck(item, node: node.name))
        }
        let skipNodeUpdate = try fields.bool("SkipNodeUpdate", "skip_node_update") ?? false
        var checks: [Check] = []
        for item in pending {
            var check = item.check
            check.status = try BodyFields.validated { () throws(ValidationError) in try HealthStatus.parse(item.statusText, from: .checkRegistration) }
            checks.append(check)
        }
        let registration = CatalogRegistration(node: node, service: service, checks: checks, skipNodeUpdate: skipNodeUpdate)
        try BodyFields.validated { () throws(ValidationError) in try registration.validate() }
        assert(registration.checks.allSatisfy { $0.node == node.name }, "validation keeps checks on the registered node")
        return registration
    }

    private static func node(_ fields: BodyFields, datacenter: String) throws(APIError) -> Node {
        try requireDatacenter(fields, datacenter)
        return Node(
            id: try fields.string("ID") ?? "",
            name: try fields.string("Node") ?? "",
            address: try fields.string("Address") ?? "",
            datacenter: datacenter,
            taggedAddresses: try fields.stringMap("TaggedAddresses", "tagged_addresses") ?? [:],
            meta: try fields.stringMap("NodeMeta", "node_meta") ?? [:])
    }

    /// The catalog's `NodeService`: the name is `Service` (py-consul sends `{"service": ...}`),
    /// the ID defaults to it.
    private static func service(_ fields: BodyFields) throws(APIError) -> Service {
        let name = try fields.string("Service") ?? ""
        let id = try fields.string("ID") ?? ""
        var service = Service(id: id.isEmpty ? name : id, name: name)
        service.tags = try fields.strings("Tags") ?? []
        service.address = try fields.string("Address") ?? ""
        service.taggedAddresses = try ServiceDefinitionDecoder.taggedAddresses(fields)
        service.meta = try fields.stringMap("Meta") ?? [:]
        service.port = try fields.int("Port") ?? 0
        service.weights = try ServiceDefinitionDecoder.weights(fields)
        service.enableTagOverride = try fields.bool("EnableTagOverride", "enable_tag_override") ?? false
        service.kind = try fields.string("Kind") ?? ""
        return service
    }

    /// A deregistration: the node, and at most one of ServiceID and CheckID (ServiceID wins, as
    /// in Consul).
    static func deregistration(_ body: JSON, datacenter: String) throws(APIError) -> CatalogDeregistration {
        let fields = try BodyFields(body, path: "DeregisterRequest", goType: "structs.DeregisterRequest")
        try requireDatacenter(fields, datacenter)
        let node = try fields.string("Node") ?? ""
        let serviceID = try fields.string("ServiceID", "service_id") ?? ""
        let checkID = try fields.string("CheckID", "check_id") ?? ""
        try BodyFields.validated { () throws(ValidationError) in try Node.validateName(node) }
        return CatalogDeregistration(node: node, serviceID: serviceID.isEmpty ? nil : serviceID, checkID: checkID.isEmpty ? nil : checkID)
    }

    /// Catalog writes name their datacenter in the body (consul-api.md §1.7); until federation
    /// arrives only this one is reachable.
    private static func requireDatacenter(_ fields: BodyFields, _ datacenter: String) throws(APIError) {
        let asked = try fields.string("Datacenter") ?? ""
        guard asked.isEmpty || asked == datacenter else { throw .server("No path to datacenter") }
    }
}
