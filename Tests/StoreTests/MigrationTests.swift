// Proves migrations bring a database to the latest schema exactly once, refuse a newer schema untouched, and apply each step with its user_version all-or-nothing.
import Store
import XCTest

final class MigrationTests: StoreTestCase {
    private let steps = [
        Migration(version: 1, name: "table a", sql: "CREATE TABLE a(x INTEGER); INSERT INTO a VALUES (1);"),
        Migration(version: 2, name: "table b", sql: "CREATE TABLE b(y TEXT);"),
        Migration(version: 3, name: "row in a", sql: "INSERT INTO a VALUES (3);"),
    ]

    private func open() throws -> SQLiteConnection {
        try SQLiteConnection(path: path("m.db"))
    }

    private func tableNames(_ db: SQLiteConnection) throws -> [String] {
        try db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").query { $0.text(at: 0) }
    }

    private func rowsOfA(_ db: SQLiteConnection) throws -> [Int64] {
        try db.prepare("SELECT x FROM a ORDER BY x").query { $0.int64(at: 0) }
    }

    func testFreshDatabaseGoesToTheLatestVersion() throws {
        let db = try open()
        XCTAssertEqual(try db.userVersion(), 0)
        try db.migrate(steps)
        XCTAssertEqual(try db.userVersion(), 3)
        XCTAssertEqual(try tableNames(db), ["a", "b"])
        XCTAssertEqual(try rowsOfA(db), [1, 3])
    }

    func testMigratingAgainAndReopeningAreNoOps() throws {
        let first = try open()
        try first.migrate(steps)
        try first.migrate(steps)
        first.close()

        let reopened = try open()
        try reopened.migrate(steps)
        XCTAssertEqual(try reopened.userVersion(), 3)
        XCTAssertEqual(try rowsOfA(reopened), [1, 3], "no step ran twice")
    }

    func testOnlyPendingStepsRun() throws {
        let db = try open()
        try db.migrate(Array(steps.prefix(1)))
        XCTAssertEqual(try db.userVersion(), 1)
        try db.execute("DELETE FROM a")
        try db.migrate(steps)
        XCTAssertEqual(try db.userVersion(), 3)
        XCTAssertEqual(try rowsOfA(db), [3], "step 1 did not run again")
    }

    func testNewerSchemaIsRefusedAndLeftUntouched() throws {
        let db = try open()
        try db.setUserVersion(5)
        XCTAssertThrowsError(try db.migrate(steps)) { error in
            XCTAssertEqual(error as? StoreError, .schemaTooNew(found: 5, supported: 3))
            XCTAssertEqual(
                (error as? StoreError)?.description,
                "database schema version 5 is newer than this build supports (3)")
        }
        XCTAssertEqual(try db.userVersion(), 5)
        XCTAssertEqual(try tableNames(db), [])
    }

    func testFailingStepRollsBackItsSQLAndItsVersion() throws {
        let broken = [
            steps[0],
            Migration(version: 2, name: "half broken", sql: "CREATE TABLE b(y TEXT); INSERT INTO missing VALUES (1);"),
        ]
        let db = try open()
        do {
            try db.migrate(broken)
            XCTFail("step 2 should have failed")
        } catch let StoreError.sqlite(error) {
            XCTAssertEqual(error.code, 1)  // SQLITE_ERROR
            XCTAssertEqual(error.message, "no such table: missing")
        }
        XCTAssertEqual(try db.userVersion(), 1, "step 1 stays, step 2's bump is rolled back")
        XCTAssertEqual(try tableNames(db), ["a"], "step 2's CREATE TABLE is rolled back")
        XCTAssertFalse(db.isInTransaction)

        try db.migrate(steps)
        XCTAssertEqual(try db.userVersion(), 3)
        XCTAssertEqual(try tableNames(db), ["a", "b"])
    }
}
