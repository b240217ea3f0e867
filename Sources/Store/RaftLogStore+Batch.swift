/// Where the log starts after compaction: the snapshot's index and term, the membership in
/// force there (its encoded bytes) and the snapshot file's CRC-32C.
public struct SnapshotMeta: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var configuration: [UInt8]
    public var checksum: UInt32

    public init(index: UInt64, term: UInt64, configuration: [UInt8], checksum: UInt32) {
        self.index = index
        self.term = term
        self.configuration = configuration
        self.checksum = checksum
    }

    /// CRC-32C over index and term (8 bytes each, little-endian), the file checksum (4 bytes,
    /// little-endian) and the configuration bytes.
    var rowChecksum: UInt32 {
        var crc = CRC32C()
        crc.update(littleEndian: index)
        crc.update(littleEndian: term)
        crc.update(littleEndian: UInt64(checksum))
        crc.update(configuration)
        return crc.value
    }
}

extension RaftLogStore {
    /// One Raft persistence step, durably and all at once (one transaction, one fsync):
    /// `entries` replace whatever the log holds from the first one's index on (a follower's
    /// log may end in entries a new leader overwrote); `hardState` replaces the stored one;
    /// `compaction` records that the log now starts after a snapshot; the entries it covers
    /// are deleted a bounded number per write (`StoreLimits.raftCompactedRowsPerWrite`), this
    /// one and the next ones: a compaction after 30 s of heavy writes covers some 400,000
    /// entries, and deleting them in one transaction held every commit behind it. Rows at or
    /// below the snapshot index are never read (`RaftBoot.load` starts after it).
    /// `truncateFrom` deletes entries from that index on.
    public func write(entries: [LogEntryRecord], hardState: HardStateRecord?, compaction: SnapshotMeta?, truncateFrom: UInt64? = nil) throws(StoreError) {
        if let first = entries.first {
            precondition(first.index >= 1, "log indexes start at 1")
            for (previous, next) in zip(entries, entries.dropFirst()) {
                precondition(next.index == previous.index + 1, "index \(next.index) after \(previous.index)")
            }
        }
        try connection.immediateTransaction { () throws(StoreError) in
            if let compaction {
                compactedIndex = max(compactedIndex ?? 0, compaction.index)
                try execute("""
                    INSERT INTO snapshot_meta(id, idx, term, configuration, crc) VALUES (1, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET idx = excluded.idx, term = excluded.term,
                        configuration = excluded.configuration, crc = excluded.crc
                    """, [.unsigned(compaction.index), .unsigned(compaction.term), .blob(Self.metaBlob(compaction)), .integer(Int64(compaction.rowChecksum))])
            }
            try deleteSomeCompactedRows()
            if let cut = truncateFrom {
                try execute("DELETE FROM log WHERE idx >= ?", [.unsigned(cut)])
            }
            if let first = entries.first {
                try execute("DELETE FROM log WHERE idx >= ?", [.unsigned(first.index)])
                for entry in entries {
                    try execute("INSERT INTO log(idx, term, kind, data, crc) VALUES (?, ?, ?, ?, ?)", [
                        .unsigned(entry.index), .unsigned(entry.term), .integer(Int64(entry.kind)),
                        .blob(entry.data), .integer(Int64(entry.checksum)),
                    ])
                }
            }
            if let hardState {
                try execute("""
                    INSERT INTO hard_state(id, term, vote, commit_index, crc) VALUES (1, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET term = excluded.term, vote = excluded.vote,
                        commit_index = excluded.commit_index, crc = excluded.crc
                    """, [.unsigned(hardState.term), hardState.vote.map(SQLiteValue.text) ?? .null,
                          .unsigned(hardState.commitIndex), .integer(Int64(hardState.checksum))])
            }
        }
    }

    /// Deletes up to `StoreLimits.raftCompactedRowsPerWrite` of the oldest rows at or below the
    /// compaction point, inside the caller's transaction.
    private func deleteSomeCompactedRows() throws(StoreError) {
        if compactedIndex == nil { compactedIndex = try loadSnapshotMeta()?.index ?? 0 }
        guard let through = compactedIndex, through > clearedIndex else { return }
        let oldest = try firstIndex
        guard oldest > 0, oldest <= through else {
            clearedIndex = through
            return
        }
        let bound = min(through, oldest + StoreLimits.raftCompactedRowsPerWrite - 1)
        try execute("DELETE FROM log WHERE idx <= ?", [.unsigned(bound)])
        // (A write that fails stops the node, DESIGN.md §7, so this never runs ahead of disk
        // for long: a restart looks again.)
        if bound == through { clearedIndex = through }
    }

    /// The compaction point, checksum verified; nil when the log was never compacted.
    public func loadSnapshotMeta() throws(StoreError) -> SnapshotMeta? {
        let select: SQLiteStatement
        do throws(SQLiteError) { select = try connection.cached("SELECT idx, term, configuration, crc FROM snapshot_meta WHERE id = 1") } catch {
            throw StoreError(error)
        }
        return try select.query { (row: SQLiteRow) throws(StoreError) -> SnapshotMeta in
            let index = row.int64(at: 0), term = row.int64(at: 1), stored = row.int64(at: 3)
            let blob = row.blob(at: 2)
            guard index >= 0, term >= 0, blob.count >= 4, (0...Int64(UInt32.max)).contains(stored) else {
                throw .corrupt("raft snapshot metadata has impossible values")
            }
            let fileChecksum = blob.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let meta = SnapshotMeta(index: UInt64(index), term: UInt64(term), configuration: Array(blob.dropFirst(4)), checksum: fileChecksum)
            guard meta.rowChecksum == UInt32(stored) else { throw .corrupt("raft snapshot metadata fails its checksum") }
            return meta
        }.first
    }

    /// The stored configuration column: the file checksum (4 bytes, big-endian), then the
    /// membership bytes.
    private static func metaBlob(_ meta: SnapshotMeta) -> [UInt8] {
        withUnsafeBytes(of: meta.checksum.bigEndian, Array.init) + meta.configuration
    }

    private func execute(_ sql: String, _ values: [SQLiteValue]) throws(StoreError) {
        do throws(SQLiteError) { try connection.cached(sql).run(values) } catch { throw StoreError(error) }
    }
}
