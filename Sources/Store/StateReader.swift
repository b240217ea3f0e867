import Registry

/// Reads registry values (with their maps and lists from the child tables) out of `state.db`.
/// Used by the queries and, inside apply's transaction, by `StateWriter`; every multi-row SELECT
/// has an ORDER BY, so results never depend on SQLite's plan.
struct StateReader {
    let db: SQLiteConnection
    /// The instances by name (`ServiceNameIndex`), in step with `db`'s open transaction.
    let names: ServiceNameIndex

    // MARK: Nodes

    func node(named name: String) throws(StoreError) -> Indexed<Node>? {
        try nodes(where: "name = ?", [.text(name)]).first
    }

    /// Whether the node is registered: one indexed lookup, without reading its children.
    func nodeExists(named name: String) throws(StoreError) -> Bool {
        try !db.select("SELECT 1 FROM nodes WHERE name = ?", [.text(name)]) { (_) throws(StoreError) in () }.isEmpty
    }

    /// Server nodes whose checks another server runs: node name to the owner's node name.
    func checkOwners() throws(StoreError) -> [String: String] {
        let pairs = try db.select("SELECT node, owner FROM check_owners") { (row) throws(StoreError) in (row.text(), row.text()) }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    func nodes() throws(StoreError) -> [Indexed<Node>] {
        try nodes(where: "1", [])
    }

    private func nodes(where condition: String, _ values: [SQLiteValue]) throws(StoreError) -> [Indexed<Node>] {
        let rows = try db.select("SELECT \(NodeRow.columns) FROM nodes WHERE \(condition) ORDER BY name", values, NodeRow.decode)
        var nodes: [Indexed<Node>] = []
        for var row in rows {
            let owner: [SQLiteValue] = [.text(row.value.name)]
            row.value.taggedAddresses = try db.map(.nodeTaggedAddresses, owner: owner)
            row.value.meta = try db.map(.nodeMeta, owner: owner)
            nodes.append(row)
        }
        return nodes
    }

    // MARK: Services

    func service(node: String, id: String) throws(StoreError) -> Indexed<Service>? {
        try services(sql: Self.serviceByKeySQL, [.text(node), .text(id)]).first?.service
    }

    /// The node's instances by service ID.
    func services(onNode node: String) throws(StoreError) -> [Indexed<Service>] {
        try services(where: "node = ?", [.text(node)], order: "node, id").map(\.service)
    }

    /// Every instance of `name`, by node name then service ID.
    func instances(named name: String) throws(StoreError) -> [(node: String, service: Indexed<Service>)] {
        var result: [(node: String, service: Indexed<Service>)] = []
        for instance in names.instances(named: name) {
            guard let service = try service(node: instance.node, id: instance.id) else {
                throw .corrupt("services: \(instance.node)/\(instance.id), indexed under \(name), has no row")
            }
            result.append((instance.node, service))
        }
        return result
    }

    /// The distinct service names with an instance on `node`, in byte order. A node-level
    /// change (a node update, a server going silent or back, a node check's status) touches
    /// every name on the node: from memory, that costs nothing per instance.
    func serviceNames(onNode node: String) -> [String] {
        names.names(onNode: node)
    }

    func hasInstances(named name: String) -> Bool {
        names.hasInstances(named: name)
    }

    /// Each service name with the sorted, de-duplicated union of its instances' tags.
    func serviceTags() throws(StoreError) -> [ServiceTags] {
        let rows = try db.select("SELECT name, tags FROM services ORDER BY name") { (row) throws(StoreError) in
            let name = row.text()
            return (name, try TagsColumn.decode(row.text(), "an instance of service \(name)"))
        }
        var result: [ServiceTags] = []
        var union = Set<String>()
        for (position, (name, tags)) in rows.enumerated() {
            union.formUnion(tags)
            guard position == rows.count - 1 || rows[position + 1].0 != name else { continue }
            // In byte order, as SQLite's BINARY collation sorted them when they were rows.
            result.append(ServiceTags(name: name, tags: union.sorted(by: utf8Precedes)))
            union = []
        }
        return result
    }

    // Built once: the statement cache is keyed by SQL text, and the apply path reads an
    // instance and its checks for every registration.
    private static let serviceByKeySQL = servicesSQL(where: "node = ? AND id = ?", order: "node, id")
    private static let checkByKeySQL = checksSQL(where: "node = ? AND id = ?")
    private static let checksOfInstanceSQL = checksSQL(where: "node = ? AND service_id = ?")

    private static func servicesSQL(where condition: String, order: String) -> String {
        "SELECT \(ServiceRow.columns) FROM services WHERE \(condition) ORDER BY \(order)"
    }

    private static func checksSQL(where condition: String) -> String {
        "SELECT \(CheckRow.columns) FROM checks WHERE \(condition) ORDER BY node, id"
    }

    private func services(
        where condition: String, _ values: [SQLiteValue], order: String
    ) throws(StoreError) -> [(node: String, service: Indexed<Service>)] {
        try services(sql: Self.servicesSQL(where: condition, order: order), values)
    }

    private func services(
        sql: String, _ values: [SQLiteValue]
    ) throws(StoreError) -> [(node: String, service: Indexed<Service>)] {
        let rows = try db.select(sql, values, ServiceRow.decode)
        var services: [(node: String, service: Indexed<Service>)] = []
        for var row in rows {
            let owner: [SQLiteValue] = [.text(row.node), .text(row.service.value.id)]
            row.service.value.meta = try db.map(.serviceMeta, owner: owner)
            let addresses = try db.items(.serviceTaggedAddresses, owner: owner) { (item) throws(StoreError) in
                (item.text(), ServiceAddress(address: item.text(), port: item.int()))
            }
            row.service.value.taggedAddresses = Dictionary(addresses, uniquingKeysWith: { first, _ in first })
            services.append(row)
        }
        return services
    }

    // MARK: Checks

    func check(node: String, id: String) throws(StoreError) -> Indexed<Check>? {
        try checks(sql: Self.checkByKeySQL, [.text(node), .text(id)]).first
    }

    /// Every check on `node`, node-level and service ones, by check ID.
    func checks(onNode node: String) throws(StoreError) -> [Indexed<Check>] {
        try checks(where: "node = ?", [.text(node)])
    }

    /// The checks of one instance, by check ID.
    func checks(node: String, serviceID: String) throws(StoreError) -> [Indexed<Check>] {
        try checks(sql: Self.checksOfInstanceSQL, [.text(node), .text(serviceID)])
    }

    /// The node-level checks of `node` and the checks of its instance `serviceID`, by check ID:
    /// the `Checks` of a `health/service` entry.
    func healthChecks(node: String, serviceID: String) throws(StoreError) -> [Indexed<Check>] {
        try checks(where: "node = ? AND (service_id = '' OR service_id = ?)", [.text(node), .text(serviceID)])
    }

    /// The checks of every instance of the service `name`, by node then check ID.
    func checks(ofServiceNamed name: String) throws(StoreError) -> [Indexed<Check>] {
        try checks(where: "service_name = ? AND service_id != ''", [.text(name)])
    }

    /// Checks with `status` (every check when nil), by node then check ID.
    func checks(inState status: HealthStatus?) throws(StoreError) -> [Indexed<Check>] {
        guard let status else { return try checks(where: "1", []) }
        return try checks(where: "status = ?", [.text(status.rawValue)])
    }

    private func checks(where condition: String, _ values: [SQLiteValue]) throws(StoreError) -> [Indexed<Check>] {
        try checks(sql: Self.checksSQL(where: condition), values)
    }

    private func checks(sql: String, _ values: [SQLiteValue]) throws(StoreError) -> [Indexed<Check>] {
        let rows = try db.select(sql, values, CheckRow.decode)
        var checks: [Indexed<Check>] = []
        for var row in rows {
            let owner: [SQLiteValue] = [.text(row.value.node), .text(row.value.checkID)]
            row.value.serviceTags = try db.list(.checkServiceTags, owner: owner)
            row.value.definition.args = try db.list(.checkArgs, owner: owner)
            let header = try db.items(.checkHeaders, owner: owner) { (item) throws(StoreError) in
                (name: item.text(), position: item.int64(), value: item.text())
            }
            for field in header {
                row.value.definition.header[field.name, default: []].append(field.value)
            }
            checks.append(row)
        }
        return checks
    }
}
