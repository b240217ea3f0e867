// Proves raft.db keeps entries and hard state durably across reopen, reads back only what checksums vouch for, and runs in WAL with synchronous=FULL.
@testable import Store
import XCTest

final class RaftLogStoreTests: StoreTestCase {
    private var log: RaftLogStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        log = try RaftLogStore(path: path("raft.db"))
    }

    override func tearDownWithError() throws {
        log.close()
        try super.tearDownWithError()
    }

    private func entry(_ index: UInt64, term: UInt64, _ data: [UInt8] = []) -> LogEntryRecord {
        LogEntryRecord(index: index, term: term, kind: UInt8(index % 3), data: data)
    }

    /// Entries 1...5 in terms 1, 1, 2, 2, 3.
    private lazy var five = [
        entry(1, term: 1, [1]), entry(2, term: 1, []), entry(3, term: 2, [3, 3, 3]),
        entry(4, term: 2, Array(repeating: 4, count: 1_000)), entry(5, term: 3, [5]),
    ]

    /// Runs `sql` through a second connection, as damage from outside would arrive.
    private func damage(_ sql: String) throws {
        let raw = try SQLiteConnection(path: path("raft.db"))
        defer { raw.close() }
        try raw.execute(sql)
    }

    private func expectCorrupt(_ body: () throws -> Void, mentioning text: String) {
        XCTAssertThrowsError(try body()) { error in
            guard case .corrupt(let message)? = error as? StoreError else {
                return XCTFail("expected StoreError.corrupt, got \(error)")
            }
            XCTAssertTrue(message.contains(text), "\"\(message)\" does not mention \"\(text)\"")
        }
    }

    func testEmptyLog() throws {
        XCTAssertEqual(try log.lastIndex, 0)
        XCTAssertEqual(try log.entries(from: 1, to: 10), [])
        XCTAssertEqual(try log.term(at: 0), 0)
        XCTAssertNil(try log.term(at: 1))
        XCTAssertEqual(try log.loadHardState(), .initial)
    }

    func testAppendAndRead() throws {
        try log.append(Array(five.prefix(2)))
        try log.append(Array(five.dropFirst(2)))
        try log.append([])
        XCTAssertEqual(try log.lastIndex, 5)
        XCTAssertEqual(try log.entries(from: 1, to: 6), five)
        XCTAssertEqual(try log.entries(from: 2, to: 4), Array(five[1...2]))
        XCTAssertEqual(try log.entries(from: 4, to: 100), Array(five[3...4]))
        XCTAssertEqual(try log.entries(from: 6, to: 9), [])
        XCTAssertEqual(try log.entries(from: 3, to: 3), [])
        XCTAssertEqual(try log.entries(from: 2, to: 3).first?.data, [], "an empty payload stays empty")
        XCTAssertEqual(try [0, 1, 2, 3, 4, 5].map { index throws in try log.term(at: index) }, [0, 1, 1, 2, 2, 3])
        XCTAssertNil(try log.term(at: 6))
    }

    func testFirstAppendMayStartAfterACompactedPrefix() throws {
        try log.append([entry(41, term: 7), entry(42, term: 7)])
        XCTAssertEqual(try log.lastIndex, 42)
        XCTAssertEqual(try log.entries(from: 1, to: 100).map(\.index), [41, 42])
    }

    func testTruncateThenAppendReplacesTheSuffix() throws {
        try log.append(five)
        try log.truncate(from: 4)
        XCTAssertEqual(try log.lastIndex, 3)
        XCTAssertNil(try log.term(at: 4))
        try log.append([entry(4, term: 4, [9]), entry(5, term: 4)])
        XCTAssertEqual(try log.entries(from: 1, to: 10), Array(five.prefix(3)) + [entry(4, term: 4, [9]), entry(5, term: 4)])
        try log.truncate(from: 1)
        XCTAssertEqual(try log.lastIndex, 0)
    }

    func testHardStateRoundTrip() throws {
        let voted = HardStateRecord(term: 3, vote: "node-b", commitIndex: 2)
        try log.saveHardState(voted)
        XCTAssertEqual(try log.loadHardState(), voted)
        let later = HardStateRecord(term: 4, vote: nil, commitIndex: 5)
        try log.saveHardState(later)
        XCTAssertEqual(try log.loadHardState(), later)
        let votedLater = HardStateRecord(term: 4, vote: "ünïcode-node", commitIndex: 6)
        try log.saveHardState(votedLater)
        XCTAssertEqual(try log.loadHardState(), votedLater)
    }

    func testChecksumsCoverEveryField() {
        let entry = LogEntryRecord(index: 7, term: 3, kind: 1, data: [1, 2, 3])
        var changed = [entry, entry, entry, entry]
        changed[0].index = 8
        changed[1].term = 4
        changed[2].kind = 2
        changed[3].data = [1, 2, 4]
        for other in changed {
            XCTAssertNotEqual(other.checksum, entry.checksum)
        }
        let voted = HardStateRecord(term: 1, vote: "", commitIndex: 0)
        XCTAssertNotEqual(voted.checksum, HardStateRecord(term: 1, vote: nil, commitIndex: 0).checksum)
    }

    func testDamagedEntryIsReportedWithItsIndex() throws {
        try log.append(five)
        try damage("UPDATE log SET data = x'00ff' WHERE idx = 3")
        expectCorrupt({ _ = try log.entries(from: 1, to: 6) }, mentioning: "index 3")
        expectCorrupt({ _ = try log.term(at: 3) }, mentioning: "index 3")
        XCTAssertEqual(try log.term(at: 2), 1, "undamaged entries still read")
        XCTAssertEqual(try log.entries(from: 4, to: 6), Array(five[3...4]))

        try damage("UPDATE log SET term = 9 WHERE idx = 5")
        expectCorrupt({ _ = try log.entries(from: 4, to: 6) }, mentioning: "index 5")
    }

    func testHoleInTheLogIsReported() throws {
        try log.append(five)
        try damage("DELETE FROM log WHERE idx = 3")
        expectCorrupt({ _ = try log.entries(from: 1, to: 6) }, mentioning: "before index 4")
    }

    func testDamagedHardStateIsReported() throws {
        try log.saveHardState(HardStateRecord(term: 3, vote: "node-b", commitIndex: 2))
        try damage("UPDATE hard_state SET vote = 'node-c'")
        expectCorrupt({ _ = try log.loadHardState() }, mentioning: "hard state")
    }

    func testReopenKeepsEverything() throws {
        let state = HardStateRecord(term: 3, vote: "node-a", commitIndex: 4)
        try log.append(five)
        try log.saveHardState(state)
        log.close()

        log = try RaftLogStore(path: path("raft.db"))
        XCTAssertEqual(try log.lastIndex, 5)
        XCTAssertEqual(try log.entries(from: 1, to: 6), five)
        XCTAssertEqual(try log.loadHardState(), state)
        XCTAssertEqual(try log.connection.userVersion(), RaftLogStore.migrations.count)
    }

    func testRunsInWALWithFullSync() throws {
        XCTAssertEqual(try log.connection.pragma("journal_mode"), .text("wal"))
        XCTAssertEqual(try log.connection.pragma("synchronous"), .integer(2))  // FULL
    }

    func testNewerSchemaIsRefused() throws {
        log.close()
        try damage("PRAGMA user_version = 2")
        XCTAssertThrowsError(try RaftLogStore(path: path("raft.db"))) { error in
            XCTAssertEqual(error as? StoreError, .schemaTooNew(found: 2, supported: 1))
        }
        log = try RaftLogStore(path: path("raft-2.db"))
    }
}

