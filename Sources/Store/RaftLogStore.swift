/// The Raft log, hard state and snapshot metadata in `raft.db` (DESIGN.md §6).
///
/// Durability: WAL with `synchronous = FULL`, so every method that writes has fsynced before it
/// returns, and `append` writes a whole batch in one transaction (one fsync per batch). Raft's
/// rule "persist before you acknowledge" (DESIGN.md §5) relies on this.
///
/// Integrity: every entry and the hard state carry a CRC-32C; every read verifies it and throws
/// `StoreError.corrupt` naming the index, so a damaged disk is never fed into consensus.
///
/// Misuse by the Raft layer (an append that does not continue the log, a term or commit index
/// going backwards, truncating committed entries) breaks Raft's invariants and is a precondition.
///
/// A class because it owns its connection; like the connection, it is used from one thread.
public final class RaftLogStore {
    /// The schema of `raft.db`. Append a `Migration` to change it; never edit a released one.
    public static let migrations = [
        Migration(version: 1, name: "raft log, hard state, snapshot metadata", sql: schemaVersion1),
    ]

    // STRICT tables reject values of the wrong type; the CHECKs keep out values no index, term,
    // kind or CRC-32C can have, so a stray write fails loudly instead of reading back as garbage.
    private static let schemaVersion1 = """
        CREATE TABLE log(
            idx INTEGER PRIMARY KEY CHECK (idx >= 1),
            term INTEGER NOT NULL CHECK (term >= 0),
            kind INTEGER NOT NULL CHECK (kind BETWEEN 0 AND 255),
            data BLOB NOT NULL,
            crc INTEGER NOT NULL CHECK (crc BETWEEN 0 AND 4294967295)
        ) STRICT;
        CREATE TABLE hard_state(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            term INTEGER NOT NULL CHECK (term >= 0),
            vote TEXT,
            commit_index INTEGER NOT NULL CHECK (commit_index >= 0),
            crc INTEGER NOT NULL CHECK (crc BETWEEN 0 AND 4294967295)
        ) STRICT;
        CREATE TABLE snapshot_meta(
            id INTEGER PRIMARY KEY CHECK (id = 1),
            idx INTEGER NOT NULL CHECK (idx >= 0),
            term INTEGER NOT NULL CHECK (term >= 0),
            configuration BLOB NOT NULL,
            crc INTEGER NOT NULL CHECK (crc BETWEEN 0 AND 4294967295)
        ) STRICT;
        """

    private static let insertEntry = "INSERT INTO log(idx, term, kind, data, crc) VALUES (?, ?, ?, ?, ?)"
    private static let selectRange =
        "SELECT idx, term, kind, data, crc FROM log WHERE idx >= ? AND idx < ? ORDER BY idx"
    private static let selectOne = "SELECT idx, term, kind, data, crc FROM log WHERE idx = ?"
    private static let selectLastIndex = "SELECT coalesce(max(idx), 0) FROM log"
    private static let selectFirstIndex = "SELECT coalesce(min(idx), 0) FROM log"
    private static let deleteFrom = "DELETE FROM log WHERE idx >= ?"
    private static let selectHardState = "SELECT term, vote, commit_index, crc FROM hard_state WHERE id = 1"
    private static let upsertHardState = """
        INSERT INTO hard_state(id, term, vote, commit_index, crc) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET
            term = excluded.term, vote = excluded.vote,
            commit_index = excluded.commit_index, crc = excluded.crc
        """

    /// The store's connection; internal so tests can inspect pragmas and damage rows.
    let connection: SQLiteConnection
    /// The latest compaction point (the snapshot index) once known: rows at or below it are
    /// deleted a few at a time by `write` (`RaftLogStore+Batch`).
    var compactedIndex: UInt64?
    /// No row at or below this index is left.
    var clearedIndex: UInt64 = 0

    /// Opens (creating and migrating if needed) the Raft log database at `path`.
    public init(path: String) throws(StoreError) {
        connection = try SQLiteConnection.openDurable(path: path, migrations: Self.migrations)
    }

