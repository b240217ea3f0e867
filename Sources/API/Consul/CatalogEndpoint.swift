import HTTP
import Registry
import Store

/// `/v1/catalog/...` (consul-api.md §2.2): the registry's nodes and service instances. Reads
/// block on the finest watch key that covers them; writes answer `true` once applied.
enum CatalogEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("PUT", "/v1/catalog/register", registerEntry)
        router.add("PUT", "/v1/catalog/deregister", deregisterEntry)
        router.add("GET", "/v1/catalog/datacenters", datacenters)
        router.add("GET", "/v1/catalog/nodes", nodes)
        router.add("GET", "/v1/catalog/services", services)
        router.add("GET", "/v1/catalog/service/*name", service)
        router.add("GET", "/v1/catalog/node/*node", node)
        router.add("GET", "/v1/catalog/node-services/*node", nodeServices)
    }

    // MARK: Writes

    /// A RegisterRequest: a node, maybe a service, maybe checks.
    static func registerEntry(_ context: ConsulContext) throws -> Reply {
        let registration = try CatalogRequestDecoder.registration(try context.bodyJSON(), datacenter: context.datacenter)
        return context.write(.catalogRegister(registration)) { _ in .jsonBool(true) }
    }

    /// A DeregisterRequest: the node with everything on it, one service, or one check.
    static func deregisterEntry(_ context: ConsulContext) throws -> Reply {
        let deregistration = try CatalogRequestDecoder.deregistration(try context.bodyJSON(), datacenter: context.datacenter)
        return context.write(.catalogDeregister(deregistration)) { _ in .jsonBool(true) }
    }

    // MARK: Reads

    /// The known datacenters; until federation, this one. Consul answers this without a leader
    /// and without blocking or an index.
    static func datacenters(_ context: ConsulContext) throws -> Reply {
        .response(context.json(.array([.string(context.datacenter)])))
    }

    /// Every node (with `node-meta`, those that carry it), by name.
    static func nodes(_ context: ConsulContext) throws -> Reply {
        let answer = try context.store.nodes()
        return try context.readJSON(index: answer.index, watch: [.nodes]) {
            let items = answer.value.filter { context.matchesNodeMeta($0.value.meta) }
                .map { CatalogJSON.node($0, datacenter: context.datacenter) }
            return .array(try context.applyFilter(items))
        }
    }

    /// Service name → the union of its instances' tags. With `node-meta` or `filter` the map is
    /// built from the instances that qualify (Consul evaluates `filter` per ServiceNode).
    static func services(_ context: ConsulContext) throws -> Reply {
        let answer = try context.store.services()
        guard !context.nodeMetaFilters.isEmpty || context.filterText != nil else {
            return context.readJSON(index: answer.index, watch: [.services]) {
                .object(answer.value.map { ($0.name, CatalogJSON.strings($0.tags)) })
            }
        }
        let nodes = try context.store.nodes()
        var instances: [ServiceInstance] = []
        for node in nodes.value where context.matchesNodeMeta(node.value.meta) {
            for service in try context.store.node(named: node.value.name).value?.services ?? [] {
                instances.append(ServiceInstance(node: node, service: service))
            }
        }
        return try context.readJSON(index: max(answer.index, nodes.index), watch: [.nodes, .services]) {
            let items = instances.map { CatalogJSON.serviceNode($0, datacenter: context.datacenter) }
            return tagsByName(try context.applyFilter(items))
        }
    }

    /// Groups ServiceNodes into `{name: tags}`, names and tags sorted by bytes, tags unique.
    static func tagsByName(_ serviceNodes: [JSON]) -> JSON {
        var tags: [String: Set<String>] = [:]
        for item in serviceNodes {
            guard case .string(let name)? = item["ServiceName"], case .array(let list)? = item["ServiceTags"] else { continue }
            tags[name, default: []].formUnion(list.compactMap { if case .string(let tag) = $0 { tag } else { nil } })
        }
        return .object(CatalogJSON.sortedKeys(tags).map { name in
            let sorted = (tags[name] ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return (name, CatalogJSON.strings(sorted))
        })
    }

    /// The instances of one service (ServiceNode shape), by node then service ID; every `tag`
    /// must be on the instance, every `node-meta` pair on its node. Unknown service: `[]`.
    static func service(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("name", missing: "Missing service name")
        let answer = try context.store.serviceInstances(named: name)
        return try context.readJSON(index: answer.index, watch: [.service(name)]) {
            let tags = context.tagFilters
            let items = answer.value
                .filter { instance in tags.allSatisfy(instance.service.value.tags.contains) && context.matchesNodeMeta(instance.node.value.meta) }
                .map { CatalogJSON.serviceNode($0, datacenter: context.datacenter) }
            return .array(try context.applyFilter(items))
        }
    }

    /// `{"Node": Node, "Services": {id: NodeService}}`; an unknown node is `null` with 200.
    /// `filter` applies to the services.
    static func node(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("node", missing: "Missing node name")
        let answer = try context.store.node(named: name)
        return try context.readJSON(index: answer.index, watch: [.node(name)]) {
            guard let found = answer.value else { return .null }
            let services = try context.applyFilter(found.services.map(CatalogJSON.nodeService))
            return .object([
                ("Node", CatalogJSON.node(found.node, datacenter: context.datacenter)),
                ("Services", CatalogJSON.keyed(services, by: "ID")),
            ])
        }
    }

    /// Like `node`, with `Services` as a list; an unknown node is `{"Node": null, "Services": []}`.
    static func nodeServices(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("node", missing: "Missing node name")
        let answer = try context.store.node(named: name)
        return try context.readJSON(index: answer.index, watch: [.node(name)]) {
            let services = try context.applyFilter(answer.value?.services.map(CatalogJSON.nodeService) ?? [])
            return .object([
                ("Node", answer.value.map { CatalogJSON.node($0.node, datacenter: context.datacenter) } ?? .null),
                ("Services", .array(services)),
            ])
        }
    }
}