/// Proves one persistence step (entries, hard state, compaction) lands whole, replaces a
/// conflicting suffix, and that the compaction point reads back checksum-verified.
final class RaftLogStoreBatchTests: StoreTestCase {
    func testABatchReplacesTheSuffixSavesTheHardStateAndCompacts() throws {
        let log = try RaftLogStore(path: path("raft.db"))
        defer { log.close() }
        let first = (1...5).map { LogEntryRecord(index: $0, term: 1, kind: 1, data: [UInt8($0)]) }
        try log.write(entries: first, hardState: HardStateRecord(term: 1, vote: "7", commitIndex: 2), compaction: nil)
        let replacement = [LogEntryRecord(index: 4, term: 2, kind: 0, data: [])]
        try log.write(entries: replacement, hardState: nil, compaction: nil)
        XCTAssertEqual(try log.entries(from: 1, to: 10).map(\.term), [1, 1, 1, 2], "entry 5 went with the conflicting 4")
        XCTAssertEqual(try log.loadHardState(), HardStateRecord(term: 1, vote: "7", commitIndex: 2))
        XCTAssertNil(try log.loadSnapshotMeta())
        let meta = SnapshotMeta(index: 3, term: 1, configuration: [1, 2, 3], checksum: 0xDEAD_BEEF)
        try log.write(entries: [], hardState: nil, compaction: meta)
        XCTAssertEqual(try log.loadSnapshotMeta(), meta)
        XCTAssertEqual(try log.entries(from: 1, to: 10).map(\.index), [4])
        try log.write(entries: [], hardState: nil, compaction: nil, truncateFrom: 4)
        XCTAssertEqual(try log.lastIndex, 0)
    }

