/// One step of a database's schema history: `sql` takes a database at `version - 1` to
/// `version`. Steps are only ever appended, never edited once released, because databases in
/// the field have already run them.
public struct Migration: Sendable, Equatable {
    /// The `user_version` the database has after this step; the first step is 1.
    public let version: Int
    /// A short human name, for logs and errors ("raft log tables").
    public let name: String
    /// One or more SQL statements, run together in one transaction with the version bump.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        precondition(version >= 1, "migration versions start at 1")
        precondition(!name.isEmpty, "migration \(version) needs a name")
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension SQLiteConnection {
    /// Brings the database's schema to the last of `migrations`, recorded in `user_version`.
    ///
    /// `migrations` must be numbered 1, 2, 3... in order (a precondition). Each pending step
    /// runs in its own transaction together with its `user_version` bump, so a failing step
    /// leaves the database at the previous version with none of its SQL applied; the steps
    /// before it stay. A database at the last version is left alone. A database whose
    /// `user_version` is beyond the last step was written by a newer build: it is refused with
    /// `StoreError.schemaTooNew` and not touched.
    public func migrate(_ migrations: [Migration]) throws(StoreError) {
        for (offset, migration) in migrations.enumerated() {
            precondition(
                migration.version == offset + 1,
                "migration \"\(migration.name)\" has version \(migration.version), expected \(offset + 1)")
        }
        let supported = migrations.count
        let found: Int
        do throws(SQLiteError) { found = try userVersion() } catch { throw StoreError(error) }
        guard found <= supported else {
            throw .schemaTooNew(found: found, supported: supported)
        }
        for migration in migrations where migration.version > found {
            do throws(SQLiteError) { try apply(migration) } catch { throw StoreError(error) }
        }
    }

    private func apply(_ migration: Migration) throws(SQLiteError) {
        try immediateTransaction { () throws(SQLiteError) in
            // Another process may have migrated between our first read and this write lock.
            let current = try userVersion()
            guard current < migration.version else { return }
            precondition(current == migration.version - 1, "migrations skipped from \(current)")
            try execute(migration.sql)
            try setUserVersion(migration.version)
        }
    }
}
