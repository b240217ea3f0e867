/// The replicated state machine's tables in `state.db` (DESIGN.md §6).
///
/// The `meta` table holds `applied_index`: the Raft index of the last batch whose effects are
/// in the database. `apply(batchAt:_:)` writes it in the same transaction as those effects, so
/// after a crash the node replays the log from `appliedIndex + 1` and never applies an entry
/// twice or skips one. WAL with `synchronous = NORMAL` or `OFF` (`StateDurability`): the state
/// is derived from `raft.db` (which is FULL), so a commit lost to a power failure is replayed
/// from the log, and apply never waits for an fsync on the loop thread.
///
/// Migration 2 adds the registry's tables (`StateSchema`); `apply(_:at:)` applies commands to
/// them and the queries in StateStore+Queries.swift read them.
/// A class because it owns its connection; like the connection, it is used from one thread.
public final class StateStore {
    /// The schema of `state.db`, one line per step. Append a `Migration` to add tables; never
    /// edit a released one.
    public static let migrations = [
        Migration(version: 1, name: "meta: applied_index, cluster_id", sql: schemaVersion1),
        Migration(version: 2, name: "registry: catalog, KV, sessions, events, indexes", sql: StateSchema.version2),
        Migration(version: 3, name: "discovery: registration and check times, configs, leases", sql: StateSchema.version3),
        Migration(version: 4, name: "check owners of unreachable servers' nodes", sql: StateSchema.version4),
        Migration(version: 5, name: "service tags in a column of services", sql: StateSchema.version5),
        Migration(version: 6, name: "instances by service name indexed in memory", sql: StateSchema.version6),
    ]

    private static let schemaVersion1 = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value ANY) STRICT;
        INSERT INTO meta(key, value) VALUES ('applied_index', 0);
        """

    private static let selectMeta = "SELECT value FROM meta WHERE key = ?"
    private static let updateAppliedIndex = "UPDATE meta SET value = ? WHERE key = 'applied_index'"
    private static let upsertMeta = """
        INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value
        """

    /// The store's connection; internal so tests can inspect pragmas.
    let connection: SQLiteConnection

    /// The Raft index of the last batch applied, as committed in `state.db` (0 when new).
    /// Read once at open and kept in step by `apply` and `restore`, its only writers.
    public internal(set) var appliedIndex: UInt64

    /// The instances of each service name, in memory (`ServiceNameIndex`).
    let names = ServiceNameIndex()

    /// Opens (creating and migrating if needed) the state database at `path`, with foreign keys
    /// enforced: they assert the registry's invariants (`StateSchema`).
    ///
    /// With `checkpointsElsewhere`, SQLite's automatic WAL checkpoint is off and the file is
    /// shared, so that a `StateCheckpointer` on another thread does that work; otherwise the
    /// connection holds the file exclusively (no fcntl pair per statement) and checkpoints itself.
    ///
    /// `syncs` false: `synchronous = OFF`, for `StateDurability.unsyncedUntilCleanStop` (whose
    /// owner, `DataDirectory`, syncs the files on close and rebuilds them after a machine stop).
    public init(path: String, checkpointsElsewhere: Bool = false, syncs: Bool = true) throws(StoreError) {
        let options = SQLiteConnection.Options(maxCachedStatements: StoreLimits.stateCachedStatements)
        connection = try SQLiteConnection.openDurable(
            path: path, migrations: Self.migrations, synchronous: syncs ? .normal : .off, exclusive: !checkpointsElsewhere,
            options: options)
        do throws(SQLiteError) {
            try connection.setPragma("foreign_keys", to: "ON")
            try connection.setPragma("cache_size", to: "-\(StoreLimits.stateCacheKiB)")
            if checkpointsElsewhere { try connection.setPragma("wal_autocheckpoint", to: "0") }
        } catch {
            throw StoreError(error)
        }
        appliedIndex = try Self.readAppliedIndex(connection)
        try names.rebuild(from: connection)
    }

    /// Checkpoints the WAL from the store's own connection (PASSIVE, which the store's writer
    /// cannot be in the way of), so that the next apply starts the WAL over. For a store opened
    /// with `checkpointsElsewhere`, after a `StateCheckpointer` has done the bulk of the copying;
    /// see there. It syncs the WAL and the database file: it blocks the calling thread for two
    /// fsyncs.
    @discardableResult
    public func finishCheckpoint() throws(StoreError) -> (walPages: Int, checkpointedPages: Int) {
        do throws(SQLiteError) {
            return try connection.checkpointPassive()
        } catch {
            throw StoreError(error)
        }
    }

    /// Closes the database. Any later call is a bug.
    public func close() {
        connection.close()
    }

    /// Runs `body` (the effects of the committed entries up to `index`) and records `index` as
    /// the applied index, in ONE transaction: either both are durable or neither is.
    ///
    /// `index` must be above `appliedIndex`, and `apply` must not run inside another
    /// transaction (its commit is the point where the batch counts as applied): both are
    /// preconditions. If `body` throws, its error is rethrown and nothing it wrote remains.
    /// Name the body's error type: `apply(batchAt: i) { (db) throws(StoreError) in ... }`.
    @discardableResult
    public func apply<T, E: SQLiteErrorConvertible>(
        batchAt index: UInt64, _ body: (SQLiteConnection) throws(E) -> T
    ) throws(E) -> T {
        precondition(index > appliedIndex, "batch at \(index) is not after applied index \(appliedIndex)")
        precondition(!connection.isInTransaction, "apply must not run inside another transaction")
        let result = try connection.immediateTransaction { () throws(E) -> T in
            let result = try body(connection)
            do throws(SQLiteError) { try writeAppliedIndex(index) } catch { throw E(error) }
            return result
        }
        appliedIndex = index
        return result
    }

    /// Records `index` in the `applied_index` row, inside the caller's transaction.
    func writeAppliedIndex(_ index: UInt64) throws(SQLiteError) {
        try connection.cached(Self.updateAppliedIndex).run([.unsigned(index)])
        precondition(connection.changes == 1, "the applied_index row is missing")
    }

    /// The cluster's ID, or `nil` before one is recorded.
    public func clusterID() throws(StoreError) -> String? {
        switch try Self.readMeta("cluster_id", connection) {
        case nil:
            return nil
        case .text(let id)?:
            return id
        case let other?:
            throw .corrupt("state.db cluster_id is not text: \(other)")
        }
    }

    /// Records the cluster's ID. One statement, so it is atomic on its own; called from inside
    /// an `apply` body it commits with that batch.
    public func setClusterID(_ id: String) throws(StoreError) {
        precondition(!id.isEmpty, "empty cluster ID")
        do throws(SQLiteError) {
            try connection.cached(Self.upsertMeta).run([.text("cluster_id"), .text(id)])
        } catch {
            throw StoreError(error)
        }
    }

    static func readAppliedIndex(_ connection: SQLiteConnection) throws(StoreError) -> UInt64 {
        guard case .integer(let index)? = try readMeta("applied_index", connection), index >= 0 else {
            throw .corrupt("state.db has no valid applied_index")
        }
        return UInt64(index)
    }

    private static func readMeta(_ key: String, _ connection: SQLiteConnection) throws(StoreError) -> SQLiteValue? {
        do throws(SQLiteError) {
            return try connection.cached(selectMeta).query([.text(key)]) { $0.value(at: 0) }.first
        } catch {
            throw StoreError(error)
        }
    }
}
