import Registry

/// A table that holds one map or list of a parent row (`node_meta`, `service_meta`, ...):
/// the owner's key columns, then the item's columns (see `StateSchema`).
///
/// Items are replaced whole: a write deletes the owner's rows and inserts the new ones, and a
/// read orders by the item columns, so a list comes back in `position` order and a map in key
/// byte order.
///
/// A class: the tables are static constants handed around on the apply path, and copying a
/// struct of seven strings and arrays cost seven retains and releases each time.
final class ChildTable: Sendable {
    let table: String
    let ownerColumns: [String]
    let itemColumns: [String]
    // The SQL is built once per table rather than on every write: the statement cache is keyed
    // by SQL text, and building the text each time allocated on the apply hot path.
    let deleteSQL: String
    let insertSQL: String
    let selectSQL: String

    init(table: String, ownerColumns: [String], itemColumns: [String]) {
        precondition(!ownerColumns.isEmpty && !itemColumns.isEmpty, "a child table has owner and item columns")
        self.table = table
        self.ownerColumns = ownerColumns
        self.itemColumns = itemColumns
        let ownerMatch = ownerColumns.map { "\($0) = ?" }.joined(separator: " AND ")
        let columns = ownerColumns + itemColumns
        let slots = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let items = itemColumns.joined(separator: ", ")
        deleteSQL = "DELETE FROM \(table) WHERE \(ownerMatch)"
        insertSQL = "INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES (\(slots))"
        selectSQL = "SELECT \(items) FROM \(table) WHERE \(ownerMatch) ORDER BY \(items)"
    }

    static let nodeTaggedAddresses = ChildTable(table: "node_tagged_addresses", ownerColumns: ["node"], itemColumns: ["key", "value"])
    static let nodeMeta = ChildTable(table: "node_meta", ownerColumns: ["node"], itemColumns: ["key", "value"])
    static let serviceTaggedAddresses = ChildTable(
        table: "service_tagged_addresses", ownerColumns: ["node", "service_id"], itemColumns: ["key", "address", "port"])
    static let serviceMeta = ChildTable(table: "service_meta", ownerColumns: ["node", "service_id"], itemColumns: ["key", "value"])
    static let checkServiceTags = ChildTable(table: "check_service_tags", ownerColumns: ["node", "check_id"], itemColumns: ["position", "tag"])
    static let checkHeaders = ChildTable(table: "check_headers", ownerColumns: ["node", "check_id"], itemColumns: ["name", "position", "value"])
    static let checkArgs = ChildTable(table: "check_args", ownerColumns: ["node", "check_id"], itemColumns: ["position", "arg"])
    static let sessionChecks = ChildTable(
        table: "session_checks", ownerColumns: ["session"], itemColumns: ["kind", "position", "check_id", "namespace"])
}

extension SQLiteConnection {
    /// Replaces `owner`'s items in `child` with `items` (each the item columns' values).
    func replace(_ child: ChildTable, owner: [SQLiteValue], items: [[SQLiteValue]]) throws(StoreError) {
        precondition(owner.count == child.ownerColumns.count, "wrong owner key for \(child.table)")
        try run(child.deleteSQL, owner)
        try insert(child, owner: owner, items: items)
    }

    /// Adds `items` to `owner`'s items in `child`; for an owner row just created, which has
    /// none yet (its child rows cascade from it), this is `replace` without the delete.
    func insert(_ child: ChildTable, owner: [SQLiteValue], items: [[SQLiteValue]]) throws(StoreError) {
        precondition(owner.count == child.ownerColumns.count, "wrong owner key for \(child.table)")
        for item in items {
            precondition(item.count == child.itemColumns.count, "wrong item width for \(child.table)")
            try run(child.insertSQL, owner + item)
        }
    }

    /// `owner`'s items in `child`, in item-column order.
    func items<T>(
        _ child: ChildTable, owner: [SQLiteValue], _ decode: (inout RowCursor) throws(StoreError) -> T
    ) throws(StoreError) -> [T] {
        try select(child.selectSQL, owner, decode)
    }

    /// Writes a list as (position, value) items.
    func replaceList(_ child: ChildTable, owner: [SQLiteValue], _ values: [String]) throws(StoreError) {
        try replace(child, owner: owner, items: values.enumerated().map { [.int($0.offset), .text($0.element)] })
    }

    /// Reads a list written by `replaceList`.
    func list(_ child: ChildTable, owner: [SQLiteValue]) throws(StoreError) -> [String] {
        try items(child, owner: owner) { (row) throws(StoreError) in
            _ = row.int64()
            return row.text()
        }
    }

    /// Writes a map as (key, value) items, keys in byte order.
    func replaceMap(_ child: ChildTable, owner: [SQLiteValue], _ map: [String: String]) throws(StoreError) {
        try replace(child, owner: owner, items: map.keysInByteOrder.map { [.text($0), .text(map[$0] ?? "")] })
    }

    /// Reads a map written by `replaceMap`.
    func map(_ child: ChildTable, owner: [SQLiteValue]) throws(StoreError) -> [String: String] {
        let pairs = try items(child, owner: owner) { (row) throws(StoreError) in (row.text(), row.text()) }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}
