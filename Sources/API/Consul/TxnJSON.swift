import HTTP
import Registry
import Store

/// The answer of `/v1/txn` (consul-api.md §2.5): 200 `{"Results":[...],"Errors":null}` when
/// every operation applied, 409 `{"Results":null,"Errors":[{"OpIndex","What"}]}` when the
/// transaction rolled back. Go writes an empty result list as `null`, and so does this.
enum TxnJSON {
    static func response(_ outcome: TxnOutcome, datacenter: String, pretty: Bool) -> HTTPResponse {
        switch outcome {
        case .results(let results):
            let body = JSON.object([
                ("Results", results.isEmpty ? .null : .array(results.map { result($0, datacenter: datacenter) })),
                ("Errors", .null),
            ])
            return .json(.ok, body.encoded(pretty: pretty))
        case .errors(let errors):
            assert(!errors.isEmpty, "a rolled-back transaction names what failed")
            let body = JSON.object([
                ("Results", .null),
                ("Errors", .array(errors.map { .object([("OpIndex", .int(Int64($0.opIndex))), ("What", .string($0.what))]) })),
            ])
            return .json(.conflict, body.encoded(pretty: pretty))
        }
    }

    /// `{"KV": DirEntry}`, `{"Node": ...}`, `{"Service": ...}` or `{"Check": ...}`.
    static func result(_ result: TxnResult, datacenter: String) -> JSON {
        switch result {
        case .kv(let entry): .object([("KV", KVJSON.entry(entry))])
        case .node(let node): .object([("Node", self.node(node, datacenter: datacenter))])
        case .service(let service): .object([("Service", self.service(service))])
        case .check(let check): .object([("Check", self.check(check))])
        }
    }

    /// Consul's `Node`; a node stored without a datacenter is in this one.
    static func node(_ indexed: Indexed<Node>, datacenter: String) -> JSON {
        let node = indexed.value
        return .object([
            ("ID", .string(node.id)),
            ("Node", .string(node.name)),
            ("Address", .string(node.address)),
            ("Datacenter", .string(node.datacenter.isEmpty ? datacenter : node.datacenter)),
            ("TaggedAddresses", stringMap(node.taggedAddresses)),
            ("Meta", stringMap(node.meta)),
            ("CreateIndex", KVJSON.unsigned(indexed.createIndex)),
            ("ModifyIndex", KVJSON.unsigned(indexed.modifyIndex)),
        ])
    }

    /// Consul's `NodeService`; `Kind` and `TaggedAddresses` only when set, as Go's omitempty.
    static func service(_ indexed: Indexed<Service>) -> JSON {
        let service = indexed.value
        var members: [(String, JSON)] = service.kind.isEmpty ? [] : [("Kind", .string(service.kind))]
        members += [
            ("ID", .string(service.id)),
            ("Service", .string(service.name)),
            ("Tags", .array(service.tags.map { .string($0) })),
            ("Address", .string(service.address)),
        ]
        if !service.taggedAddresses.isEmpty {
            members.append(("TaggedAddresses", .object(byteOrder(service.taggedAddresses.keys).map { kind in
                let address = service.taggedAddresses[kind] ?? ServiceAddress(address: "", port: 0)
                return (kind, .object([("Address", .string(address.address)), ("Port", .int(Int64(address.port)))]))
            })))
        }
        members += [
            ("Meta", stringMap(service.meta)),
            ("Port", .int(Int64(service.port))),
            ("Weights", .object([("Passing", .int(Int64(service.weights.passing))), ("Warning", .int(Int64(service.weights.warning)))])),
            ("EnableTagOverride", .bool(service.enableTagOverride)),
            ("CreateIndex", KVJSON.unsigned(indexed.createIndex)),
            ("ModifyIndex", KVJSON.unsigned(indexed.modifyIndex)),
        ]
        return .object(members)
    }

    /// Consul's `HealthCheck`.
    static func check(_ indexed: Indexed<Check>) -> JSON {
        let check = indexed.value
        return .object([
            ("Node", .string(check.node)),
            ("CheckID", .string(check.checkID)),
            ("Name", .string(check.name)),
            ("Status", .string(check.status.rawValue)),
            ("Notes", .string(check.notes)),
            ("Output", .string(check.output)),
            ("ServiceID", .string(check.serviceID)),
            ("ServiceName", .string(check.serviceName)),
            ("ServiceTags", .array(check.serviceTags.map { .string($0) })),
            ("Type", .string(check.type)),
            ("Definition", definition(check.definition)),
            ("CreateIndex", KVJSON.unsigned(indexed.createIndex)),
            ("ModifyIndex", KVJSON.unsigned(indexed.modifyIndex)),
        ])
    }

    /// Consul's `HealthCheckDefinition`: only what is set (Go's omitempty), durations as text.
    static func definition(_ definition: CheckDefinition) -> JSON {
        var members: [(String, JSON)] = []
        func text(_ key: String, _ value: String) { if !value.isEmpty { members.append((key, .string(value))) } }
        func flag(_ key: String, _ value: Bool) { if value { members.append((key, .bool(true))) } }
        func duration(_ key: String, _ value: Int64?) {
            if let value, value != 0 { members.append((key, .string(GoDuration.format(nanoseconds: value)))) }
        }
        text("HTTP", definition.http)
        text("TLSServerName", definition.tlsServerName)
        flag("TLSSkipVerify", definition.tlsSkipVerify)
        if !definition.header.isEmpty {
            members.append(("Header", .object(byteOrder(definition.header.keys).map { name in
                (name, .array((definition.header[name] ?? []).map { .string($0) }))
            })))
        }
        text("Method", definition.method)
        text("Body", definition.body)
        text("TCP", definition.tcp)
        text("UDP", definition.udp)
        text("GRPC", definition.grpc)
        flag("GRPCUseTLS", definition.grpcUseTLS)
        duration("Interval", definition.intervalNanoseconds)
        duration("Timeout", definition.timeoutNanoseconds)
        duration("DeregisterCriticalServiceAfter", definition.deregisterCriticalServiceAfterNanoseconds)
        return .object(members)
    }

    /// A string map as an object whose keys are in byte order, never in hash order.
    static func stringMap(_ map: [String: String]) -> JSON {
        .object(byteOrder(map.keys).map { ($0, .string(map[$0] ?? "")) })
    }

    static func byteOrder(_ keys: some Collection<String>) -> [String] {
        keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
