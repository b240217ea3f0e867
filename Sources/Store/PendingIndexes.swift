/// The `index_table` rows a batch of commands bumps, written once when the batch ends rather
/// than after every command (DESIGN.md §7).
///
/// Same rows as bumping after each command: nothing reads `index_table` while a batch applies
/// (only queries do, between batches); each row ends at the index of the last command that
/// touched it, as it would have; and whether a per-name row is kept or removed depends on
/// whether its node or service still exists, which only a command that touches the key can
/// change, so asking at the end of the batch answers as asking after that last command.
/// A value type used for one batch, on the thread that owns the connection.
struct PendingIndexes {
    /// For each `index_table` key, a watch key naming it, the last index that touched it, and
    /// whether that command left a row of its name (see `StateWriter.written`).
    private var latest: [String: (key: WatchKey, index: UInt64, written: Bool)] = [:]
    private var lastIndex: UInt64 = 0

    var isEmpty: Bool { latest.isEmpty }

    /// Records what the command at `index` touched; commands come in increasing index order and
    /// a refused command records nothing (its writes were rolled back).
    mutating func record(_ touched: [WatchKey], at index: UInt64, written: Set<WatchKey> = []) {
        precondition(index > lastIndex, "a batch's indexes increase")
        lastIndex = index
        for key in touched {
            // Keys sharing a row (every KV key is "kvs") exist or not alike; any one names it.
            latest[key.indexKey] = (key, index, written.contains(key))
        }
    }

    /// Brings `index_table` up to date for everything recorded, in key order (so the writes
    /// never depend on hashing order). A per-name row ("node.x", "service.y") is removed when
    /// nothing of that name is left; queries then fall back to the table's row, which the same
    /// command bumped too and which is never lower.
    func flush(_ read: StateReader) throws(StoreError) {
        let db = read.db
        for indexKey in latest.keys.sorted() {
            guard let (key, index, written) = latest[indexKey] else { preconditionFailure("key from the map") }
            // A name the last command touching it wrote a row of exists: asking would cost a
            // query per registration.
            assert(!written || (try? Self.stillExists(key, read)) == true, "\(key) was written but does not exist")
            let exists = written ? true : try Self.stillExists(key, read)
            if exists {
                // The WHERE makes an index going backwards change no row, which the
                // precondition then catches: indexes only ever move forward (§1.5).
                let changed = try db.run(
                    """
                    INSERT INTO index_table(key, idx) VALUES (?, ?)
                    ON CONFLICT(key) DO UPDATE SET idx = excluded.idx WHERE excluded.idx >= index_table.idx
                    """, [.text(indexKey), .unsigned(index)])
                precondition(changed == 1, "index_table[\(indexKey)] is beyond \(index)")
            } else {
                try db.run("DELETE FROM index_table WHERE key = ?", [.text(indexKey)])
            }
        }
    }

    private static func stillExists(_ key: WatchKey, _ read: StateReader) throws(StoreError) -> Bool {
        switch key {
        case .node(let name): try read.nodeExists(named: name)
        case .service(let name): read.hasInstances(named: name)
        case .nodes, .services, .checks, .kv, .sessions, .events, .config: true
        }
    }
}
