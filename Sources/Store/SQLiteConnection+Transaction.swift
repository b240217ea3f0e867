/// All-or-nothing helpers: the body's writes commit together when it returns and are rolled back
/// when it throws, and the body's error reaches the caller unchanged.
///
/// Nesting: a `transaction` inside another becomes a SAVEPOINT, so an inner failure that the
/// outer body catches undoes only the inner writes, and one it lets through undoes everything.
/// `immediateTransaction` takes the write lock up front, which a savepoint cannot, so it must be
/// the outermost; calling it inside another transaction is a bug (precondition).
///
/// The body's error type is named at the call site, because Swift 6 infers `any Error` for a
/// closure containing `try`: `try db.transaction { () throws(SQLiteError) in ... }`.
extension SQLiteConnection {
    /// Runs `body` in a deferred transaction (or a savepoint when one is already open).
    public func transaction<T, E: SQLiteErrorConvertible>(
        _ body: () throws(E) -> T
    ) throws(E) -> T {
        if isInTransaction {
            return try withSavepoint(body)
        }
        return try withTransaction(begin: "BEGIN DEFERRED", body)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is held from the start, so
    /// the body cannot fail half-way with `SQLITE_BUSY` on upgrading a read to a write.
    public func immediateTransaction<T, E: SQLiteErrorConvertible>(
        _ body: () throws(E) -> T
    ) throws(E) -> T {
        precondition(!isInTransaction, "immediateTransaction must be the outermost transaction")
        return try withTransaction(begin: "BEGIN IMMEDIATE", body)
    }

    private func withTransaction<T, E: SQLiteErrorConvertible>(
        begin: String, _ body: () throws(E) -> T
    ) throws(E) -> T {
        // BEGIN and COMMIT run once per applied batch: prepared once, not parsed by
        // sqlite3_exec every time.
        do throws(SQLiteError) { try cached(begin).run() } catch { throw E(error) }
        let result: T
        do throws(E) {
            result = try body()
        } catch {
            rollBack()
            throw error
        }
        do throws(SQLiteError) {
            try cached("COMMIT").run()
        } catch {
            // A COMMIT refused with SQLITE_BUSY leaves the transaction open.
            rollBack()
            throw E(error)
        }
        assert(!isInTransaction, "COMMIT returned but a transaction is still open")
        return result
    }

    private func withSavepoint<T, E: SQLiteErrorConvertible>(
        _ body: () throws(E) -> T
    ) throws(E) -> T {
        let name = "gravity_savepoint_\(savepointDepth)"
        // Prepared once and cached (apply opens one savepoint per command): sqlite3_exec would
        // parse the statement again every time.
        do throws(SQLiteError) { try cached("SAVEPOINT \(name)").run() } catch { throw E(error) }
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let result: T
        do throws(E) {
            result = try body()
        } catch {
            rollBack(to: name)
            throw error
        }
        do throws(SQLiteError) {
            try cached("RELEASE \(name)").run()
        } catch {
            rollBack(to: name)
            throw E(error)
        }
        return result
    }

    private func rollBack() {
        // SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM and friends may already have rolled the
        // transaction back on their own; a second ROLLBACK would fail.
        guard isInTransaction else { return }
        do throws(SQLiteError) {
            try execute("ROLLBACK")
        } catch {
            // Carrying on would turn every later transaction into a savepoint of this one that
            // never commits: stop instead.
            preconditionFailure("ROLLBACK failed, the connection is stuck in a transaction: \(error)")
        }
    }

    private func rollBack(to savepoint: String) {
        // If SQLite rolled the whole transaction back on its own, the savepoint is gone too.
        guard isInTransaction else { return }
        do throws(SQLiteError) {
            // ROLLBACK TO undoes the writes but leaves the savepoint open; RELEASE closes it.
            try execute("ROLLBACK TO \(savepoint); RELEASE \(savepoint)")
        } catch {
            preconditionFailure("ROLLBACK TO \(savepoint) failed: \(error)")
        }
    }
}