    /// Closes the database. Any later call is a bug.
    public func close() {
        connection.close()
    }

    // MARK: Log

    /// Appends `entries`, durably, in one transaction.
    ///
    /// `entries` must have consecutive indexes and non-decreasing terms, and continue the log:
    /// the first index is `lastIndex + 1` (any index when the log is empty), and its term is at
    /// least the last entry's. To replace a conflicting suffix, `truncate(from:)` first.
    public func append(_ entries: [LogEntryRecord]) throws(StoreError) {
        guard let first = entries.first else { return }
        Self.checkRun(entries)
        try connection.immediateTransaction { () throws(StoreError) in
            let last = try lastIndex
            precondition(
                last == 0 || first.index == last + 1,
                "append at \(first.index) does not continue the log ending at \(last); truncate first")
            if let lastTerm = try term(at: last) {
                precondition(first.term >= lastTerm, "term \(first.term) after term \(lastTerm)")
            }
            let insert = try statement(Self.insertEntry)
            for entry in entries {
                try run(insert, [
                    .unsigned(entry.index), .unsigned(entry.term), .integer(Int64(entry.kind)),
                    .blob(entry.data), .integer(Int64(entry.checksum)),
                ])
            }
        }
    }

    /// The stored entries with `from <= index < to`, in index order, each checksum verified.
    ///
    /// Indexes past the end of the log are simply absent. The entries returned are consecutive;
    /// a hole among them means rows were lost, and is reported as corruption.
    public func entries(from: UInt64, to: UInt64) throws(StoreError) -> [LogEntryRecord] {
        precondition(from >= 1 && from <= to, "bad entry range \(from)..<\(to)")
        let select = try statement(Self.selectRange)
        let entries = try select.query([.unsigned(from), .unsigned(to)], row: Self.decodeEntry)
        for (offset, entry) in entries.enumerated() where entry.index != entries[0].index + UInt64(offset) {
            throw .corrupt("raft log has a hole before index \(entry.index)")
        }
        return entries
    }

    /// The index of the last entry, or 0 when the log is empty.
    public var lastIndex: UInt64 {
        get throws(StoreError) { try boundIndex(Self.selectLastIndex, "last") }
    }

    /// The lowest stored index (0 when empty): after a compaction, rows at or below the
    /// snapshot index may remain for a while (`RaftLogStore+Batch`).
    var firstIndex: UInt64 {
        get throws(StoreError) { try boundIndex(Self.selectFirstIndex, "first") }
    }

    private func boundIndex(_ sql: String, _ name: String) throws(StoreError) -> UInt64 {
        let select = try statement(sql)
        let values: [Int64]
        do throws(SQLiteError) { values = try select.query { $0.int64(at: 0) } } catch {
            throw StoreError(error)
        }
        guard let value = values.first, value >= 0 else {
            throw .corrupt("raft log has an impossible \(name) index \(values)")
        }
        return UInt64(value)
    }

    /// The term of the entry at `index`, checksum verified; `nil` if there is no such entry.
    /// Index 0 is the position before the first entry and has term 0, so the AppendEntries
    /// consistency check for the first entry (prevLogIndex 0) needs no special case.
    public func term(at index: UInt64) throws(StoreError) -> UInt64? {
        if index == 0 { return 0 }
        let select = try statement(Self.selectOne)
        return try select.query([.unsigned(index)], row: Self.decodeEntry).first?.term
    }

    /// Deletes every entry with index `>= index`, durably.
    /// Committed entries are never removed (Raft thesis §3.5, Leader Completeness), so `index`
    /// must be above the stored commit index.
    public func truncate(from index: UInt64) throws(StoreError) {
        precondition(index >= 1, "truncate from index 0")
        try connection.immediateTransaction { () throws(StoreError) in
            let commitIndex = try loadHardState().commitIndex
            precondition(
                index > commitIndex,
                "truncating from \(index) would remove committed entries (commit index \(commitIndex))")
            try run(try statement(Self.deleteFrom), [.unsigned(index)])
        }
    }

