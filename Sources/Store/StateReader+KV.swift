import Registry

extension StateReader {
    // MARK: KV

    func kvEntry(key: String) throws(StoreError) -> Indexed<KVEntry>? {
        try db.select("SELECT \(KVRow.columns) FROM kvs WHERE key = ? ORDER BY key", [.key(key)], KVRow.decode).first
    }

    /// The entries under `prefix` ("" is every key), in key byte order.
    func kvEntries(prefix: String) throws(StoreError) -> [Indexed<KVEntry>] {
        let range = KeyPrefix(prefix).condition(on: "key")
        return try db.select("SELECT \(KVRow.columns) FROM kvs WHERE \(range.sql) ORDER BY key", range.values, KVRow.decode)
    }

    /// The keys under `prefix`, in byte order.
    func kvKeys(prefix: String) throws(StoreError) -> [String] {
        let range = KeyPrefix(prefix).condition(on: "key")
        return try db.select("SELECT key FROM kvs WHERE \(range.sql) ORDER BY key", range.values) { (row) throws(StoreError) in row.key() }
    }

    /// The keys whose lock `session` holds, in byte order.
    func kvKeys(heldBy session: String) throws(StoreError) -> [String] {
        try db.select("SELECT key FROM kvs WHERE session = ? ORDER BY key", [.text(session)]) { (row) throws(StoreError) in row.key() }
    }

    /// The index of the tombstone `key` left when it was deleted, or 0.
    func tombstoneIndex(key: String) throws(StoreError) -> UInt64 {
        try maxIndex("SELECT MAX(idx) FROM kv_tombstones WHERE key = ?", [.key(key)])
    }

    /// The highest ModifyIndex under `prefix`, tombstones of deleted keys included, or 0.
    func highestIndex(prefix: String) throws(StoreError) -> UInt64 {
        let range = KeyPrefix(prefix).condition(on: "key")
        let live = try maxIndex("SELECT MAX(modify_index) FROM kvs WHERE \(range.sql)", range.values)
        let dead = try maxIndex("SELECT MAX(idx) FROM kv_tombstones WHERE \(range.sql)", range.values)
        return max(live, dead)
    }

    /// When the lock-delay on `key` ends (leader milliseconds), if one was recorded.
    func lockDelayUntil(key: String) throws(StoreError) -> UInt64? {
        try db.select("SELECT until_ms FROM kv_lock_delays WHERE key = ? ORDER BY key", [.key(key)]) { (row) throws(StoreError) in
            try row.unsigned()
        }.first
    }

    // MARK: Sessions

    func session(id: String) throws(StoreError) -> Indexed<Session>? {
        try sessions(where: "id = ?", [.text(id)]).first?.session
    }

    /// Every session by ID (with `node` set, only that node's).
    func sessions(onNode node: String? = nil) throws(StoreError) -> [Indexed<Session>] {
        guard let node else { return try sessions(where: "1", []).map(\.session) }
        return try sessions(where: "node = ?", [.text(node)]).map(\.session)
    }

    /// Sessions with a TTL and the leader time of their last create or renew, by ID.
    func sessionTimers() throws(StoreError) -> [SessionTimer] {
        try sessions(where: "ttl_ns IS NOT NULL AND ttl_ns != 0", []).map { row in
            SessionTimer(id: row.session.value.id, ttlNanoseconds: row.session.value.ttlNanoseconds ?? 0, renewedMilliseconds: row.renewedMilliseconds)
        }
    }

    /// The IDs of the sessions on `node` bound to its check `checkID`, by ID.
    func sessionIDs(node: String, boundToCheck checkID: String) throws(StoreError) -> [String] {
        let sql = """
            SELECT DISTINCT s.id FROM sessions s JOIN session_checks c ON c.session = s.id
            WHERE s.node = ? AND c.check_id = ? ORDER BY s.id
            """
        return try db.select(sql, [.text(node), .text(checkID)]) { (row) throws(StoreError) in row.text() }
    }

    private func sessions(
        where condition: String, _ values: [SQLiteValue]
    ) throws(StoreError) -> [(session: Indexed<Session>, renewedMilliseconds: UInt64)] {
        let sql = "SELECT \(SessionRow.columns) FROM sessions WHERE \(condition) ORDER BY id"
        let rows = try db.select(sql, values, SessionRow.decode)
        var sessions: [(session: Indexed<Session>, renewedMilliseconds: UInt64)] = []
        for var row in rows {
            let checks = try db.items(.sessionChecks, owner: [.text(row.session.value.id)]) { (item) throws(StoreError) in
                (kind: item.text(), position: item.int64(), id: item.text(), namespace: item.text())
            }
            row.session.value.nodeChecks = checks.filter { $0.kind == "node" }.map(\.id)
            row.session.value.serviceChecks = checks.filter { $0.kind == "service" }.map {
                ServiceCheckRef(id: $0.id, namespace: $0.namespace)
            }
            sessions.append(row)
        }
        return sessions
    }

    // MARK: Events

    /// The kept events (all, or those named `name`), oldest first.
    func events(named name: String?) throws(StoreError) -> [Indexed<UserEvent>] {
        guard let name else {
            return try db.select("SELECT \(EventRow.columns) FROM events ORDER BY create_index", [], EventRow.decode)
        }
        return try db.select(
            "SELECT \(EventRow.columns) FROM events WHERE name = ? ORDER BY create_index", [.text(name)], EventRow.decode)
    }

    // MARK: Indexes

    /// The highest of the `index_table` rows named `keys`, or 0 when none exists.
    func index(of keys: [String]) throws(StoreError) -> UInt64 {
        var highest: UInt64 = 0
        for key in keys {
            highest = max(highest, try maxIndex("SELECT MAX(idx) FROM index_table WHERE key = ?", [.text(key)]))
        }
        return highest
    }

    /// The `index_table` row `key`, or nil when there is none.
    func indexRow(_ key: String) throws(StoreError) -> UInt64? {
        try db.select("SELECT idx FROM index_table WHERE key = ? ORDER BY key", [.text(key)]) { (row) throws(StoreError) in
            try row.unsigned()
        }.first
    }

    /// The single value of an aggregate query (MAX), 0 for NULL.
    private func maxIndex(_ sql: String, _ values: [SQLiteValue]) throws(StoreError) -> UInt64 {
        let value = try db.select(sql, values) { (row) throws(StoreError) in row.optionalInt64() }.first ?? nil
        guard let value else { return 0 }
        guard value >= 0 else { throw .corrupt("state.db: negative index \(value) from \(sql)") }
        return UInt64(value)
    }
}
