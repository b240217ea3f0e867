/// PRAGMA reads and writes. PRAGMA statements take no bound parameters, so names and values are
/// spliced into the SQL; both are checked to be plain words so nothing else can be.
extension SQLiteConnection {
    /// The value of `PRAGMA name` (its first row's first column), or `.null` if it returns none.
    public func pragma(_ name: String) throws(SQLiteError) -> SQLiteValue {
        precondition(isPragmaWord(name), "not a pragma name: \(name)")
        return try firstValue("PRAGMA \(name)")
    }

    /// Runs `PRAGMA name = value` and returns what it reports (for example the journal mode
    /// actually in force after `journal_mode = WAL`), or `.null` if it reports nothing.
    @discardableResult
    public func setPragma(_ name: String, to value: String) throws(SQLiteError) -> SQLiteValue {
        precondition(isPragmaWord(name), "not a pragma name: \(name)")
        // A value is a word or a negative number (`cache_size = -2000`).
        let unsigned = value.hasPrefix("-") ? String(value.dropFirst()) : value
        precondition(isPragmaWord(unsigned), "not a plain pragma value: \(value)")
        return try firstValue("PRAGMA \(name) = \(value)")
    }

    /// `PRAGMA user_version`: the schema version `migrate` has brought this database to.
    public func userVersion() throws(SQLiteError) -> Int {
        guard case .integer(let version) = try pragma("user_version") else {
            preconditionFailure("PRAGMA user_version returned no integer")
        }
        return Int(version)
    }

    /// Sets `PRAGMA user_version`. It is part of the database header, so it commits and rolls
    /// back with the surrounding transaction.
    public func setUserVersion(_ version: Int) throws(SQLiteError) {
        precondition(version >= 0 && version <= Int(Int32.max), "user_version out of range")
        try setPragma("user_version", to: String(version))
    }

    /// `PRAGMA wal_checkpoint(PASSIVE)`: copies what the WAL holds into the database, as far
    /// as no reader still needs it, without waiting for any lock. Returns the WAL's size and how
    /// much of it is now in the database, in pages. When the two are equal, the next write
    /// transaction starts the WAL over from its beginning instead of growing it.
    @discardableResult
    public func checkpointPassive() throws(SQLiteError) -> (walPages: Int, checkpointedPages: Int) {
        let rows = try prepare("PRAGMA wal_checkpoint(PASSIVE)").query { row in
            (Int(row.int64(at: 1)), Int(row.int64(at: 2)))
        }
        return rows.first ?? (0, 0)
    }

    private func firstValue(_ sql: String) throws(SQLiteError) -> SQLiteValue {
        // Not cached: pragmas run at start-up and in tests, not on hot paths.
        let statement = try prepare(sql)
        let values = try statement.query { row in row.columnCount > 0 ? row.value(at: 0) : .null }
        return values.first ?? .null
    }

    private func isPragmaWord(_ word: String) -> Bool {
        !word.isEmpty && word.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_")
        }
    }
}
