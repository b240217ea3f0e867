import CSQLite

/// One open SQLite database. It owns its `sqlite3*` and closes it in `close()` or `deinit`.
///
/// Opened with `SQLITE_OPEN_NOMUTEX`: SQLite does no locking of its own for this handle, so a
/// connection (and every statement it prepared) must be used from one thread at a time. It is
/// deliberately not `Sendable`; the shell hands it to exactly one storage thread.
public final class SQLiteConnection {
    /// How a connection is opened.
    public struct Options: Sendable, Equatable {
        /// How long a statement waits for another connection's lock before `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int32
        /// How many statements `cached(_:)` keeps prepared (see there).
        public var maxCachedStatements: Int

        public init(
            busyTimeoutMilliseconds: Int32 = StoreLimits.defaultBusyTimeoutMilliseconds,
            maxCachedStatements: Int = StoreLimits.defaultMaxCachedStatements
        ) {
            precondition(busyTimeoutMilliseconds >= 0, "busy timeout must not be negative")
            precondition(maxCachedStatements >= 1, "the statement cache needs room for one")
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.maxCachedStatements = maxCachedStatements
        }
    }

    /// The file this connection opened (or ":memory:").
    public let path: String
    /// The options it was opened with.
    public let options: Options
    private var db: OpaquePointer?
    private var statementCache: [StatementKey: SQLiteStatement] = [:]
    /// How many savepoints `transaction` has open, for naming the next one.
    var savepointDepth = 0

    /// Opens (creating if needed) the database at `path` for reading and writing, with extended
    /// result codes and the busy timeout of `options`.
    public init(path: String, options: Options = Options()) throws(SQLiteError) {
        self.path = path
        self.options = options
        Self.configureOnce
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        do throws(SQLiteError) {
            try check(rc, handle, "open \(path)")
            try check(sqlite3_extended_result_codes(handle, 1), handle, "enable extended codes")
            try check(
                sqlite3_busy_timeout(handle, options.busyTimeoutMilliseconds), handle,
                "set busy timeout")
        } catch {
            // sqlite3_open_v2 returns a handle even when it fails; it must still be closed.
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
    }

    deinit {
        close()
    }

    /// Process-wide settings, applied before the first connection initializes SQLite: memory
    /// statistics off (the store never reads them, and with them on every allocation inside
    /// SQLite takes one global mutex, contended between the loop thread and the log writer: a
    /// futex call every two registrations on the loop thread under `scripts/bench register`).
    /// Should another part of the process have initialized SQLite first, the call is refused
    /// and the default stays.
    private static let configureOnce: Void = {
        _ = gravity_sqlite_disable_memory_statistics()
    }()

    /// Finalizes the cached statements and closes the database. Idempotent.
    ///
    /// Statements obtained from `prepare` that are still alive keep SQLite's handle as a zombie
    /// until they are released (`sqlite3_close_v2`); they must not be stepped after this.
    public func close() {
        guard let db else { return }
        statementCache.removeAll()
        let rc = sqlite3_close_v2(db)
        precondition(rc == SQLITE_OK, "sqlite3_close_v2 failed with \(rc) for \(path)")
        self.db = nil
    }

    /// True until `close()`.
    public var isOpen: Bool { db != nil }

    /// The raw handle; using a closed connection is a bug.
    var handle: OpaquePointer {
        guard let db else { preconditionFailure("SQLite connection to \(path) used after close()") }
        return db
    }

    /// Runs one or more SQL statements that return no rows (DDL, PRAGMA writes, BEGIN/COMMIT).
    public func execute(_ sql: String) throws(SQLiteError) {
        try check(sqlite3_exec(handle, sql, nil, nil, nil), handle, sql)
    }

    /// Prepares exactly one SQL statement. The caller owns the result.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try prepare(sql, flags: 0)
    }

    /// The prepared statement for `sql`, prepared on first use and kept for the next.
    ///
    /// Meant for the fixed SQL of hot paths. The cache is bounded by
    /// `options.maxCachedStatements`: when it is full it is emptied and refills with what is
    /// used next, so dynamic SQL costs re-preparation but never unbounded memory. `run` and
    /// `query` reset the statement and clear its bindings before and after, so it comes back
    /// as the last of them left it: reset, bindings cleared.
    public func cached(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        let key = StatementKey(sql: sql)
        if let statement = statementCache[key] {
            precondition(!statement.isQuerying, "cached statement in use by a running query: \(sql)")
            return statement
        }
        if statementCache.count >= options.maxCachedStatements {
            statementCache.removeAll()
        }
        let statement = try prepare(sql, flags: UInt32(SQLITE_PREPARE_PERSISTENT))
        statementCache[key] = statement
        return statement
    }

    /// The number of statements `cached(_:)` currently holds.
    public var cachedStatementCount: Int { statementCache.count }

    private func prepare(_ sql: String, flags: UInt32) throws(SQLiteError) -> SQLiteStatement {
        let db = handle
        var statement: OpaquePointer?
        var trailing = ""
        let rc = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v3(db, text, -1, flags, &statement, &tail)
            if let tail { trailing = String(cString: tail) }
            return rc
        }
        try check(rc, db, sql)
        guard let statement else { preconditionFailure("no SQL statement in: \(sql)") }
        // prepare_v3 compiles only the first statement; silently dropping the rest is a bug.
        precondition(
            trailing.allSatisfy { $0.isWhitespace || $0 == ";" },
            "prepare() takes one statement (use execute() for scripts): \(sql)")
        return SQLiteStatement(handle: statement, sql: sql)
    }

    /// The rowid of the most recent successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// The number of rows inserted, changed or deleted on this connection since it opened, by
    /// statements and the trigger programs they ran: unchanged across a span means nothing was
    /// written in it.
    public var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// True while a transaction is open (SQLite is not in autocommit mode).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }
}

@available(*, unavailable, message: "a SQLite connection is confined to one thread at a time")
extension SQLiteConnection: Sendable {}

/// The statement cache's key: equal when the SQL texts are equal, hashed from the text's length
/// and six of its 8-byte words: two at the start and four at the end, where statements of one
/// shape differ (verb and table; columns and WHERE). Hashing the whole text (SipHash over
/// 100-300 bytes, five to six lookups per registration) cost about as many instructions as
/// binding every value of that registration's rows, and so did `Hasher.combine(bytes:)` over
/// those 48 bytes. Texts that share length and ends only share a bucket.
private struct StatementKey: Hashable {
    let sql: String

    func hash(into hasher: inout Hasher) {
        var text = sql
        text.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            hasher.combine(raw.count)
            guard raw.count >= 40 else {
                hasher.combine(bytes: raw)
                return
            }
            func word(_ offset: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
            let end = raw.count
            hasher.combine(word(0) ^ word(8) &* 31)
            hasher.combine(word(end - 32) ^ word(end - 24) &* 31)
            hasher.combine(word(end - 16) ^ word(end - 8) &* 31)
        }
    }
}