    // MARK: Hard state

    /// Stores `state` durably, replacing the previous one.
    /// Term and commit index never go backwards, and a vote cast in a term is never changed
    /// within that term (Raft thesis §3.4): breaking either is a precondition failure.
    public func saveHardState(_ state: HardStateRecord) throws(StoreError) {
        try connection.immediateTransaction { () throws(StoreError) in
            let previous = try loadHardState()
            precondition(state.term >= previous.term, "term went back from \(previous.term) to \(state.term)")
            precondition(
                state.commitIndex >= previous.commitIndex,
                "commit index went back from \(previous.commitIndex) to \(state.commitIndex)")
            if state.term == previous.term, let vote = previous.vote {
                precondition(state.vote == vote, "vote in term \(state.term) changed from \(vote)")
            }
            try run(try statement(Self.upsertHardState), [
                .unsigned(state.term), state.vote.map(SQLiteValue.text) ?? .null,
                .unsigned(state.commitIndex), .integer(Int64(state.checksum)),
            ])
        }
    }

    /// The stored hard state, checksum verified; `.initial` if none was ever saved.
    public func loadHardState() throws(StoreError) -> HardStateRecord {
        let select = try statement(Self.selectHardState)
        return try select.query(row: Self.decodeHardState).first ?? .initial
    }

    // MARK: Helpers

    /// Preconditions on a batch to append: consecutive indexes from 1 up, non-decreasing terms.
    private static func checkRun(_ entries: [LogEntryRecord]) {
        precondition(entries[0].index >= 1, "log indexes start at 1")
        for (previous, next) in zip(entries, entries.dropFirst()) {
            precondition(next.index == previous.index + 1, "index \(next.index) after \(previous.index)")
            precondition(next.term >= previous.term, "term \(next.term) after term \(previous.term)")
        }
    }

    private static func decodeEntry(_ row: SQLiteRow) throws(StoreError) -> LogEntryRecord {
        let index = row.int64(at: 0)
        let term = row.int64(at: 1)
        let kind = row.int64(at: 2)
        let stored = row.int64(at: 4)
        guard index >= 1, term >= 0, (0...255).contains(kind), (0...Int64(UInt32.max)).contains(stored) else {
            throw .corrupt("raft log entry at index \(index) has impossible values")
        }
        let entry = LogEntryRecord(
            index: UInt64(index), term: UInt64(term), kind: UInt8(kind), data: row.blob(at: 3))
        let computed = entry.checksum
        guard computed == UInt32(stored) else {
            throw .corrupt(
                "raft log entry at index \(index) fails its checksum (stored \(hex(stored)), computed \(hex(computed)))")
        }
        return entry
    }

    private static func decodeHardState(_ row: SQLiteRow) throws(StoreError) -> HardStateRecord {
        let term = row.int64(at: 0)
        let commitIndex = row.int64(at: 2)
        let stored = row.int64(at: 3)
        guard term >= 0, commitIndex >= 0, (0...Int64(UInt32.max)).contains(stored) else {
            throw .corrupt("raft hard state has impossible values")
        }
        let state = HardStateRecord(
            term: UInt64(term), vote: row.isNull(at: 1) ? nil : row.text(at: 1),
            commitIndex: UInt64(commitIndex))
        guard state.checksum == UInt32(stored) else {
            throw .corrupt("raft hard state fails its checksum")
        }
        return state
    }

    private static func hex(_ value: some BinaryInteger) -> String {
        "0x" + String(value, radix: 16)
    }

    private func statement(_ sql: String) throws(StoreError) -> SQLiteStatement {
        do throws(SQLiteError) { return try connection.cached(sql) } catch { throw StoreError(error) }
    }

    private func run(_ statement: SQLiteStatement, _ values: [SQLiteValue]) throws(StoreError) {
        do throws(SQLiteError) { try statement.run(values) } catch { throw StoreError(error) }
    }
}
