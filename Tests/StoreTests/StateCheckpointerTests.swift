// Proves that a state store opened for outside checkpoints leaves its WAL alone and that a
// StateCheckpointer on its own connection copies it into the database, with the store still usable.
import Registry
@testable import Store
import XCTest

final class StateCheckpointerTests: StoreTestCase {
    func testCheckpointFromASecondConnectionWhileTheStoreStaysOpen() throws {
        let store = try StateStore(path: path("state.db"), checkpointsElsewhere: true)
        defer { store.close() }
        XCTAssertEqual(try store.connection.pragma("wal_autocheckpoint"), .integer(0))
        for index in 1...50 {
            _ = store.apply(.kv(.set(KVEntry(key: "k\(index)", value: Array(repeating: 7, count: 2000)))), at: UInt64(index))
        }
        let checkpointer = try StateCheckpointer(path: path("state.db"))
        defer { checkpointer.close() }
        let first = try checkpointer.checkpoint()
        XCTAssertGreaterThan(first.walPages, 0, "automatic checkpoints are off, so the WAL holds the writes")
        XCTAssertEqual(first.checkpointedPages, first.walPages)
        // The store keeps reading and writing while the other connection exists.
        _ = store.apply(.kv(.set(KVEntry(key: "after", value: [1]))), at: 51)
        XCTAssertEqual(try store.kvEntry(key: "after").value?.value.value, [1])
        XCTAssertEqual(try store.kvEntries(prefix: "k").value.count, 50)
        XCTAssertNoThrow(try checkpointer.checkpoint())
    }
}
