// Proves SQLite failures arrive as typed SQLiteErrors with the right primary and extended codes, SQLite's message, and what we were doing.
import Store
import XCTest

final class SQLiteErrorTests: StoreTestCase {
    // Result codes from sqlite3.h (the tests do not import the C module).
    private let sqliteError: Int32 = 1
    private let sqliteCantOpen: Int32 = 14
    private let sqliteConstraint: Int32 = 19
    private let sqliteConstraintNotNull: Int32 = 1299
    private let sqliteConstraintPrimaryKey: Int32 = 1555

    /// Runs `body` and returns the SQLiteError it threw, failing the test if it threw none.
    private func expectError(_ body: () throws(SQLiteError) -> Void) -> SQLiteError? {
        do {
            try body()
            XCTFail("expected a SQLiteError")
            return nil
        } catch {
            return error
        }
    }

    func testSyntaxErrorHasCodeMessageAndContext() throws {
        let db = try SQLiteConnection(path: path("e.db"))
        let fromExecute = expectError { () throws(SQLiteError) in try db.execute("SELEC 1") }
        XCTAssertEqual(fromExecute?.code, sqliteError)
        XCTAssertEqual(fromExecute?.extendedCode, sqliteError)
        XCTAssertEqual(fromExecute?.context, "SELEC 1")
        XCTAssertTrue(fromExecute?.message.contains("syntax error") ?? false, "\(String(describing: fromExecute))")

        let fromPrepare = expectError { () throws(SQLiteError) in _ = try db.prepare("SELECT * FROM missing") }
        XCTAssertEqual(fromPrepare?.code, sqliteError)
        XCTAssertEqual(fromPrepare?.message, "no such table: missing")
        XCTAssertEqual(fromPrepare?.context, "SELECT * FROM missing")
        XCTAssertTrue(fromPrepare?.description.contains("no such table: missing") ?? false)
    }

    func testConstraintViolationsGiveSQLITE_CONSTRAINT() throws {
        let db = try SQLiteConnection(path: path("e.db"))
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        let insert = "INSERT INTO t(id, name) VALUES (?, ?)"
        try db.cached(insert).run([.integer(1), .text("a")])

        let duplicate = expectError { () throws(SQLiteError) in
            try db.cached(insert).run([.integer(1), .text("b")])
        }
        XCTAssertEqual(duplicate?.code, sqliteConstraint)
        XCTAssertEqual(duplicate?.extendedCode, sqliteConstraintPrimaryKey)
        XCTAssertEqual(duplicate?.context, insert)
        XCTAssertTrue(duplicate?.message.contains("UNIQUE constraint failed: t.id") ?? false)

        let missingName = expectError { () throws(SQLiteError) in
            try db.cached(insert).run([.integer(2), .null])
        }
        XCTAssertEqual(missingName?.code, sqliteConstraint)
        XCTAssertEqual(missingName?.extendedCode, sqliteConstraintNotNull)

        // The failed statement is reusable.
        try db.cached(insert).run([.integer(2), .text("b")])
        XCTAssertEqual(try db.prepare("SELECT count(*) FROM t").query { $0.int64(at: 0) }, [2])
    }

    func testOpenFailureNamesThePath() {
        let bad = path("no-such-folder/x.db")
        let error = expectError { () throws(SQLiteError) in _ = try SQLiteConnection(path: bad) }
        XCTAssertEqual(error?.code, sqliteCantOpen)
        XCTAssertEqual(error?.context, "open \(bad)")
    }
}
