// Proves every SQLiteValue survives a bind/read round trip, including the edge cases SQLite's C API hides (empty blobs, embedded NULs, Int64 limits).
import Store
import XCTest

final class SQLiteValueTests: StoreTestCase {
    private var db: SQLiteConnection!

    override func setUpWithError() throws {
        try super.setUpWithError()
        db = try SQLiteConnection(path: path("values.db"))
        try db.execute("CREATE TABLE v(id INTEGER PRIMARY KEY, x)")
    }

    override func tearDownWithError() throws {
        db.close()
        try super.tearDownWithError()
    }

    /// Stores `value` in a fresh row and reads it back with its stored type.
    private func roundTrip(_ value: SQLiteValue) throws -> SQLiteValue {
        try db.cached("INSERT INTO v(x) VALUES (?)").run([value])
        let rowID = db.lastInsertRowID
        let read = try db.cached("SELECT x FROM v WHERE id = ?").query([.integer(rowID)]) { $0.value(at: 0) }
        XCTAssertEqual(read.count, 1)
        return read[0]
    }

    private func sqlType(ofRow rowID: Int64) throws -> String {
        try db.prepare("SELECT typeof(x) FROM v WHERE id = ?").query([.integer(rowID)]) { $0.text(at: 0) }[0]
    }

    func testNullAndIntegersIncludingLimits() throws {
        XCTAssertEqual(try roundTrip(.null), .null)
        for integer: Int64 in [0, 1, -1, 42, Int64.min, Int64.max, Int64.min + 1, Int64.max - 1] {
            XCTAssertEqual(try roundTrip(.integer(integer)), .integer(integer))
        }
        XCTAssertEqual(try roundTrip(.unsigned(UInt64(Int64.max))), .integer(Int64.max))
    }

    func testReals() throws {
        for real in [0.0, -0.5, 3.25, Double.greatestFiniteMagnitude, -Double.leastNonzeroMagnitude] {
            XCTAssertEqual(try roundTrip(.real(real)), .real(real))
        }
    }

    func testTextWithUnicodeAndEmptyText() throws {
        let unicode = "grüße, 重力, 🪐 e\u{301}"
        XCTAssertEqual(try roundTrip(.text(unicode)), .text(unicode))
        // The empty string is text, not NULL.
        XCTAssertEqual(try roundTrip(.text("")), .text(""))
        XCTAssertEqual(try sqlType(ofRow: db.lastInsertRowID), "text")
    }

    func testTextWithEmbeddedNULIsStoredWhole() throws {
        // Decision (see SQLiteValue): text is bound by byte count, so the NUL and what follows it
        // are kept; only C-string SQL functions stop at it.
        let text = "before\u{0}after"
        XCTAssertEqual(try roundTrip(.text(text)), .text(text))
        let rowID = db.lastInsertRowID
        let storedBytes = try db.prepare("SELECT length(CAST(x AS BLOB)) FROM v WHERE id = ?")
            .query([.integer(rowID)]) { $0.int64(at: 0) }
        XCTAssertEqual(storedBytes, [12])
    }

    func testEmptyBlobStaysAnEmptyBlobNotNull() throws {
        XCTAssertEqual(try roundTrip(.blob([])), .blob([]))
        let rowID = db.lastInsertRowID
        XCTAssertEqual(try sqlType(ofRow: rowID), "blob")
        let read = try db.prepare("SELECT x FROM v WHERE id = ?").query([.integer(rowID)]) { row in
            (row.isNull(at: 0), row.blob(at: 0))
        }
        XCTAssertEqual(read.first?.0, false)
        XCTAssertEqual(read.first?.1, [])
    }

    func testSmallAndLargeBlobs() throws {
        XCTAssertEqual(try roundTrip(.blob([0])), .blob([0]))
        XCTAssertEqual(try roundTrip(.blob([0xFF, 0x00, 0x7F])), .blob([0xFF, 0x00, 0x7F]))
        let large = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        XCTAssertEqual(try roundTrip(.blob(large)), .blob(large))
    }

    func testTypedGettersAndNullReadsAsZeroValues() throws {
        try db.cached("INSERT INTO v(x) VALUES (?)").run([.null])
        let read = try db.prepare("SELECT x, x, x, x FROM v").query { row in
            (row.isNull(at: 0), row.int64(at: 1), row.text(at: 2), row.blob(at: 3))
        }
        XCTAssertEqual(read.count, 1)
        XCTAssertEqual(read[0].0, true)
        XCTAssertEqual(read[0].1, 0)
        XCTAssertEqual(read[0].2, "")
        XCTAssertEqual(read[0].3, [])
    }

    func testBindByIndexAndManualStepping() throws {
        let insert = try db.prepare("INSERT INTO v(id, x) VALUES (?, ?)")
        XCTAssertEqual(insert.parameterCount, 2)
        try insert.bind(.integer(7), at: 1)
        try insert.bind(.text("seven"), at: 2)
        XCTAssertFalse(try insert.step())
        XCTAssertEqual(db.changes, 1)
        XCTAssertEqual(db.lastInsertRowID, 7)

        let select = try db.prepare("SELECT id, x FROM v ORDER BY id")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(at: 0), 7)
        XCTAssertEqual(select.text(at: 1), "seven")
        XCTAssertFalse(try select.step())
        select.reset()
        XCTAssertTrue(try select.step())
    }

    func testCachedStatementsArePreparedOnceAndBounded() throws {
        let small = try SQLiteConnection(path: path("cache.db"), options: .init(maxCachedStatements: 2))
        defer { small.close() }
        let first = try small.cached("SELECT 1")
        XCTAssertTrue(first === (try small.cached("SELECT 1")))
        _ = try small.cached("SELECT 2")
        XCTAssertEqual(small.cachedStatementCount, 2)
        _ = try small.cached("SELECT 3")
        XCTAssertLessThanOrEqual(small.cachedStatementCount, 2)
        XCTAssertEqual(try small.cached("SELECT 3").query { $0.int64(at: 0) }, [3])
    }

    /// The cache hashes a statement by its length and ends only: texts that share them and
    /// differ in the middle must still be two statements.
    func testCachedStatementsThatDifferOnlyInTheMiddleStayApart() throws {
        let db = try SQLiteConnection(path: path("middle.db"))
        defer { db.close() }
        let padding = String(repeating: " ", count: 40)
        let one = "SELECT 'padding!', 1 AS value" + padding
        let two = "SELECT 'padding!', 2 AS value" + padding
        XCTAssertEqual(one.utf8.count, two.utf8.count)
        XCTAssertEqual(try db.cached(one).query { $0.int64(at: 1) }, [1])
        XCTAssertEqual(try db.cached(two).query { $0.int64(at: 1) }, [2])
        XCTAssertEqual(try db.cached(one).query { $0.int64(at: 1) }, [1])
        XCTAssertEqual(db.cachedStatementCount, 2)
    }
}
