/// A KV prefix as a range of BLOB keys: every key starting with the prefix's bytes sorts at or
/// after the prefix and before its "successor" (the prefix with trailing 0xFF bytes dropped and
/// the last byte incremented). SQLite compares BLOBs with memcmp, so the range is exactly the
/// keys under the prefix, and it can use the primary key index.
struct KeyPrefix {
    let bytes: [UInt8]

    init(_ prefix: String) {
        bytes = Array(prefix.utf8)
    }

    /// The first byte string after every key under the prefix, or nil when there is none
    /// (the empty prefix, or one made only of 0xFF bytes, which UTF-8 never produces).
    var successor: [UInt8]? {
        var upper = bytes
        while let last = upper.last, last == 0xFF { upper.removeLast() }
        guard let last = upper.last else { return nil }
        upper[upper.count - 1] = last + 1
        return upper
    }

    /// A WHERE condition on `column` and its values, for SQL that selects keys under the prefix.
    func condition(on column: String) -> (sql: String, values: [SQLiteValue]) {
        if bytes.isEmpty { return ("1", []) }
        guard let upper = successor else { return ("\(column) >= ?", [.blob(bytes)]) }
        return ("\(column) >= ? AND \(column) < ?", [.blob(bytes), .blob(upper)])
    }
}
