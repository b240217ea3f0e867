extension SQLiteConnection {
    /// How much a commit waits for the disk.
    enum Synchronous: String {
        /// Every commit is fsynced before it returns: `raft.db`, whose entries are acknowledged.
        case full = "FULL"
        /// In WAL mode: commits are atomic and the database never corrupts, but the newest ones
        /// may be lost on power failure. Right for `state.db`, which is derived from `raft.db`:
        /// `applied_index` commits with the effects, so a lost commit is replayed from the log.
        case normal = "NORMAL"
        /// Never fsyncs. In WAL mode a process crash still loses nothing (the writes are in the
        /// page cache), but a power failure may tear the file: only for `state.db` under
        /// `StateDurability.unsyncedUntilCleanStop`, which rebuilds it then.
        case off = "OFF"
    }

    /// Opens `path` for a store: WAL journal (readers never block the writer), the given
    /// `synchronous` level (DESIGN.md §6), then `migrate`.
    static func openDurable(
        path: String, migrations: [Migration], synchronous: Synchronous = .full, exclusive: Bool = false,
        options: Options = Options()
    ) throws(StoreError) -> SQLiteConnection {
        let connection: SQLiteConnection
        let journalMode: SQLiteValue
        do throws(SQLiteError) {
            connection = try SQLiteConnection(path: path, options: options)
            // Exclusive locking takes the file lock once instead of a pair of fcntl calls per
            // statement (they were a fifth of a read's cost on state.db), and WAL then needs no
            // shared-memory index. No other connection can open the database meanwhile.
            if exclusive { try connection.setPragma("locking_mode", to: "EXCLUSIVE") }
            journalMode = try connection.setPragma("journal_mode", to: "WAL")
            try connection.setPragma("synchronous", to: synchronous.rawValue)
        } catch {
            throw StoreError(error)
        }
        // journal_mode reports the mode in force; a file system without shared memory keeps the
        // old one, and we must not run without WAL silently.
        guard journalMode == .text("wal") else {
            throw .io("cannot use WAL journal for \(path): journal_mode is \(journalMode)")
        }
        try connection.migrate(migrations)
        return connection
    }
}
