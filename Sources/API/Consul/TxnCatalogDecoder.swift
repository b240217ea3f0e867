import Registry

/// The `Node`, `Service` and `Check` operations of `/v1/txn` (consul-api.md §2.5): Consul's
/// api.NodeTxnOp, ServiceTxnOp and CheckTxnOp. `ModifyIndex` inside the item is what `cas`
/// and `delete-cas` compare with. Writes are validated as a registration would be; reads and
/// deletes need only what names the item. Service and check fields are read by the catalog's
/// decoders, so both endpoints take the same spellings.
enum TxnCatalogDecoder {
    // MARK: Node

    /// `{"Verb", "Node": {ID, Node, Address, Datacenter, TaggedAddresses, Meta, ModifyIndex}}`.
    static func node(_ op: BodyFields, at opIndex: Int) throws(APIError) -> TxnNodeOperation {
        let verb = try self.verb(op, "Node", at: opIndex)
        let fields = try item(op, "Node", goType: "api.Node")
        let node = Node(
            id: try fields.string("ID") ?? "", name: try fields.string("Node") ?? "", address: try fields.string("Address") ?? "",
            datacenter: try fields.string("Datacenter") ?? "", taggedAddresses: try fields.stringMap("TaggedAddresses") ?? [:],
            meta: try fields.stringMap("Meta") ?? [:])
        try TxnRequestDecoder.validating(opIndex) { () throws(ValidationError) in
            if isUpsert(verb) { try node.validate() } else { try Node.validateName(node.name) }
        }
        return TxnNodeOperation(verb: verb, node: node, index: try TxnRequestDecoder.unsigned(fields, "ModifyIndex") ?? 0)
    }

    // MARK: Service

    /// `{"Verb", "Node": "<name>", "Service": {ID, Service, Tags, Address, TaggedAddresses, Meta,
    /// Port, Weights, EnableTagOverride, Kind, ModifyIndex}}`. The ID defaults to the name.
    static func service(_ op: BodyFields, at opIndex: Int) throws(APIError) -> TxnServiceOperation {
        let verb = try self.verb(op, "Service", at: opIndex)
        let nodeName = try op.string("Node") ?? ""
        let fields = try item(op, "Service", goType: "api.AgentService")
        let name = try fields.string("Service") ?? ""
        let id = try fields.string("ID") ?? ""
        var service = Service(id: id.isEmpty ? name : id, name: name)
        service.tags = try fields.strings("Tags") ?? []
        service.address = try fields.string("Address") ?? ""
        service.taggedAddresses = try ServiceDefinitionDecoder.taggedAddresses(fields)
        service.meta = try fields.stringMap("Meta") ?? [:]
        service.port = try fields.int("Port") ?? 0
        service.weights = try ServiceDefinitionDecoder.weights(fields)
        service.enableTagOverride = try fields.bool("EnableTagOverride") ?? false
        service.kind = try fields.string("Kind") ?? ""
        try TxnRequestDecoder.validating(opIndex) { () throws(ValidationError) in
            try Node.validateName(nodeName)
            if isUpsert(verb) { try service.validate() }
            guard !service.id.isEmpty else { throw ValidationError(field: "ID", message: "Missing service ID") }
        }
        return TxnServiceOperation(verb: verb, node: nodeName, service: service, index: try TxnRequestDecoder.unsigned(fields, "ModifyIndex") ?? 0)
    }

    // MARK: Check

    /// `{"Verb", "Check": {Node, CheckID, Name, Status, Notes, Output, ServiceID, ServiceName,
    /// ServiceTags, Definition, ModifyIndex}}`, read as a catalog check (the ID defaults to the
    /// name, a missing status is Consul's initial `critical`).
    static func check(_ op: BodyFields, at opIndex: Int) throws(APIError) -> TxnCheckOperation {
        let verb = try self.verb(op, "Check", at: opIndex)
        let fields = try item(op, "Check", goType: "api.HealthCheck")
        let pending = try CheckDefinitionDecoder.catalogCheck(fields, node: "")
        var check = pending.check
        check.serviceName = try fields.string("ServiceName") ?? ""
        check.serviceTags = try fields.strings("ServiceTags") ?? []
        try TxnRequestDecoder.validating(opIndex) { () throws(ValidationError) in
            check.status = try HealthStatus.parse(pending.statusText, from: .checkRegistration)
            if isUpsert(verb) { try check.validate(includingDefinition: false); return }
            try Node.validateName(check.node)
            guard !check.checkID.isEmpty else { throw ValidationError(field: "CheckID", message: "Missing check ID") }
        }
        return TxnCheckOperation(verb: verb, check: check, index: try TxnRequestDecoder.unsigned(fields, "ModifyIndex") ?? 0)
    }

    // MARK: Helpers

    static func verb(_ op: BodyFields, _ kind: String, at opIndex: Int) throws(APIError) -> TxnCatalogVerb {
        let text = try op.string("Verb") ?? ""
        guard let verb = TxnCatalogVerb(rawValue: text) else {
            throw TxnRequestDecoder.invalid(opIndex, "unknown \(kind) verb \(BodyFields.goQuoted(text))")
        }
        return verb
    }

    /// The operation's item (`"Node": {...}`), empty when absent, as Go leaves the struct zeroed.
    static func item(_ op: BodyFields, _ key: String, goType: String) throws(APIError) -> BodyFields {
        if let fields = try op.object(key) { return fields }
        return try BodyFields(.null, path: op.path + "." + key, goType: goType)
    }

    /// `set` and `cas` write a whole item; the other verbs only name one.
    static func isUpsert(_ verb: TxnCatalogVerb) -> Bool {
        verb == .set || verb == .cas
    }
}
