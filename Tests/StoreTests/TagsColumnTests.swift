// Proves a service's tags survive as one column (migration 5): the column format round-trips any
// list (order, duplicates, empty strings, colons, digits, non-ASCII), refuses texts it cannot
// have written, and the migration moves a version-4 store's tag rows into it in position order.
@testable import Store
import XCTest

final class TagsColumnTests: StoreTestCase {
    func testRoundTripsAnyList() throws {
        let lists: [[String]] = [
            [], [""], ["", ""], ["a"], ["b", "a", "b"], ["1:a", "12", ":", "0:"], ["é", "日本", "v=1;x"],
            [String(repeating: "x", count: 1000)],
        ]
        for list in lists {
            XCTAssertEqual(try TagsColumn.decode(TagsColumn.encode(list), "test"), list)
        }
        XCTAssertEqual(TagsColumn.encode(["a", "b:c", ""]), "1:a3:b:c0:")
        XCTAssertEqual(TagsColumn.encode(["é"]), "2:é", "a length counts UTF-8 bytes")
    }

    func testRefusesWhatItCannotHaveWritten() {
        for text in ["a", "1", "1:", "2:a", ":a", "1a", "1:a2", "99999999999:x"] {
            XCTAssertThrowsError(try TagsColumn.decode(text, "service x on n"), text) { error in
                XCTAssertTrue("\(error)".contains("service x on n"), "\(error)")
            }
        }
    }

    func testMigrationFiveMovesTagRowsInPositionOrder() throws {
        let db = try SQLiteConnection(path: path("state.db"))
        defer { db.close() }
        try db.migrate(Array(StateStore.migrations.prefix(4)))
        try db.execute("""
            INSERT INTO nodes(name, id, address, datacenter, create_index, modify_index) VALUES ('n', '', '', 'dc1', 1, 1);
            INSERT INTO services(node, id, name, address, port, weight_passing, weight_warning, enable_tag_override, kind,
                                 create_index, modify_index, registered_ms)
            VALUES ('n', 'a', 'web', '', 0, 1, 1, 0, '', 2, 2, 0), ('n', 'b', 'web', '', 0, 1, 1, 0, '', 3, 3, 0);
            INSERT INTO service_tags(node, service_id, position, tag)
            VALUES ('n', 'a', 2, 'zz'), ('n', 'a', 0, 'b'), ('n', 'a', 1, 'é:1'), ('n', 'a', 3, '');
            """)
        try db.migrate(Array(StateStore.migrations.prefix(5)))
        XCTAssertEqual(try db.userVersion(), 5)
        let tags = try db.prepare("SELECT id, tags FROM services ORDER BY id").query { ($0.text(at: 0), $0.text(at: 1)) }
        XCTAssertEqual(tags.map(\.0), ["a", "b"])
        XCTAssertEqual(try TagsColumn.decode(tags[0].1, "a"), ["b", "é:1", "zz", ""])
        XCTAssertEqual(try TagsColumn.decode(tags[1].1, "b"), [])
        let tables = try db.prepare("SELECT name FROM sqlite_schema WHERE name = 'service_tags'").query { $0.text(at: 0) }
        XCTAssertEqual(tables, [])
    }
}
