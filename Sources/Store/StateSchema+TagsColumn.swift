/// Migration 5: a service's tags move from the child table `service_tags` into a column of
/// `services` (`TagsColumn` is its format). A tag row cost each registration an insert with a
/// foreign-key check, about 22k instructions on every server (12% of a registration on a
/// single node, callgrind), for a list that is only ever read and written whole with its
/// instance. Meta and tagged addresses, which most registrations leave empty, stay child tables.
/// Released SQL: never edit it; append a migration.
extension StateSchema {
    static let version5 = """
        ALTER TABLE services ADD COLUMN tags TEXT NOT NULL DEFAULT '';
        UPDATE services SET tags = coalesce((
            SELECT group_concat(length(CAST(t.tag AS BLOB)) || ':' || t.tag, '')
            FROM (SELECT tag FROM service_tags WHERE node = services.node AND service_id = services.id ORDER BY position) t
        ), '');
        DROP TABLE service_tags;
        """
}

/// A list of strings as one TEXT value: each item as its UTF-8 byte count in decimal, a colon,
/// then its bytes ("1:a3:b:c0:" is ["a", "b:c", ""]). Any string can be an item, order and
/// duplicates survive, and migration 5 builds the same text in SQL from the old rows.
enum TagsColumn {
    static func encode(_ items: [String]) -> String {
        var text = ""
        for item in items {
            text += String(item.utf8.count)
            text += ":"
            text += item
        }
        return text
    }

    /// The items of `text`; a text this format cannot have produced is a corrupt store.
    static func decode(_ text: String, _ what: @autoclosure () -> String) throws(StoreError) -> [String] {
        if text.isEmpty { return [] }
        let bytes = Array(text.utf8)
        var items: [String] = []
        var position = 0
        while position < bytes.count {
            var length = 0
            var digits = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9"), digits < 10 {
                length = length * 10 + Int(bytes[position] - UInt8(ascii: "0"))
                position += 1
                digits += 1
            }
            guard digits > 0, position < bytes.count, bytes[position] == UInt8(ascii: ":"), bytes.count - position - 1 >= length else {
                throw .corrupt("state.db: \(what()) has tags that do not decode at byte \(position)")
            }
            position += 1
            items.append(String(decoding: bytes[position..<position + length], as: UTF8.self))
            position += length
        }
        return items
    }
}
