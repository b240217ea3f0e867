import Registry

// The 8761 discovery API's own commands: versioned service configurations and
// least-connections leases (StateSchema.version3 explains the tables).

extension StateWriter {
    // MARK: Configurations

    /// Stores the next version of a service's configuration and drops versions beyond the kept
    /// window. `created_ms` is the first version's time since the configuration last came into
    /// being; `updated_ms` is this version's.
    mutating func configPut(_ update: ServiceConfigUpdate) throws(StoreError) -> ApplyResult {
        let now = nowMilliseconds ?? 0
        let head = try db.select(
            "SELECT last_version, live, create_index FROM config_heads WHERE service_name = ?", [.text(update.serviceName)]
        ) { (row) throws(StoreError) in (try row.unsigned(), row.bool(), try row.unsigned()) }.first
        let version = (head?.0 ?? 0) + 1
        try db.run(
            """
            INSERT INTO config_heads(service_name, last_version, created_ms, live, create_index, modify_index)
            VALUES (?, ?, ?, 1, ?, ?)
            ON CONFLICT(service_name) DO UPDATE SET last_version = excluded.last_version, live = 1,
              modify_index = excluded.modify_index,
              created_ms = CASE WHEN config_heads.live = 0 THEN excluded.created_ms ELSE config_heads.created_ms END
            """,
            [.text(update.serviceName), .unsigned(version), .unsigned(now), .unsigned(head?.2 ?? index), .unsigned(index)])
        try db.run(
            "INSERT INTO config_versions(service_name, version, environment, config, updated_ms, modify_index) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(update.serviceName), .unsigned(version), .text(update.environment), .text(update.config), .unsigned(now), .unsigned(index)])
        let kept = UInt64(RegistryLimits.keptConfigVersions)
        if version > kept {
            try db.run("DELETE FROM config_versions WHERE service_name = ? AND version <= ?",
                       [.text(update.serviceName), .unsigned(version - kept)])
        }
        touch(.config(update.serviceName))
        return .configVersion(version)
    }

    /// Deletes the configuration's versions; the head stays so numbering continues. Unknown (or
    /// already deleted) configurations are a 404.
    mutating func configDelete(serviceName: String) throws(StoreError) -> ApplyResult {
        let changed = try db.run(
            "UPDATE config_heads SET live = 0, modify_index = ? WHERE service_name = ? AND live = 1",
            [.unsigned(index), .text(serviceName)])
        guard changed == 1 else { return .refused(status: 404, message: "no configuration for service \(serviceName)") }
        try db.run("DELETE FROM config_versions WHERE service_name = ?", [.text(serviceName)])
        touch(.config(serviceName))
        return .done
    }

    // MARK: Leases

    /// Grants a lease on the healthy instance (passing or warning, not in maintenance) with the
    /// fewest unexpired leases; ties go to the instance granted the fewest leases ever, then by
    /// node and service ID, so picks that are released at once still rotate. Expired leases are
    /// purged on the way (they count for nothing already). No healthy instance is a 404.
    mutating func leaseGrant(_ grant: LeaseGrant) throws(StoreError) -> ApplyResult {
        let now = nowMilliseconds ?? 0
        guard try !read.leaseExists(id: grant.leaseID) else {
            return .refused(status: 409, message: "lease \(grant.leaseID) exists")
        }
        try db.run("DELETE FROM leases WHERE expires_ms <= ?", [.unsigned(now)])
        var best: (active: UInt64, granted: UInt64, node: String, id: String)?
        for instance in try read.instances(named: grant.serviceName) {
            let checks = try read.healthChecks(node: instance.node, serviceID: instance.service.value.id).map(\.value)
            switch HealthStatus.aggregate(checks) {
            case .passing, .warning: break
            case .critical, .maintenance: continue
            }
            let key: [SQLiteValue] = [.text(grant.serviceName), .text(instance.node), .text(instance.service.value.id)]
            let active = try db.select(
                "SELECT count(*) FROM leases WHERE service_name = ? AND node = ? AND service_id = ?", key
            ) { (row) throws(StoreError) in try row.unsigned() }.first ?? 0
            let granted = try db.select(
                "SELECT granted FROM lease_grants WHERE service_name = ? AND node = ? AND service_id = ?", key
            ) { (row) throws(StoreError) in try row.unsigned() }.first ?? 0
            let candidate = (active, granted, instance.node, instance.service.value.id)
            if let current = best, (current.active, current.granted) <= (active, granted) { continue }
            best = candidate
        }
        guard let best else {
            return .refused(status: 404, message: "no healthy instances of service \(grant.serviceName)")
        }
        let expires = now &+ grant.ttlMilliseconds
        try db.run(
            "INSERT INTO leases(id, service_name, node, service_id, expires_ms, create_index) VALUES (?, ?, ?, ?, ?, ?)",
            [.text(grant.leaseID), .text(grant.serviceName), .text(best.node), .text(best.id), .unsigned(expires), .unsigned(index)])
        try db.run(
            """
            INSERT INTO lease_grants(service_name, node, service_id, granted) VALUES (?, ?, ?, 1)
            ON CONFLICT(service_name, node, service_id) DO UPDATE SET granted = granted + 1
            """, [.text(grant.serviceName), .text(best.node), .text(best.id)])
        return .lease(LeaseOutcome(leaseID: grant.leaseID, node: best.node, serviceID: best.id, expiresMilliseconds: expires))
    }

    /// Ends a lease held on instance `serviceID` of `serviceName`; unknown or expired leases,
    /// and leases on another instance, are a 404.
    mutating func leaseRelease(leaseID: String, serviceName: String, serviceID: String) throws(StoreError) -> ApplyResult {
        let now = nowMilliseconds ?? 0
        let changed = try db.run(
            "DELETE FROM leases WHERE id = ? AND service_name = ? AND service_id = ? AND expires_ms > ?",
            [.text(leaseID), .text(serviceName), .text(serviceID), .unsigned(now)])
        guard changed == 1 else {
            return .refused(status: 404, message: "no active lease \(leaseID) on instance \(serviceID) of service \(serviceName)")
        }
        return .done
    }
}
