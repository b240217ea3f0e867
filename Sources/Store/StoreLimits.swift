/// Every limit of the Store module, in one place (STYLE.md principle 6).
public enum StoreLimits {
    /// The longest node ID, in bytes. IDs are visible ASCII, so bytes and characters agree.
    public static let maxNodeIDBytes = 128
    /// The largest `node-id` file read back: the ID plus generous room for whitespace. A bigger
    /// file is not one we wrote, and is reported as corrupt rather than read whole.
    public static let maxNodeIDFileBytes = 1_024
    /// Statements a connection keeps prepared by default (`SQLiteConnection.Options`).
    public static let defaultMaxCachedStatements = 64
    /// How long a connection waits for another's lock by default, before `SQLITE_BUSY`.
    public static let defaultBusyTimeoutMilliseconds: Int32 = 5_000
}

extension StoreLimits {
    /// User events `state.db` keeps; older ones are dropped as new ones arrive (Consul's
    /// agents keep the last 256 too, consul-api.md §2.8).
    public static let maxUserEvents = 256
    /// Statements the state store keeps prepared: its fixed SQL, with room to spare, so the
    /// cache never empties on the apply path.
    public static let stateCachedStatements = 256
    /// The state store's page cache, in KiB (SQLite's default is 2,000). At the default, a
    /// registration read about one page back from the OS (a `pread` on the loop thread, 0.89
    /// per request under `scripts/bench register`), because the indexes a write walks no
    /// longer fitted; at 32 MiB there were none in the same run. Per connection, so the store's
    /// alone: the snapshot and checkpoint connections read each page once.
    public static let stateCacheKiB = 32 * 1_024
    /// The size, in pages, past which `state.db`'s WAL is started over from the loop thread
    /// (`StateStore.finishCheckpoint`) rather than left to grow: 32 MiB with 4 KiB pages. Under
    /// a steady heavy write load that is a two-fsync pause about once a second; under a normal
    /// load the WAL starts over by itself and this never happens.
    public static let stateWALRestartPages = 8_192
}

extension StoreLimits {
    /// Bytes read at a time when checksumming a snapshot file.
    public static let snapshotReadChunkBytes = 64 * 1_024
    /// Log rows at or below the compaction point deleted per raft.db write: more than a write
    /// appends (so the backlog shrinks), few enough to cost a commit about a millisecond.
    static let raftCompactedRowsPerWrite: UInt64 = 2_048
    /// A snapshot file is written back this much at a time (`FileSystem.syncFileGradually`),
    /// so a raft.db commit waits behind at most one slice, not the whole file.
    static let snapshotSyncSliceBytes = 1 << 20
    /// The pause between two slices: at most about 200 MB/s of snapshot writeback.
    static let snapshotSyncPauseMicroseconds: UInt32 = 5_000
    /// Unsynced state.db checkpoints (one per 50 ms tick with writes) between two requests to
    /// the kernel to write back what they copied: about four a second.
    public static let stateWriteBackCheckpoints = 5
}
