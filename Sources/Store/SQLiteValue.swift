/// One SQLite value, as bound to a parameter or read from a column.
///
/// Text is bound with its UTF-8 byte count, so a string with an embedded NUL is stored and read
/// back whole. SQL functions that treat text as C strings (`length()`, `LIKE`) still stop at the
/// first NUL; keys that may hold arbitrary bytes belong in `.blob`.
/// An empty `.blob` stays an empty blob (not NULL) on its way in and out.
public enum SQLiteValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// An unsigned value (a Raft index or term) as a SQLite integer.
    ///
    /// SQLite integers are signed 64-bit; values above `Int64.max` cannot be stored without
    /// losing their order in SQL, and no index or term gets there, so that is a precondition.
    public static func unsigned(_ value: UInt64) -> SQLiteValue {
        precondition(value <= UInt64(Int64.max), "\(value) does not fit a SQLite integer")
        return .integer(Int64(value))
    }
}
