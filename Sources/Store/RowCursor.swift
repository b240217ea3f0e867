/// Reads the columns of one `SQLiteRow` left to right, so a decoder lists its fields in the
/// order of its SELECT and never counts column numbers by hand.
struct RowCursor {
    let row: SQLiteRow
    private(set) var column = 0

    init(_ row: SQLiteRow) {
        self.row = row
    }

    mutating func text() -> String {
        defer { column += 1 }
        return row.text(at: column)
    }

    mutating func optionalText() -> String? {
        defer { column += 1 }
        return row.isNull(at: column) ? nil : row.text(at: column)
    }

    mutating func blob() -> [UInt8] {
        defer { column += 1 }
        return row.blob(at: column)
    }

    /// A KV key stored as the BLOB of its UTF-8 bytes.
    mutating func key() -> String {
        String(decoding: blob(), as: UTF8.self)
    }

    mutating func int64() -> Int64 {
        defer { column += 1 }
        return row.int64(at: column)
    }

    mutating func optionalInt64() -> Int64? {
        defer { column += 1 }
        return row.isNull(at: column) ? nil : row.int64(at: column)
    }

    mutating func int() -> Int {
        Int(int64())
    }

    mutating func bool() -> Bool {
        int64() != 0
    }

    /// A UInt64 stored as its bit pattern (KV flags, event LTime).
    mutating func bits() -> UInt64 {
        UInt64(bitPattern: int64())
    }

    /// A Raft index (or a time in milliseconds): never negative.
    mutating func unsigned() throws(StoreError) -> UInt64 {
        let value = int64()
        guard value >= 0 else { throw .corrupt("state.db: negative index \(value) in column \(column - 1)") }
        return UInt64(value)
    }
}

extension SQLiteValue {
    /// A boolean as SQLite stores it: 0 or 1.
    static func bool(_ value: Bool) -> SQLiteValue { .integer(value ? 1 : 0) }

    /// An `Int` (ports, weights, counts).
    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }

    /// An optional integer: NULL when absent.
    static func optional(_ value: Int64?) -> SQLiteValue { value.map { .integer($0) } ?? .null }

    /// A UInt64 kept as its bit pattern, for values SQL never compares (KV flags, LTime).
    static func bits(_ value: UInt64) -> SQLiteValue { .integer(Int64(bitPattern: value)) }

    /// A time in milliseconds, saturated at SQLite's largest integer: the leader's clock is
    /// data from the log, and a wild value must not stop every replica.
    static func milliseconds(_ value: UInt64) -> SQLiteValue { .integer(Int64(clamping: value)) }

    /// A KV key as the BLOB of its UTF-8 bytes (see `StateSchema`).
    static func key(_ key: String) -> SQLiteValue { .blob(Array(key.utf8)) }
}

extension SQLiteConnection {
    /// Runs a cached SELECT and decodes each row with a `RowCursor`.
    func select<T>(
        _ sql: String, _ values: [SQLiteValue] = [], _ decode: (inout RowCursor) throws(StoreError) -> T
    ) throws(StoreError) -> [T] {
        let statement: SQLiteStatement
        do throws(SQLiteError) { statement = try cached(sql) } catch { throw StoreError(error) }
        return try statement.query(values) { (row) throws(StoreError) -> T in
            var cursor = RowCursor(row)
            return try decode(&cursor)
        }
    }

    /// Runs a cached statement that returns no rows; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue] = []) throws(StoreError) -> Int {
        do throws(SQLiteError) {
            try cached(sql).run(values)
        } catch {
            throw StoreError(error)
        }
        return changes
    }
}
