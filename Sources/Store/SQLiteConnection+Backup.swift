import CSQLite

extension SQLiteConnection {
    /// Copies this whole database into `destination` with SQLite's online backup API, in one
    /// `sqlite3_backup_step(-1)`: the source is read in one read transaction (a consistent
    /// copy) and the destination written in one write transaction (all or nothing).
    ///
    /// Neither connection may be inside a transaction (a precondition); the page sizes must
    /// agree when the destination is in WAL mode, else SQLite refuses (`SQLITE_READONLY`).
    func backup(to destination: SQLiteConnection) throws(SQLiteError) {
        precondition(!isInTransaction && !destination.isInTransaction, "backup inside a transaction")
        let target = destination.handle
        guard let backup = sqlite3_backup_init(target, "main", handle, "main") else {
            // backup_init reports its failure on the destination connection.
            try check(sqlite3_extended_errcode(target), target, "backup \(path) to \(destination.path)")
            preconditionFailure("sqlite3_backup_init failed without an error code")
        }
        let stepCode = sqlite3_backup_step(backup, -1)
        // finish releases the backup object whatever happened, and repeats a step's error.
        let finishCode = sqlite3_backup_finish(backup)
        if stepCode != SQLITE_DONE {
            try check(stepCode, target, "backup \(path) to \(destination.path)")
            preconditionFailure("sqlite3_backup_step(-1) returned \(stepCode) before the end")
        }
        try check(finishCode, target, "finish backup \(path) to \(destination.path)")
    }
}
