/// Migration 3: what the 8761 discovery API needs beyond Consul's catalog. Released SQL: never
/// edit it; append a migration.
///
/// - `services.registered_ms`: leader time of the instance's first registration (the seed's
///   `registered_at`); `checks.status_ms`: leader time of the check's last status or output
///   change (`last_health_check`). Both come from the log entry, so replicas agree; rows from
///   before this migration read 0 ("unknown").
/// - `config_heads` / `config_versions`: each service configuration, numbered from 1 and never
///   renumbered, the last `RegistryLimits.keptConfigVersions` kept. A delete keeps the head
///   (`live = 0`) so that a later PUT continues the numbering: a watcher never sees a version
///   number twice.
/// - `leases` / `lease_grants`: least-connections leases, and how many each instance was ever
///   granted (the tie-break that makes equal counts rotate).
extension StateSchema {
    static let version3 = """
        ALTER TABLE services ADD COLUMN registered_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE checks ADD COLUMN status_ms INTEGER NOT NULL DEFAULT 0;

        CREATE TABLE config_heads(
            service_name TEXT PRIMARY KEY,
            last_version INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            live INTEGER NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE config_versions(
            service_name TEXT NOT NULL REFERENCES config_heads(service_name),
            version INTEGER NOT NULL,
            environment TEXT NOT NULL,
            config TEXT NOT NULL,
            updated_ms INTEGER NOT NULL,
            modify_index INTEGER NOT NULL,
            PRIMARY KEY(service_name, version)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE leases(
            id TEXT PRIMARY KEY,
            service_name TEXT NOT NULL,
            node TEXT NOT NULL,
            service_id TEXT NOT NULL,
            expires_ms INTEGER NOT NULL,
            create_index INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX leases_by_instance ON leases(service_name, node, service_id, expires_ms);
        CREATE INDEX leases_by_expiry ON leases(expires_ms, id);
        CREATE TABLE lease_grants(
            service_name TEXT NOT NULL,
            node TEXT NOT NULL,
            service_id TEXT NOT NULL,
            granted INTEGER NOT NULL,
            PRIMARY KEY(service_name, node, service_id)
        ) STRICT, WITHOUT ROWID;
        """
}
