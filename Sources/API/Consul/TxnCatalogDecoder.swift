import Registry

/// The `Node`, `Service` and `Check` operations of `/v1/txn` (consul-api.md §2.5): Consul's
/// api.NodeTxnOp, ServiceTxnOp and CheckTxnOp. `ModifyIndex` inside the item is what `cas`
/// and `delete-cas` compare with. Writes are validated as a registration would be; reads and
/// deletes need only what names the item.
enum TxnCatalogDecoder {
    static let prefix = TxnRequestDecoder.prefix

    // MARK: Node

    /// `{"Verb", "Node": {ID, Node, Address, Datacenter, TaggedAddresses, Meta, ModifyIndex}}`.
    static func node(_ op: BodyReader, at opIndex: Int) throws(APIError) -> TxnNodeOperation {
        let verb = try self.verb(op, "Node", at: opIndex)
        let fields = try op.objectOrEmpty("Node", type: "api.Node")
        let node = Node(
            id: try fields.string("ID") ?? "", name: try fields.string("Node") ?? "", address: try fields.string("Address") ?? "",
            datacenter: try fields.string("Datacenter") ?? "", taggedAddresses: try fields.stringMap("TaggedAddresses") ?? [:],
            meta: try fields.stringMap("Meta") ?? [:])
        try validating(opIndex) { () throws(ValidationError) in
            if isUpsert(verb) { try node.validate() } else { try Node.validateName(node.name) }
        }
        return TxnNodeOperation(verb: verb, node: node, index: try fields.uint64("ModifyIndex") ?? 0)
    }

    // MARK: Service

    /// `{"Verb", "Node": "<name>", "Service": {ID, Service, Tags, Address, TaggedAddresses, Meta,
    /// Port, Weights, EnableTagOverride, Kind, ModifyIndex}}`. The ID defaults to the name.
    static func service(_ op: BodyReader, at opIndex: Int) throws(APIError) -> TxnServiceOperation {
        let verb = try self.verb(op, "Service", at: opIndex)
        let nodeName = try op.string("Node") ?? ""
        let fields = try op.objectOrEmpty("Service", type: "api.AgentService")
        let name = try fields.string("Service") ?? ""
        let service = Service(
            id: try fields.string("ID").flatMap { $0.isEmpty ? nil : $0 } ?? name, name: name, tags: try fields.strings("Tags") ?? [],
            address: try fields.string("Address") ?? "", taggedAddresses: try serviceAddresses(fields),
            meta: try fields.stringMap("Meta") ?? [:], port: try fields.int("Port") ?? 0, weights: try weights(fields),
            enableTagOverride: try fields.bool("EnableTagOverride") ?? false, kind: try fields.string("Kind") ?? "")
        try validating(opIndex) { () throws(ValidationError) in
            try Node.validateName(nodeName)
            if isUpsert(verb) { try service.validate() }
            guard !service.id.isEmpty else { throw ValidationError(field: "ID", message: "Missing service ID") }
        }
        return TxnServiceOperation(verb: verb, node: nodeName, service: service, index: try fields.uint64("ModifyIndex") ?? 0)
    }

    static func serviceAddresses(_ fields: BodyReader) throws(APIError) -> [String: ServiceAddress] {
        guard let value = fields.value("TaggedAddresses") else { return [:] }
        guard case .object(let members) = value else { throw fields.mismatch("TaggedAddresses", value, "map[string]api.ServiceAddress") }
        var addresses: [String: ServiceAddress] = [:]
        for (kind, item) in members {
            let address = try BodyReader(item, path: "api.ServiceAddress", prefix: prefix)
            addresses[kind] = ServiceAddress(address: try address.string("Address") ?? "", port: try address.int("Port") ?? 0)
        }
        return addresses
    }

    /// Consul's default weights are 1 passing, 1 warning.
    static func weights(_ fields: BodyReader) throws(APIError) -> Weights {
        guard let weights = try fields.object("Weights", type: "api.AgentWeights") else { return Weights() }
        return Weights(passing: try weights.int("Passing") ?? 1, warning: try weights.int("Warning") ?? 1)
    }

    // MARK: Check

