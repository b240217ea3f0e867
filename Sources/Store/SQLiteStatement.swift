import CSQLite

/// A prepared SQLite statement. It owns its `sqlite3_stmt` and finalizes it in `deinit`.
///
/// Confined like its connection: one thread at a time, and only while the connection that
/// prepared it is open. Parameters are numbered from 1 (SQLite's convention), columns from 0.
/// Column getters are valid only after `step()` returned `true`. They follow SQLite's
/// conversions: NULL reads as 0, "" or an empty array; use `isNull(at:)` or `value(at:)` to tell.
public final class SQLiteStatement {
    /// The SQL text this statement was prepared from; also the context of its errors.
    public let sql: String
    private let handle: OpaquePointer
    private var hasRow = false
    /// True while `query` runs a row closure; re-entering the same statement then is a bug.
    private(set) var isQuerying = false

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        // sqlite3_finalize repeats the error of the last step, which step() already threw.
        sqlite3_finalize(handle)
    }

    /// The number of `?` parameters in the statement.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// The number of columns in each result row.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    private var db: OpaquePointer? { sqlite3_db_handle(handle) }

    // MARK: Binding

    /// Binds `values` to parameters 1...n. There must be exactly one value per parameter.
    public func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        precondition(
            values.count == parameterCount,
            "\(values.count) values for \(parameterCount) parameters: \(sql)")
        for (offset, value) in values.enumerated() {
            try bind(value, at: offset + 1)
        }
    }

    /// Binds one value to parameter `index` (1-based). Text and blobs are copied by SQLite.
    public func bind(_ value: SQLiteValue, at index: Int) throws(SQLiteError) {
        precondition(index >= 1 && index <= parameterCount, "no parameter \(index) in: \(sql)")
        let position = Int32(index)
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, position)
        case .integer(let integer):
            rc = sqlite3_bind_int64(handle, position, integer)
        case .real(let real):
            rc = sqlite3_bind_double(handle, position, real)
        case .text(let text):
            rc = bindText(text, at: position)
        case .blob(let bytes):
            rc = bindBlob(bytes, at: position)
        }
        try check(rc, db, "bind parameter \(index) of: \(sql)")
    }

    private func bindText(_ text: String, at position: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes -> Int32 in
            // A NULL pointer would bind SQL NULL; the empty string must stay an empty string.
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_text(handle, position, "", 0, gravity_sqlite_transient())
            }
            // The explicit byte count keeps embedded NULs (see SQLiteValue).
            return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                sqlite3_bind_text64(
                    handle, position, chars, UInt64(bytes.count), gravity_sqlite_transient(),
                    UInt8(SQLITE_UTF8))
            }
        }
    }

    private func bindBlob(_ bytes: [UInt8], at position: Int32) -> Int32 {
        // sqlite3_bind_blob with a NULL pointer binds SQL NULL, and an empty array may have no
        // storage: bind a zero-length blob explicitly.
        guard !bytes.isEmpty else {
            return sqlite3_bind_zeroblob(handle, position, 0)
        }
        return bytes.withUnsafeBytes { raw in
            sqlite3_bind_blob64(
                handle, position, raw.baseAddress, UInt64(raw.count), gravity_sqlite_transient())
        }
    }

    // MARK: Stepping

    /// Runs the statement to its next row. Returns `true` when a row is available.
    public func step() throws(SQLiteError) -> Bool {
        hasRow = false
        let rc = try check(sqlite3_step(handle), db, sql)
        hasRow = rc == SQLITE_ROW
        return hasRow
    }

    /// Rewinds the statement so it can run again. Bindings are kept.
    public func reset() {
        hasRow = false
        // sqlite3_reset repeats the error of the last step, which step() already threw.
        sqlite3_reset(handle)
    }

    /// Sets every parameter back to NULL, releasing copies of bound text and blobs.
    public func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values`, steps through every row and returns what `row` made of each.
    ///
    /// Resets the statement before and after, so a cached statement never holds a read open.
    /// `row` must not use this same statement.
    public func query<T>(
        _ values: [SQLiteValue] = [], row: (SQLiteRow) -> T
    ) throws(SQLiteError) -> [T] {
        try query(values) { (current) throws(SQLiteError) in row(current) }
    }

    /// `query` with a row closure that may throw its own error type (for example a checksum
    /// failure); the statement's own failures arrive wrapped in that type.
    public func query<T, E: SQLiteErrorConvertible>(
        _ values: [SQLiteValue] = [], row: (SQLiteRow) throws(E) -> T
    ) throws(E) -> [T] {
        precondition(!isQuerying, "statement re-entered from its own row closure: \(sql)")
        isQuerying = true
        defer {
            isQuerying = false
            reset()
            clearBindings()
        }
        do throws(SQLiteError) {
            reset()
            try bind(values)
        } catch {
            throw E(error)
        }
        var rows: [T] = []
        while true {
            let more: Bool
            do throws(SQLiteError) { more = try step() } catch { throw E(error) }
            guard more else { return rows }
            rows.append(try row(SQLiteRow(statement: self)))
        }
    }

    /// Binds `values` and runs the statement to completion, discarding any rows.
    public func run(_ values: [SQLiteValue] = []) throws(SQLiteError) {
        precondition(!isQuerying, "statement re-entered from its own row closure: \(sql)")
        defer {
            reset()
            clearBindings()
        }
        reset()
        try bind(values)
        while try step() {}
    }

    // MARK: Columns

    /// True when column `column` of the current row is SQL NULL.
    public func isNull(at column: Int) -> Bool {
        sqlite3_column_type(handle, position(of: column)) == SQLITE_NULL
    }

    /// Column `column` of the current row as an integer.
    public func int64(at column: Int) -> Int64 {
        sqlite3_column_int64(handle, position(of: column))
    }

    /// Column `column` of the current row as a floating-point number.
    public func double(at column: Int) -> Double {
        sqlite3_column_double(handle, position(of: column))
    }

    /// Column `column` of the current row as text, embedded NULs included. Invalid UTF-8 is
    /// repaired with U+FFFD.
    public func text(at column: Int) -> String {
        let position = position(of: column)
        guard let bytes = sqlite3_column_text(handle, position) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, position))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Column `column` of the current row as bytes.
    public func blob(at column: Int) -> [UInt8] {
        let position = position(of: column)
        // sqlite3_column_blob returns NULL for a zero-length blob: that is an empty array.
        // sqlite3_column_bytes must come after it (SQLite's documented order).
        guard let base = sqlite3_column_blob(handle, position) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, position))
        return Array(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Column `column` of the current row with its stored type.
    public func value(at column: Int) -> SQLiteValue {
        switch sqlite3_column_type(handle, position(of: column)) {
        case SQLITE_INTEGER: return .integer(int64(at: column))
        case SQLITE_FLOAT: return .real(double(at: column))
        case SQLITE_TEXT: return .text(text(at: column))
        case SQLITE_BLOB: return .blob(blob(at: column))
        default: return .null
        }
    }

    private func position(of column: Int) -> Int32 {
        precondition(hasRow, "no current row (step() did not return true): \(sql)")
        precondition(column >= 0 && column < columnCount, "no column \(column) in: \(sql)")
        return Int32(column)
    }
}

@available(*, unavailable, message: "a statement is confined to its connection's thread")
extension SQLiteStatement: Sendable {}

/// The current row of a statement, handed to `SQLiteStatement.query`'s row closure.
/// Valid only inside that closure.
public struct SQLiteRow {
    let statement: SQLiteStatement

    /// The number of columns in the row.
    public var columnCount: Int { statement.columnCount }
    /// True when the column is SQL NULL.
    public func isNull(at column: Int) -> Bool { statement.isNull(at: column) }
    /// The column as an integer (NULL reads as 0).
    public func int64(at column: Int) -> Int64 { statement.int64(at: column) }
    /// The column as a floating-point number (NULL reads as 0).
    public func double(at column: Int) -> Double { statement.double(at: column) }
    /// The column as text (NULL reads as "").
    public func text(at column: Int) -> String { statement.text(at: column) }
    /// The column as bytes (NULL reads as []).
    public func blob(at column: Int) -> [UInt8] { statement.blob(at: column) }
    /// The column with its stored type.
    public func value(at column: Int) -> SQLiteValue { statement.value(at: column) }
}
