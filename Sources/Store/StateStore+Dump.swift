// A canonical text of everything in state.db, for tests and debugging: two stores that
// applied the same commands must give byte-identical dumps (DESIGN.md §2).

extension StateStore {
    /// Every table (by name) with every row (ordered by all its columns), and the schema
    /// version. Integers in decimal, text quoted, BLOBs in hex, NULL as NULL.
    public func canonicalDump() throws(StoreError) -> String {
        var lines: [String] = []
        do throws(SQLiteError) {
            lines.append("user_version \(try connection.userVersion())")
            let tables = try connection.prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).query { $0.text(at: 0) }
            for table in tables {
                lines.append("table \(table)")
                lines += try dumpRows(of: table)
            }
        } catch {
            throw StoreError(error)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func dumpRows(of table: String) throws(SQLiteError) -> [String] {
        precondition(table.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 >= 0x61 && $0 <= 0x7A) }, "odd table name \(table)")
        let width = try connection.prepare("SELECT * FROM \(table) LIMIT 0").columnCount
        let order = (1...width).map(String.init).joined(separator: ", ")
        return try connection.prepare("SELECT * FROM \(table) ORDER BY \(order)").query { row in
            (0..<row.columnCount).map { Self.dumped(row.value(at: $0)) }.joined(separator: " | ")
        }
    }

    private static func dumped(_ value: SQLiteValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let integer): return String(integer)
        case .real(let real): return String(real)
        case .text(let text): return ConsulText.goQuoted(text)
        case .blob(let bytes):
            return "x'" + bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + "'"
        }
    }
}
