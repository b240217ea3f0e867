import Registry

// The reads of the 8761 discovery API (StateSchema.version3 for the tables).

/// One instance as the discovery API shows it: the health entry plus the times the seed's
/// `ServiceInstance` carries.
public struct DiscoveryInstance: Sendable, Equatable {
    public var entry: HealthServiceEntry
    /// Leader time of the first registration; 0 when unknown (registered before migration 3).
    public var registeredMilliseconds: UInt64
    /// Leader time of each check's last status or output change, by check ID.
    public var checkMilliseconds: [String: UInt64]

    /// The latest status or output change among its checks; nil without checks.
    public var lastCheckMilliseconds: UInt64? { checkMilliseconds.values.max() }
}

/// One stored version of a service configuration.
public struct StoredConfig: Sendable, Equatable {
    public init(serviceName: String, version: UInt64, environment: String, config: String, createdMilliseconds: UInt64, updatedMilliseconds: UInt64) {
        self.serviceName = serviceName
        self.version = version
        self.environment = environment
        self.config = config
        self.createdMilliseconds = createdMilliseconds
        self.updatedMilliseconds = updatedMilliseconds
    }

    public var serviceName: String
    public var version: UInt64
    public var environment: String
    /// Compact JSON text of an object.
    public var config: String
    public var createdMilliseconds: UInt64
    public var updatedMilliseconds: UInt64
}

extension StateStore {
    /// Every instance of `name` with health and times, by node then service ID.
    public func discoveryInstances(named name: String) throws(StoreError) -> Answer<[DiscoveryInstance]> {
        let (index, entries) = try healthServiceEntries(named: name)
        let instances = try entries.map { (entry) throws(StoreError) -> DiscoveryInstance in
            let owner: [SQLiteValue] = [.text(entry.node.value.name), .text(entry.service.value.id)]
            let registered = try connection.select(
                "SELECT registered_ms FROM services WHERE node = ? AND id = ?", owner) { (row) throws(StoreError) in try row.unsigned() }
            let times = try connection.select(
                "SELECT id, status_ms FROM checks WHERE node = ? AND (service_id = '' OR service_id = ?)", owner) { (row) throws(StoreError) in
                (row.text(), try row.unsigned())
            }
            return DiscoveryInstance(
                entry: entry,
                registeredMilliseconds: registered.first ?? 0,
                checkMilliseconds: Dictionary(times, uniquingKeysWith: max))
        }
        return (index, instances)
    }

    /// The (node, service name) of every instance whose ID is `id`, by node.
    public func instances(withServiceID id: String) throws(StoreError) -> [(node: String, name: String)] {
        try connection.select("SELECT node, name FROM services WHERE id = ? ORDER BY node", [.text(id)]) { (row) throws(StoreError) in
            (row.text(), row.text())
        }
    }

    /// A service's configuration: the latest version, or `version` if it is still kept. The
    /// index is the configuration's own (what a watcher of it waits on).
    public func serviceConfig(named name: String, version: UInt64? = nil) throws(StoreError) -> Answer<StoredConfig?> {
        let index = try self.index(["config." + name])
        let rows = try connection.select(
            """
            SELECT v.version, v.environment, v.config, h.created_ms, v.updated_ms
            FROM config_heads h JOIN config_versions v ON v.service_name = h.service_name
            WHERE h.service_name = ? AND h.live = 1 AND (? IS NULL OR v.version = ?)
            ORDER BY v.version DESC LIMIT 1
            """, [.text(name), version.map { .unsigned($0) } ?? .null, version.map { .unsigned($0) } ?? .null]
        ) { (row) throws(StoreError) in
            StoredConfig(serviceName: name, version: try row.unsigned(), environment: row.text(), config: row.text(),
                         createdMilliseconds: try row.unsigned(), updatedMilliseconds: try row.unsigned())
        }
        return (index, rows.first)
    }

    /// The kept version numbers of a live configuration, oldest first.
    public func configVersions(named name: String) throws(StoreError) -> [UInt64] {
        try connection.select(
            """
            SELECT v.version FROM config_heads h JOIN config_versions v ON v.service_name = h.service_name
            WHERE h.service_name = ? AND h.live = 1 ORDER BY v.version
            """, [.text(name)]) { (row) throws(StoreError) in try row.unsigned() }
    }

    /// Unexpired least-connections leases per instance of `name` at leader time `now`, keyed
    /// "node\0serviceID".
    public func activeLeases(serviceName name: String, now: UInt64) throws(StoreError) -> [String: UInt64] {
        var counts: [String: UInt64] = [:]
        for (node, id, count) in try connection.select(
            "SELECT node, service_id, count(*) FROM leases WHERE service_name = ? AND expires_ms > ? GROUP BY node, service_id",
            [.text(name), .unsigned(now)], { (row) throws(StoreError) in (row.text(), row.text(), try row.unsigned()) }) {
            counts[node + "\u{0}" + id] = count
        }
        return counts
    }
}

extension StateStore {
    /// One check by node and ID.
    public func check(_ ref: CheckRef) throws(StoreError) -> Indexed<Check>? {
        try read.check(node: ref.node, id: ref.checkID)
    }
}

extension StateReader {
    func leaseExists(id: String) throws(StoreError) -> Bool {
        try !db.select("SELECT 1 FROM leases WHERE id = ?", [.text(id)]) { (_) throws(StoreError) in () }.isEmpty
    }
}
