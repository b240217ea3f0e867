// Proves transactions are all-or-nothing: commit on return, rollback on any throw, nested calls as savepoints, and the caller's error passes through unchanged.
import Store
import XCTest

/// A caller-defined error type, to show that the body's own errors come back as they were thrown.
private enum TestError: SQLiteErrorConvertible, Equatable {
    case sqlite(SQLiteError)
    case boom

    init(_ sqliteError: SQLiteError) { self = .sqlite(sqliteError) }
}

final class SQLiteTransactionTests: StoreTestCase {
    private var db: SQLiteConnection!

    override func setUpWithError() throws {
        try super.setUpWithError()
        db = try SQLiteConnection(path: path("tx.db"))
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY)")
    }

    override func tearDownWithError() throws {
        db.close()
        try super.tearDownWithError()
    }

    private func insert(_ id: Int64) throws(SQLiteError) {
        try db.cached("INSERT INTO t(id) VALUES (?)").run([.integer(id)])
    }

    private func ids() throws -> [Int64] {
        try db.cached("SELECT id FROM t ORDER BY id").query { $0.int64(at: 0) }
    }

    func testCommitKeepsWritesAndReturnsTheBodyResult() throws {
        let result = try db.transaction { () throws(SQLiteError) -> String in
            try insert(1)
            try insert(2)
            return "done"
        }
        XCTAssertEqual(result, "done")
        XCTAssertEqual(try ids(), [1, 2])
        XCTAssertFalse(db.isInTransaction)
    }

    func testThrowingBodyLeavesNothingBehindAndRethrowsItsError() throws {
        XCTAssertThrowsError(
            try db.transaction { () throws(TestError) in
                do throws(SQLiteError) { try insert(1) } catch { throw TestError(error) }
                do throws(SQLiteError) { try db.execute("CREATE TABLE extra(x)") } catch { throw TestError(error) }
                throw .boom
            }
        ) { error in XCTAssertEqual(error as? TestError, .boom) }
        XCTAssertEqual(try ids(), [])
        XCTAssertFalse(db.isInTransaction)
        let tables = try db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'extra'").query { $0.int64(at: 0) }
        XCTAssertEqual(tables, [0], "DDL is rolled back too")
    }

    func testFailingStatementRollsBackEarlierWritesOfTheSameTransaction() throws {
        try insert(5)
        XCTAssertThrowsError(
            try db.immediateTransaction { () throws(SQLiteError) in
                try insert(6)
                try insert(5)  // primary key violation
            })
        XCTAssertEqual(try ids(), [5])
    }

    func testFailedCommitRollsBack() throws {
        // A deferred foreign key is only checked at COMMIT, which then fails.
        try db.execute("PRAGMA foreign_keys = ON")
        try db.execute("CREATE TABLE child(parent INTEGER REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED)")
        do throws(SQLiteError) {
            try db.transaction { () throws(SQLiteError) in
                try insert(1)
                try db.execute("INSERT INTO child(parent) VALUES (99)")
            }
            XCTFail("COMMIT should have failed")
        } catch {
            XCTAssertEqual(error.code, 19)  // SQLITE_CONSTRAINT
            XCTAssertEqual(error.context, "COMMIT")
        }
        XCTAssertFalse(db.isInTransaction)
        XCTAssertEqual(try ids(), [])
    }

    func testNestedTransactionIsASavepointThatCanFailAlone() throws {
        try db.transaction { () throws(SQLiteError) in
            try insert(1)
            do throws(TestError) {
                try db.transaction { () throws(TestError) in
                    do throws(SQLiteError) { try insert(2) } catch { throw TestError(error) }
                    throw .boom
                }
                XCTFail("inner transaction should have thrown")
            } catch {
                XCTAssertEqual(error, .boom)
            }
            XCTAssertTrue(db.isInTransaction, "the outer transaction survives the inner failure")
            try insert(3)
        }
        XCTAssertEqual(try ids(), [1, 3])
    }

    func testNestedFailureThatEscapesRollsBackEverything() throws {
        XCTAssertThrowsError(
            try db.transaction { () throws(TestError) in
                do throws(SQLiteError) { try insert(1) } catch { throw TestError(error) }
                try db.transaction { () throws(TestError) in
                    do throws(SQLiteError) { try insert(2) } catch { throw TestError(error) }
                    throw .boom
                }
            })
        XCTAssertEqual(try ids(), [])
        XCTAssertFalse(db.isInTransaction)
    }

    func testNestedSuccessCommitsWithTheOuterTransaction() throws {
        try db.immediateTransaction { () throws(SQLiteError) in
            try insert(1)
            try db.transaction { () throws(SQLiteError) in
                try insert(2)
                try db.transaction { () throws(SQLiteError) in try insert(3) }
            }
        }
        XCTAssertEqual(try ids(), [1, 2, 3])
        XCTAssertFalse(db.isInTransaction)
    }
}
