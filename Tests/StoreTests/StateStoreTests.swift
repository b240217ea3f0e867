// Proves state.db records applied_index atomically with the effects of each batch, keeps it across reopen, and runs in WAL with synchronous=NORMAL (it is replayed from raft.db).
@testable import Store
import XCTest

private enum ApplyError: SQLiteErrorConvertible, Equatable {
    case sqlite(SQLiteError)
    case refused

    init(_ sqliteError: SQLiteError) { self = .sqlite(sqliteError) }
}

final class StateStoreTests: StoreTestCase {
    private var store: StateStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        store = try StateStore(path: path("state.db"))
        // Stands in for the registry tables later migrations will add.
        try store.connection.execute("CREATE TABLE IF NOT EXISTS kv(k TEXT PRIMARY KEY, v TEXT NOT NULL)")
    }

    override func tearDownWithError() throws {
        store.close()
        try super.tearDownWithError()
    }

    private func put(_ db: SQLiteConnection, _ key: String, _ value: String) throws(SQLiteError) {
        try db.cached("INSERT INTO kv(k, v) VALUES (?, ?)").run([.text(key), .text(value)])
    }

    private func keys() throws -> [String] {
        try store.connection.cached("SELECT k FROM kv ORDER BY k").query { $0.text(at: 0) }
    }

    private func reopen() throws {
        store.close()
        store = try StateStore(path: path("state.db"))
    }

    func testNewStoreStartsAtZero() throws {
        XCTAssertEqual(store.appliedIndex, 0)
        XCTAssertNil(try store.clusterID())
        XCTAssertEqual(try store.connection.userVersion(), StateStore.migrations.count)
    }

    func testApplyCommitsEffectsAndIndexTogether() throws {
        let written = try store.apply(batchAt: 3) { (db) throws(SQLiteError) -> Int in
            try put(db, "a", "1")
            try put(db, "b", "2")
            return 2
        }
        XCTAssertEqual(written, 2)
        XCTAssertEqual(store.appliedIndex, 3)
        XCTAssertEqual(try keys(), ["a", "b"])
        try store.apply(batchAt: 7) { (db) throws(SQLiteError) in try put(db, "c", "3") }
        XCTAssertEqual(store.appliedIndex, 7)
    }

    func testThrowingBodyLeavesIndexAndEffectsUnchanged() throws {
        try store.apply(batchAt: 3) { (db) throws(SQLiteError) in try put(db, "a", "1") }

        XCTAssertThrowsError(
            try store.apply(batchAt: 4) { (db) throws(ApplyError) in
                do throws(SQLiteError) { try put(db, "b", "2") } catch { throw ApplyError(error) }
                throw .refused
            }
        ) { error in XCTAssertEqual(error as? ApplyError, .refused) }
        XCTAssertEqual(store.appliedIndex, 3)
        XCTAssertEqual(try keys(), ["a"])

        // A failing statement inside the body (duplicate key) is rolled back the same way.
        XCTAssertThrowsError(
            try store.apply(batchAt: 4) { (db) throws(SQLiteError) in
                try put(db, "c", "3")
                try put(db, "a", "again")
            })
        XCTAssertEqual(store.appliedIndex, 3)
        XCTAssertEqual(try keys(), ["a"])

        try reopen()
        XCTAssertEqual(store.appliedIndex, 3, "the failed batches never reached the disk")
        XCTAssertEqual(try keys(), ["a"])

        try store.apply(batchAt: 4) { (db) throws(SQLiteError) in try put(db, "b", "2") }
        XCTAssertEqual(store.appliedIndex, 4)
    }

    func testReopenKeepsAppliedIndexAndClusterID() throws {
        try store.apply(batchAt: 12) { (db) throws(StoreError) in
            do throws(SQLiteError) { try put(db, "k", "v") } catch { throw StoreError(error) }
            try store.setClusterID("cluster-1")
        }
        try reopen()
        XCTAssertEqual(store.appliedIndex, 12)
        XCTAssertEqual(try store.clusterID(), "cluster-1")
        XCTAssertEqual(try keys(), ["k"])
    }

    func testClusterIDWrittenInAFailedBatchIsRolledBack() throws {
        XCTAssertThrowsError(
            try store.apply(batchAt: 1) { (_) throws(StoreError) in
                try store.setClusterID("cluster-1")
                throw .corrupt("test")
            })
        XCTAssertNil(try store.clusterID())
        XCTAssertEqual(store.appliedIndex, 0)
    }

    func testRunsInWALWithFullSync() throws {
        XCTAssertEqual(try store.connection.pragma("journal_mode"), .text("wal"))
        XCTAssertEqual(try store.connection.pragma("synchronous"), .integer(1))  // NORMAL
    }

    func testKeepsALargerPageCacheThanSQLitesDefault() throws {
        // Negative: a size in KiB (a positive value would be pages).
        XCTAssertEqual(try store.connection.pragma("cache_size"), .integer(-Int64(StoreLimits.stateCacheKiB)))
        XCTAssertGreaterThan(StoreLimits.stateCacheKiB, 2_000, "SQLite's default")
    }
}
