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

    /// SQLite starts the WAL over only at a write that finds it wholly checkpointed; with
    /// automatic checkpoints off, `finishCheckpoint` from the store's own connection is how the
    /// agent gets there when outside checkpoints keep falling behind.
    func testFinishCheckpointLetsTheNextWriteStartTheWALOver() throws {
        let store = try StateStore(path: path("state.db"), checkpointsElsewhere: true)
        defer { store.close() }
        let checkpointer = try StateCheckpointer(path: path("state.db"))
        defer { checkpointer.close() }
        func write(_ range: ClosedRange<Int>) {
            for index in range {
                _ = store.apply(.kv(.set(KVEntry(key: "k\(index)", value: Array(repeating: 7, count: 2000)))), at: UInt64(index))
            }
        }
        write(1...40)
        let finished = try store.finishCheckpoint()
        XCTAssertGreaterThan(finished.walPages, 40, "automatic checkpoints are off, so the WAL holds every write")
        XCTAssertEqual(finished.checkpointedPages, finished.walPages, "nothing left to copy")
        write(41...41)
        let restarted = try checkpointer.checkpoint()
        XCTAssertLessThan(restarted.walPages, 10, "the write after a complete checkpoint starts the WAL over")
        XCTAssertEqual(try store.kvEntries(prefix: "k").value.count, 41)
    }
}

final class StateCheckpointerWriteBackTests: StoreTestCase {
    /// Unsynced checkpoints ask the kernel to write back what they copied every few
    /// checkpoints, so the pages never pile up for one large periodic writeback; synced ones
    /// never need to (their fsync writes everything).
    func testUnsyncedCheckpointsStartAWriteBackEveryFewCheckpoints() throws {
        let store = try StateStore(path: path("state.db"), checkpointsElsewhere: true)
        defer { store.close() }
        let unsynced = try StateCheckpointer(path: path("state.db"), syncs: false, writeBackEvery: 3)
        defer { unsynced.close() }
        let synced = try StateCheckpointer(path: path("state.db"), syncs: true, writeBackEvery: 3)
        defer { synced.close() }
        for index in 1...7 {
            _ = store.apply(.kv(.set(KVEntry(key: "k\(index)", value: [UInt8(index)]))), at: UInt64(index))
            try unsynced.checkpoint()
            try synced.checkpoint()
        }
        XCTAssertEqual(unsynced.writeBacksStarted, 2, "after the 3rd and the 6th checkpoint")
        XCTAssertEqual(synced.writeBacksStarted, 0)
        XCTAssertEqual(try store.kvEntries(prefix: "k").value.count, 7)
    }
}
