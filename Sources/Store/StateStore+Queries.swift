import Registry

// The reads the Consul API serves. Each returns the value with the index a blocking query
// reports for it (consul-api.md §1.5): the finest `index_table` row that covers the result,
// falling back to table rows when the per-name row is gone (which are never lower), and never
// 0. Orders: nodes by name; instances by node name then service ID; checks by node then check
// ID; keys by bytes; sessions by ID; events oldest first.

extension StateStore {
    /// A query's answer and the index to report with it (≥ 1).
    public typealias Answer<T> = (index: UInt64, value: T)

    var read: StateReader { StateReader(db: connection, names: names) }

    /// `catalog/nodes`.
    public func nodes() throws(StoreError) -> Answer<[Indexed<Node>]> {
        (try index(["nodes"]), try read.nodes())
    }

    /// `catalog/node/:node`: nil when there is no such node.
    public func node(named name: String) throws(StoreError) -> Answer<NodeServices?> {
        let index = try index(row: "node." + name, else: ["nodes", "services"])
        guard let node = try read.node(named: name) else { return (index, nil) }
        return (index, NodeServices(node: node, services: try read.services(onNode: name)))
    }

    /// `catalog/services`: every service name with its instances' tags.
    public func services() throws(StoreError) -> Answer<[ServiceTags]> {
        (try index(["services"]), try read.serviceTags())
    }

    /// `catalog/service/:name`.
    public func serviceInstances(named name: String) throws(StoreError) -> Answer<[ServiceInstance]> {
        let index = try index(row: "service." + name, else: ["services"])
        var instances: [ServiceInstance] = []
        for (nodeName, service) in try read.instances(named: name) {
            guard let node = try read.node(named: nodeName) else { throw .corrupt("state.db: service \(service.value.id) on missing node \(nodeName)") }
            instances.append(ServiceInstance(node: node, service: service))
        }
        return (index, instances)
    }

    /// `health/checks/:service`: the checks of every instance of the service.
    public func checks(ofService name: String) throws(StoreError) -> Answer<[Indexed<Check>]> {
        (try index(row: "service." + name, else: ["services", "checks"]), try read.checks(ofServiceNamed: name))
    }

    /// `health/node/:node`: the node's checks, node-level and service ones.
    public func checks(onNode name: String) throws(StoreError) -> Answer<[Indexed<Check>]> {
        (try index(row: "node." + name, else: ["nodes", "checks"]), try read.checks(onNode: name))
    }

    /// `health/state/:state`: the checks with `status`; nil is Consul's `any`.
    public func checks(inState status: HealthStatus?) throws(StoreError) -> Answer<[Indexed<Check>]> {
        (try index(["checks"]), try read.checks(inState: status))
    }

    /// `health/service/:name`: each instance with its node and the node-level checks plus the
    /// instance's own.
    public func healthServiceEntries(named name: String) throws(StoreError) -> Answer<[HealthServiceEntry]> {
        let index = try index(row: "service." + name, else: ["nodes", "services", "checks"])
        var entries: [HealthServiceEntry] = []
        for instance in try serviceInstances(named: name).value {
            let checks = try read.healthChecks(node: instance.node.value.name, serviceID: instance.service.value.id)
            entries.append(HealthServiceEntry(node: instance.node, service: instance.service, checks: checks))
        }
        return (index, entries)
    }

    /// `agent/services` of the agent on `node`: its instances by service ID.
    public func agentServices(onNode name: String) throws(StoreError) -> Answer<[Indexed<Service>]> {
        (try index(row: "node." + name, else: ["nodes", "services"]), try read.services(onNode: name))
    }

    /// Server nodes whose checks another server runs (`Command.nodeLiveness`): node name to
    /// the owner's node name. A node not listed is run by its own server.
    public func checkOwners() throws(StoreError) -> [String: String] {
        try read.checkOwners()
    }

    /// The checks of every node in `nodes` (those whose checks one server runs), node by node.
    public func checks(onNodes nodes: Set<String>) throws(StoreError) -> [Indexed<Check>] {
        var checks: [Indexed<Check>] = []
        for node in nodes.sorted() { checks += try read.checks(onNode: node) }
        return checks
    }

    /// `agent/checks` of the agent on `node`: its checks by check ID.
    public func agentChecks(onNode name: String) throws(StoreError) -> Answer<[Indexed<Check>]> {
        try checks(onNode: name)
    }

    // MARK: Sessions and events

    /// `session/info/:id`: nil when there is no such session.
    public func session(id: String) throws(StoreError) -> Answer<Indexed<Session>?> {
        (try index(["sessions"]), try read.session(id: id))
    }

    /// `session/list`.
    public func sessions() throws(StoreError) -> Answer<[Indexed<Session>]> {
        (try index(["sessions"]), try read.sessions())
    }

    /// `session/node/:node`.
    public func sessions(onNode name: String) throws(StoreError) -> Answer<[Indexed<Session>]> {
        (try index(["sessions"]), try read.sessions(onNode: name))
    }

    /// Sessions with a TTL and when they were last renewed (leader time), for the leader's
    /// expiry timers.
    public func sessionTimers() throws(StoreError) -> [SessionTimer] {
        try read.sessionTimers()
    }

    /// `event/list`: the kept events, all or those named `name`, oldest first. (The API turns
    /// them into Consul's opaque event index itself; this one is the table's.)
    public func events(named name: String? = nil) throws(StoreError) -> Answer<[UserEvent]> {
        (try index(["events"]), try read.events(named: name).map(\.value))
    }

    // MARK: Indexes

    /// The highest of the table rows `keys`, at least 1 (consul-api.md §1.5: never 0).
    func index(_ keys: [String]) throws(StoreError) -> UInt64 {
        max(1, try read.index(of: keys))
    }

    /// The per-name row `row` if it exists, else the highest of the table rows `keys`.
    private func index(row: String, else keys: [String]) throws(StoreError) -> UInt64 {
        if let own = try read.indexRow(row) { return max(1, own) }
        return try index(keys)
    }
}