    func testACompactionDeletesItsEntriesAFewThousandPerWriteAndALoadNeverSeesThem() throws {
        let log = try RaftLogStore(path: path("raft.db"))
        defer { log.close() }
        let count: UInt64 = 5_000
        try log.write(entries: (1...count).map { LogEntryRecord(index: $0, term: 1, kind: 1, data: [1]) }, hardState: nil, compaction: nil)
        let meta = SnapshotMeta(index: 4_990, term: 1, configuration: [9], checksum: 7)
        try log.write(entries: [], hardState: nil, compaction: meta)
        XCTAssertEqual(try log.firstIndex, StoreLimits.raftCompactedRowsPerWrite + 1, "one write deletes a bounded number of rows")
        XCTAssertEqual(try log.entries(from: meta.index + 1, to: count + 1).map(\.index), Array(4_991...5_000))
        try log.write(entries: [LogEntryRecord(index: count + 1, term: 1, kind: 1, data: [2])], hardState: nil, compaction: nil)
        try log.write(entries: [], hardState: HardStateRecord(term: 1, vote: nil, commitIndex: count), compaction: nil)
        XCTAssertEqual(try log.firstIndex, meta.index + 1, "later writes delete the rest, and nothing past the snapshot")
        XCTAssertEqual(try log.lastIndex, count + 1)
        try log.write(entries: [], hardState: nil, compaction: nil)
        XCTAssertEqual(try log.firstIndex, meta.index + 1)
    }

    func testRowsACompactionLeftBehindAreDeletedAfterAReopen() throws {
        var log = try RaftLogStore(path: path("raft.db"))
        try log.write(entries: (1...3_000).map { LogEntryRecord(index: $0, term: 1, kind: 1, data: []) }, hardState: nil, compaction: nil)
        try log.write(entries: [], hardState: nil, compaction: SnapshotMeta(index: 2_999, term: 1, configuration: [], checksum: 0))
        XCTAssertEqual(try log.firstIndex, StoreLimits.raftCompactedRowsPerWrite + 1)
        log.close()
        log = try RaftLogStore(path: path("raft.db"))
        defer { log.close() }
        try log.write(entries: [], hardState: HardStateRecord(term: 1, vote: nil, commitIndex: 3_000), compaction: nil)
        XCTAssertEqual(try log.firstIndex, 3_000)
    }

    func testDamagedSnapshotMetadataIsReportedNotUsed() throws {
        let log = try RaftLogStore(path: path("raft.db"))
        defer { log.close() }
        try log.write(entries: [], hardState: nil, compaction: SnapshotMeta(index: 9, term: 2, configuration: [4], checksum: 1))
        let raw = try SQLiteConnection(path: path("raft.db"))
        try raw.execute("UPDATE snapshot_meta SET idx = 10")
        raw.close()
        XCTAssertThrowsError(try log.loadSnapshotMeta()) { error in
            XCTAssertEqual(error as? StoreError, .corrupt("raft snapshot metadata fails its checksum"))
        }
    }
}
