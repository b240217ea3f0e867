import CSQLite

/// A failed SQLite call: the primary and extended result codes, SQLite's own message, and what we
/// were doing (the SQL text, or "open /path").
///
/// Every C result code becomes one of these in `check(_:_:_:)` and nowhere else, so the mapping
/// (and the decision that `SQLITE_MISUSE` is our bug, not an error) lives in one place.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The primary result code, for example `SQLITE_CONSTRAINT` (19).
    public var code: Int32
    /// The extended result code, for example `SQLITE_CONSTRAINT_PRIMARYKEY` (1555).
    public var extendedCode: Int32
    /// SQLite's message for this failure (`sqlite3_errmsg`).
    public var message: String
    /// What we were doing: the SQL text, or a short phrase such as "open /data/raft.db".
    public var context: String

    public init(code: Int32, extendedCode: Int32, message: String, context: String) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.context = context
    }

    public var description: String {
        "SQLite error \(extendedCode) (\(SQLiteError.describe(code))): \(message) while: \(context)"
    }

    /// SQLite's English name for a result code ("SQL logic error", "constraint failed").
    static func describe(_ code: Int32) -> String {
        guard let text = sqlite3_errstr(code) else { return "unknown result code" }
        return String(cString: text)
    }
}

/// An error type that can stand for a SQLite failure.
///
/// Helpers that run caller code (`transaction`, `StateStore.apply`, `query`) throw the caller's
/// own error type, and need a way to report their own SQLite failures (BEGIN, COMMIT, step) in it.
/// Swift 6 infers `any Error` for a closure that contains `try`, so callers name the type:
/// `connection.transaction { () throws(SQLiteError) in ... }`.
public protocol SQLiteErrorConvertible: Error {
    /// Wraps a SQLite failure in this error type.
    init(_ sqliteError: SQLiteError)
}

extension SQLiteError: SQLiteErrorConvertible {
    public init(_ sqliteError: SQLiteError) {
        self = sqliteError
    }
}

/// The one place where SQLite result codes become Swift errors.
///
/// Returns `rc` when it is `SQLITE_OK`, `SQLITE_ROW` or `SQLITE_DONE`. `SQLITE_MISUSE` and
/// `SQLITE_RANGE` mean we called the C API wrongly (a finalized statement, a bind index out of
/// range): that is a broken invariant on our side, so it stops the process instead of throwing.
/// Every other code throws a `SQLiteError` carrying `db`'s message and `context`.
@discardableResult
func check(
    _ rc: Int32, _ db: OpaquePointer?, _ context: @autoclosure () -> String
) throws(SQLiteError) -> Int32 {
    switch rc {
    case SQLITE_OK, SQLITE_ROW, SQLITE_DONE:
        return rc
    default:
        break
    }
    let primary = rc & 0xFF
    let message = errorMessage(rc, db)
    precondition(primary != SQLITE_MISUSE, "SQLite API misuse (\(message)) while: \(context())")
    precondition(primary != SQLITE_RANGE, "SQLite index out of range (\(message)) while: \(context())")
    throw SQLiteError(code: primary, extendedCode: rc, message: message, context: context())
}

/// `db`'s message when it describes `rc`, else SQLite's generic text for `rc`.
private func errorMessage(_ rc: Int32, _ db: OpaquePointer?) -> String {
    // sqlite3_errmsg describes the most recent failure on the connection; some calls (prepare on
    // a closed handle, open without memory) report a code without setting it.
    if let db, sqlite3_extended_errcode(db) == rc, let text = sqlite3_errmsg(db) {
        return String(cString: text)
    }
    return SQLiteError.describe(rc)
}
