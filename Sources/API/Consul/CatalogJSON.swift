import Registry
import Store

/// Consul's JSON shapes of catalog and health values (consul-api.md §2.1-§2.3), built in
/// Consul's key order. Maps come out sorted by key bytes so the same state gives the same bytes
/// (STYLE.md principle 2); lists never come out `null`.
enum CatalogJSON {
    /// `Node` (catalog/nodes, health/service's `Node`, catalog/node's `Node`). A node registered
    /// without a datacenter is shown in `datacenter`, the agent's.
    static func node(_ node: Indexed<Node>, datacenter: String) -> JSON {
        let value = node.value
        return .object([
            ("ID", .string(value.id)),
            ("Node", .string(value.name)),
            ("Address", .string(value.address)),
            ("Datacenter", .string(value.datacenter.isEmpty ? datacenter : value.datacenter)),
            ("TaggedAddresses", nodeTaggedAddresses(value.taggedAddresses)),
            ("Meta", stringMap(value.meta)),
            ("CreateIndex", index(node.createIndex)),
            ("ModifyIndex", index(node.modifyIndex)),
        ])
    }

    /// The agent's view of a service (`agent/services`, `agent/service/:id`): exactly
    /// `ID, Service, Tags, Meta, Port, Address, Weights, EnableTagOverride, Datacenter` for a
    /// plain registration, plus `Kind` and `TaggedAddresses` when set (api.AgentService order).
    static func agentService(_ service: Service, datacenter: String) -> JSON {
        var members: [(String, JSON)] = []
        if !service.kind.isEmpty { members.append(("Kind", .string(service.kind))) }
        members += [
            ("ID", .string(service.id)),
            ("Service", .string(service.name)),
            ("Tags", strings(service.tags)),
            ("Meta", stringMap(service.meta)),
            ("Port", .int(Int64(service.port))),
            ("Address", .string(service.address)),
        ]
        if !service.taggedAddresses.isEmpty { members.append(("TaggedAddresses", serviceTaggedAddresses(service.taggedAddresses))) }
        members += [
            ("Weights", weights(service.weights)),
            ("EnableTagOverride", .bool(service.enableTagOverride)),
            ("Datacenter", .string(datacenter)),
        ]
        return .object(members)
    }

    /// The catalog's `NodeService` (catalog/node `Services` values, health/service `Service`).
    static func nodeService(_ service: Indexed<Service>) -> JSON {
        let value = service.value
        var members: [(String, JSON)] = []
        if !value.kind.isEmpty { members.append(("Kind", .string(value.kind))) }
        members += [
            ("ID", .string(value.id)),
            ("Service", .string(value.name)),
            ("Tags", strings(value.tags)),
            ("Address", .string(value.address)),
        ]
        if !value.taggedAddresses.isEmpty { members.append(("TaggedAddresses", serviceTaggedAddresses(value.taggedAddresses))) }
        members += [
            ("Meta", stringMap(value.meta)),
            ("Port", .int(Int64(value.port))),
            ("Weights", weights(value.weights)),
            ("EnableTagOverride", .bool(value.enableTagOverride)),
            ("Proxy", emptyProxy),
            ("Connect", .object([])),
            ("CreateIndex", index(service.createIndex)),
            ("ModifyIndex", index(service.modifyIndex)),
        ]
        return .object(members)
    }

    /// `catalog/service/:name`'s `ServiceNode`: the node's fields flat, the service's prefixed;
    /// CreateIndex and ModifyIndex are the service's.
    static func serviceNode(_ instance: ServiceInstance, datacenter: String) -> JSON {
        let node = instance.node.value
        let service = instance.service.value
        var members: [(String, JSON)] = [
            ("ID", .string(node.id)),
            ("Node", .string(node.name)),
            ("Address", .string(node.address)),
            ("Datacenter", .string(node.datacenter.isEmpty ? datacenter : node.datacenter)),
            ("TaggedAddresses", nodeTaggedAddresses(node.taggedAddresses)),
            ("NodeMeta", stringMap(node.meta)),
            ("ServiceKind", .string(service.kind)),
            ("ServiceID", .string(service.id)),
            ("ServiceName", .string(service.name)),
            ("ServiceTags", strings(service.tags)),
            ("ServiceAddress", .string(service.address)),
        ]
        if !service.taggedAddresses.isEmpty {
            members.append(("ServiceTaggedAddresses", serviceTaggedAddresses(service.taggedAddresses)))
        }
        members += [
            ("ServiceWeights", weights(service.weights)),
            ("ServiceMeta", stringMap(service.meta)),
            ("ServicePort", .int(Int64(service.port))),
            ("ServiceSocketPath", ""),
            ("ServiceEnableTagOverride", .bool(service.enableTagOverride)),
            ("ServiceProxy", emptyProxy),
            ("ServiceConnect", .object([])),
            ("CreateIndex", index(instance.service.createIndex)),
            ("ModifyIndex", index(instance.service.modifyIndex)),
        ]
        return .object(members)
    }

