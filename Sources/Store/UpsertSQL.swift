/// `INSERT ... ON CONFLICT(key) DO UPDATE` for a registry table: every column but the key and
/// `create_index` takes the new value, so a row keeps the index of the command that created it.
///
/// An upsert rather than `INSERT OR REPLACE`, which deletes the old row first and would fire the
/// ON DELETE CASCADE of its child tables. The SQL is built from the same column list the row
/// codec binds, so the two cannot drift apart.
func upsertSQL(table: String, columns: String, key: [String]) -> String {
    let names = columns.split(separator: ",").map { $0.trimmingSpaces }
    precondition(Set(key).isSubset(of: names), "upsert key of \(table) is not among its columns")
    let slots = Array(repeating: "?", count: names.count).joined(separator: ", ")
    let updates = names.filter { !key.contains($0) && $0 != "create_index" }.map { "\($0) = excluded.\($0)" }
    return """
        INSERT INTO \(table)(\(names.joined(separator: ", "))) VALUES (\(slots))
        ON CONFLICT(\(key.joined(separator: ", "))) DO UPDATE SET \(updates.joined(separator: ", "))
        """
}

extension Substring {
    /// Without leading and trailing spaces and newlines (the column lists are multi-line).
    fileprivate var trimmingSpaces: String {
        let isSpace = { (c: Character) in c == " " || c == "\n" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
