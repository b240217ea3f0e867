// Proves the process-wide SQLite settings a connection applies before SQLite initializes:
// memory statistics are off (with them on, every allocation inside SQLite takes one global
// mutex that the loop thread and the log writer fight over).
import CSQLite
import Store
import XCTest

final class SQLiteConfigurationTests: StoreTestCase {
    func testMemoryStatisticsAreOff() throws {
        let db = try SQLiteConnection(path: path("config.db"))
        defer { db.close() }
        try db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)")
        for id in 0..<200 {
            try db.cached("INSERT INTO t(id, body) VALUES (?, ?)").run([.integer(Int64(id)), .blob(Array(repeating: 7, count: 1_000))])
        }
        // Untracked: SQLite reports no memory in use although it holds pages and statements.
        XCTAssertEqual(sqlite3_memory_used(), 0)
        // Too late to change once initialized: the setting holds for the whole process.
        XCTAssertEqual(sqlite3_config_memstatus_probe(), SQLITE_MISUSE)
    }
}

/// `sqlite3_config` after initialization is refused; the shim's call shows that.
private func sqlite3_config_memstatus_probe() -> Int32 { gravity_sqlite_disable_memory_statistics() }