    /// `{"Verb", "Check": {Node, CheckID, Name, Status, Notes, Output, ServiceID, ServiceName,
    /// ServiceTags, Definition, ModifyIndex}}`. A missing status is Consul's initial `critical`.
    static func check(_ op: BodyReader, at opIndex: Int) throws(APIError) -> TxnCheckOperation {
        let verb = try self.verb(op, "Check", at: opIndex)
        let fields = try op.objectOrEmpty("Check", type: "api.HealthCheck")
        let statusText = try fields.string("Status") ?? ""
        let definition = try self.definition(fields)
        var status = HealthStatus.initial
        try validating(opIndex) { () throws(ValidationError) in status = try HealthStatus.parse(statusText, from: .checkRegistration) }
        let check = Check(
            node: try fields.string("Node") ?? "", checkID: try fields.string("CheckID") ?? "", name: try fields.string("Name") ?? "",
            status: status, notes: try fields.string("Notes") ?? "", output: try fields.string("Output") ?? "",
            serviceID: try fields.string("ServiceID") ?? "", serviceName: try fields.string("ServiceName") ?? "",
            serviceTags: try fields.strings("ServiceTags") ?? [], definition: definition)
        try validating(opIndex) { () throws(ValidationError) in
            if isUpsert(verb) { try check.validate(includingDefinition: false); return }
            try Node.validateName(check.node)
            guard !check.checkID.isEmpty else { throw ValidationError(field: "CheckID", message: "Missing check ID") }
        }
        return TxnCheckOperation(verb: verb, check: check, index: try fields.uint64("ModifyIndex") ?? 0)
    }

    /// Consul's HealthCheckDefinition: probe targets, and durations as text or nanoseconds
    /// (also under the `...Duration` names the Go client sends).
    static func definition(_ fields: BodyReader) throws(APIError) -> CheckDefinition {
        guard let definition = try fields.object("Definition", type: "api.HealthCheckDefinition") else { return CheckDefinition() }
        return CheckDefinition(
            http: try definition.string("HTTP") ?? "", header: try headers(definition), method: try definition.string("Method") ?? "",
            body: try definition.string("Body") ?? "", tlsServerName: try definition.string("TLSServerName") ?? "",
            tlsSkipVerify: try definition.bool("TLSSkipVerify") ?? false, tcp: try definition.string("TCP") ?? "",
            udp: try definition.string("UDP") ?? "", grpc: try definition.string("GRPC") ?? "",
            grpcUseTLS: try definition.bool("GRPCUseTLS") ?? false,
            intervalNanoseconds: try definition.duration("Interval", "IntervalDuration"),
            timeoutNanoseconds: try definition.duration("Timeout", "TimeoutDuration"),
            deregisterCriticalServiceAfterNanoseconds: try definition.duration(
                "DeregisterCriticalServiceAfter", "DeregisterCriticalServiceAfterDuration"))
    }

    /// `Header: {"Name": ["value", ...]}`.
    static func headers(_ definition: BodyReader) throws(APIError) -> [String: [String]] {
        guard let value = definition.value("Header") else { return [:] }
        guard case .object(let members) = value else { throw definition.mismatch("Header", value, "map[string][]string") }
        let holder = try BodyReader(value, path: "api.HealthCheckDefinition.Header", prefix: prefix)
        var headers: [String: [String]] = [:]
        for (name, _) in members { headers[name] = try holder.strings(name) ?? [] }
        return headers
    }

    // MARK: Helpers

    static func verb(_ op: BodyReader, _ kind: String, at opIndex: Int) throws(APIError) -> TxnCatalogVerb {
        let text = try op.string("Verb") ?? ""
        guard let verb = TxnCatalogVerb(rawValue: text) else {
            throw TxnRequestDecoder.invalid(opIndex, "unknown \(kind) verb \(KVQueryParameters.quotedForGo(text))")
        }
        return verb
    }

    /// `set` and `cas` write a whole item; the other verbs only name one.
    static func isUpsert(_ verb: TxnCatalogVerb) -> Bool {
        verb == .set || verb == .cas
    }

    /// Runs `validation`, reporting its failure against the operation.
    static func validating(_ opIndex: Int, _ validation: () throws(ValidationError) -> Void) throws(APIError) {
        do {
            try validation()
        } catch {
            throw TxnRequestDecoder.invalid(opIndex, error.message)
        }
    }
}
