extension SQLiteConnection {
    /// Opens `path` for a store: WAL journal (readers never block the writer), `synchronous =
    /// FULL` (every commit is fsynced before it returns, DESIGN.md §6), then `migrate`.
    static func openDurable(
        path: String, migrations: [Migration], options: Options = Options()
    ) throws(StoreError) -> SQLiteConnection {
        let connection: SQLiteConnection
        let journalMode: SQLiteValue
        do throws(SQLiteError) {
            connection = try SQLiteConnection(path: path, options: options)
            journalMode = try connection.setPragma("journal_mode", to: "WAL")
            try connection.setPragma("synchronous", to: "FULL")
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
