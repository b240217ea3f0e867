/// The registry's tables in `state.db` (migration 2). Released SQL: append a new migration to
/// change it, never edit this one.
///
/// Layout choices, and why:
/// - Every registry row carries `create_index` and `modify_index` (Raft indexes, DESIGN.md §6).
/// - Scalars are columns; maps and lists are child tables (`node_meta`, `service_tags`, ...)
///   keyed by their owner and cascading with it. Registry's canonical `BinaryWriter` is internal
///   to that module, and child tables keep every row readable in SQL and in the canonical dump.
///   List children keep their `position`, so duplicates and order survive (Consul keeps both).
///   Migration 5 moved one of them, a service's tags, into a column of `services`, because a
///   row per tag cost every registration an insert (StateSchema+TagsColumn.swift).
/// - KV keys (and tombstone and lock-delay keys) are BLOBs of the key's UTF-8 bytes: SQLite
///   compares blobs with memcmp, so `ORDER BY key` is Consul's byte order and a prefix is a key
///   range, whatever bytes the key holds.
/// - Unsigned values that are never compared in SQL (KV flags, event LTime) keep their 64-bit
///   pattern in a signed INTEGER column.
/// - `index_table` holds the per-table and per-key modify indexes that blocking queries report
///   ("nodes", "services", "checks", "kvs", "sessions", "events", "service.<name>",
///   "node.<name>"); a per-key row goes away with the last row it describes, and queries then
///   fall back to the table index, which is never lower.
/// - Foreign keys (enabled per connection by `StateStore`) assert the invariants apply keeps:
///   no service or check without its node, no lock held by a missing session. Apply deletes
///   parents' rows explicitly, because it must report what it touched; a violation is a bug and
///   stops the node.
enum StateSchema {
    static let version2 = """
        CREATE TABLE index_table(
            key TEXT PRIMARY KEY,
            idx INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE nodes(
            name TEXT PRIMARY KEY,
            id TEXT NOT NULL,
            address TEXT NOT NULL,
            datacenter TEXT NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE node_tagged_addresses(
            node TEXT NOT NULL REFERENCES nodes(name) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(node, key)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE node_meta(
            node TEXT NOT NULL REFERENCES nodes(name) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(node, key)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE services(
            node TEXT NOT NULL REFERENCES nodes(name),
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            address TEXT NOT NULL,
            port INTEGER NOT NULL,
            weight_passing INTEGER NOT NULL,
            weight_warning INTEGER NOT NULL,
            enable_tag_override INTEGER NOT NULL,
            kind TEXT NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL,
            PRIMARY KEY(node, id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX services_by_name ON services(name, node, id);
        CREATE TABLE service_tags(
            node TEXT NOT NULL,
            service_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY(node, service_id, position),
            FOREIGN KEY(node, service_id) REFERENCES services(node, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE service_tagged_addresses(
            node TEXT NOT NULL,
            service_id TEXT NOT NULL,
            key TEXT NOT NULL,
            address TEXT NOT NULL,
            port INTEGER NOT NULL,
            PRIMARY KEY(node, service_id, key),
            FOREIGN KEY(node, service_id) REFERENCES services(node, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE service_meta(
            node TEXT NOT NULL,
            service_id TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(node, service_id, key),
            FOREIGN KEY(node, service_id) REFERENCES services(node, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE checks(
            node TEXT NOT NULL REFERENCES nodes(name),
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK(status IN ('passing', 'warning', 'critical')),
            notes TEXT NOT NULL,
            output TEXT NOT NULL,
            service_id TEXT NOT NULL,
            service_name TEXT NOT NULL,
            exposed_port INTEGER NOT NULL,
            http TEXT NOT NULL,
            method TEXT NOT NULL,
            body TEXT NOT NULL,
            tls_server_name TEXT NOT NULL,
            tls_skip_verify INTEGER NOT NULL,
            tcp TEXT NOT NULL,
            tcp_use_tls INTEGER NOT NULL,
            udp TEXT NOT NULL,
            grpc TEXT NOT NULL,
            grpc_use_tls INTEGER NOT NULL,
            h2ping TEXT NOT NULL,
            h2ping_use_tls INTEGER NOT NULL,
            alias_node TEXT NOT NULL,
            alias_service TEXT NOT NULL,
            ttl_ns INTEGER,
            interval_ns INTEGER,
            timeout_ns INTEGER,
            deregister_critical_service_after_ns INTEGER,
            success_before_passing INTEGER NOT NULL,
            failures_before_warning INTEGER NOT NULL,
            failures_before_critical INTEGER NOT NULL,
            output_max_size INTEGER NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL,
            PRIMARY KEY(node, id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX checks_by_service_name ON checks(service_name, node, id);
        CREATE INDEX checks_by_service_id ON checks(node, service_id, id);
        CREATE INDEX checks_by_status ON checks(status, node, id);
        CREATE TABLE check_service_tags(
            node TEXT NOT NULL,
            check_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY(node, check_id, position),
            FOREIGN KEY(node, check_id) REFERENCES checks(node, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE check_headers(
            node TEXT NOT NULL,
            check_id TEXT NOT NULL,
            name TEXT NOT NULL,
            position INTEGER NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY(node, check_id, name, position),
            FOREIGN KEY(node, check_id) REFERENCES checks(node, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE check_args(
            node TEXT NOT NULL,
            check_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            arg TEXT NOT NULL,
            PRIMARY KEY(node, check_id, position),
            FOREIGN KEY(node, check_id) REFERENCES checks(node, id) ON DELETE CASCADE
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE sessions(
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            node TEXT NOT NULL REFERENCES nodes(name),
            lock_delay_ns INTEGER NOT NULL,
            behavior TEXT NOT NULL CHECK(behavior IN ('release', 'delete')),
            ttl_ns INTEGER,
            renewed_ms INTEGER NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX sessions_by_node ON sessions(node, id);
        CREATE TABLE session_checks(
            session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK(kind IN ('node', 'service')),
            position INTEGER NOT NULL,
            check_id TEXT NOT NULL,
            namespace TEXT NOT NULL,
            PRIMARY KEY(session, kind, position)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX session_checks_by_check ON session_checks(check_id, session);

        CREATE TABLE kvs(
            key BLOB PRIMARY KEY,
            flags INTEGER NOT NULL,
            value BLOB NOT NULL,
            session TEXT REFERENCES sessions(id),
            lock_index INTEGER NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX kvs_by_session ON kvs(session, key) WHERE session IS NOT NULL;
        CREATE TABLE kv_tombstones(
            key BLOB PRIMARY KEY,
            idx INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE kv_lock_delays(
            key BLOB PRIMARY KEY,
            until_ms INTEGER NOT NULL,
            create_index INTEGER NOT NULL,
            modify_index INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE events(
            create_index INTEGER PRIMARY KEY,
            modify_index INTEGER NOT NULL,
            id TEXT NOT NULL,
            name TEXT NOT NULL,
            payload BLOB NOT NULL,
            node_filter TEXT NOT NULL,
            service_filter TEXT NOT NULL,
            tag_filter TEXT NOT NULL,
            ltime INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX events_by_name ON events(name, create_index);
        """
}