    /// `HealthCheck` with its `Definition`. The agent's own views (`agent/checks`,
    /// `agent/health/...`) show CreateIndex and ModifyIndex as 0, as Consul's local state does.
    static func healthCheck(_ check: Indexed<Check>, agentView: Bool = false) -> JSON {
        let value = check.value
        let definition = value.definition
        return .object([
            ("Node", .string(value.node)),
            ("CheckID", .string(value.checkID)),
            ("Name", .string(value.name)),
            ("Status", .string(value.status.rawValue)),
            ("Notes", .string(value.notes)),
            ("Output", .string(value.output)),
            ("ServiceID", .string(value.serviceID)),
            ("ServiceName", .string(value.serviceName)),
            ("ServiceTags", strings(value.serviceTags)),
            ("Type", .string(value.type)),
            ("Interval", .string(definition.intervalNanoseconds.map(GoDuration.format) ?? "")),
            ("Timeout", .string(definition.timeoutNanoseconds.map(GoDuration.format) ?? "")),
            ("ExposedPort", .int(Int64(value.exposedPort))),
            ("Definition", self.definition(definition)),
            ("CreateIndex", agentView ? 0 : index(check.createIndex)),
            ("ModifyIndex", agentView ? 0 : index(check.modifyIndex)),
        ])
    }

    /// Consul's `HealthCheckDefinition`: durations as Go strings ("0s" when unset, as Go prints
    /// a zero `time.Duration`); `ScriptArgs`, the alias fields and `TTL` only when set.
    static func definition(_ definition: CheckDefinition) -> JSON {
        var members: [(String, JSON)] = [
            ("Interval", duration(definition.intervalNanoseconds)),
            ("Timeout", duration(definition.timeoutNanoseconds)),
            ("DeregisterCriticalServiceAfter", duration(definition.deregisterCriticalServiceAfterNanoseconds)),
            ("HTTP", .string(definition.http)),
            ("Header", header(definition.header)),
            ("Method", .string(definition.method)),
            ("Body", .string(definition.body)),
            ("TLSServerName", .string(definition.tlsServerName)),
            ("TLSSkipVerify", .bool(definition.tlsSkipVerify)),
            ("TCP", .string(definition.tcp)),
            ("TCPUseTLS", .bool(definition.tcpUseTLS)),
            ("UDP", .string(definition.udp)),
            ("GRPC", .string(definition.grpc)),
            ("GRPCUseTLS", .bool(definition.grpcUseTLS)),
            ("H2PING", .string(definition.h2ping)),
            ("H2PingUseTLS", .bool(definition.h2pingUseTLS)),
            ("OutputMaxSize", .int(Int64(definition.outputMaxSize))),
        ]
        if !definition.args.isEmpty { members.append(("ScriptArgs", strings(definition.args))) }
        if !definition.aliasNode.isEmpty { members.append(("AliasNode", .string(definition.aliasNode))) }
        if !definition.aliasService.isEmpty { members.append(("AliasService", .string(definition.aliasService))) }
        if let ttl = definition.ttlNanoseconds { members.append(("TTL", .string(GoDuration.format(nanoseconds: ttl)))) }
        return .object(members)
    }

    /// A map from each item's `key` field to the item, in item order: the agent's maps keyed by
    /// service or check ID, rebuilt after `?filter` kept some of the items.
    static func keyed(_ items: [JSON], by key: String) -> JSON {
        .object(items.map { item in
            guard case .string(let id)? = item[key] else { preconditionFailure("every item carries its \(key)") }
            return (id, item)
        })
    }

    // MARK: Pieces

    static func weights(_ weights: Weights) -> JSON {
        .object([("Passing", .int(Int64(weights.passing))), ("Warning", .int(Int64(weights.warning)))])
    }

    /// A node's tagged addresses; Consul shows `null` for a node registered without any.
    static func nodeTaggedAddresses(_ addresses: [String: String]) -> JSON {
        addresses.isEmpty ? .null : stringMap(addresses)
    }

    /// A service's tagged addresses, always with CamelCase `Address` and `Port`.
    static func serviceTaggedAddresses(_ addresses: [String: ServiceAddress]) -> JSON {
        .object(sortedKeys(addresses).map { kind in
            let address = addresses[kind] ?? ServiceAddress(address: "", port: 0)
            return (kind, .object([("Address", .string(address.address)), ("Port", .int(Int64(address.port)))]))
        })
    }

    static func stringMap(_ map: [String: String]) -> JSON {
        .object(sortedKeys(map).map { ($0, .string(map[$0] ?? "")) })
    }

    static func strings(_ list: [String]) -> JSON {
        .array(list.map { .string($0) })
    }

    private static func header(_ header: [String: [String]]) -> JSON {
        .object(sortedKeys(header).map { ($0, strings(header[$0] ?? [])) })
    }

    private static func duration(_ nanoseconds: Int64?) -> JSON {
        .string(GoDuration.format(nanoseconds: nanoseconds ?? 0))
    }

    private static func index(_ value: UInt64) -> JSON {
        .int(Int64(clamping: value))
    }

    /// Consul's `Proxy` of a service that is not a proxy.
    private static let emptyProxy: JSON = .object([("Mode", ""), ("MeshGateway", .object([])), ("Expose", .object([]))])

    /// Keys by UTF-8 bytes: an order that never depends on the process.
    static func sortedKeys<Value>(_ map: [String: Value]) -> [String] {
        map.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
