// Proves raft.db is read back into the core's start state (entries, vote, compaction point),
// that a log from before Raft is refused with a message, and that batches waiting for the disk
// merge into one write that ends as the later one says.
import Foundation
import Raft
import Server
import Store
import TestFolders
import XCTest

final class RaftBootTests: XCTestCase {
    private func log() throws -> RaftLogStore {
        let folder = try TestFolders.make("gravity-boot")
        return try RaftLogStore(path: folder.appendingPathComponent("raft.db").path)
    }

    func testWhatWasPersistedComesBack() throws {
        let store = try log()
        defer { store.close() }
        let membership = Membership(voters: [1, 2, 3], addresses: [1: "a:8300", 2: "b:8300", 3: "c:8300"])
        var batch = PersistBatch(hardState: HardState(term: 4, vote: 2, commit: 2),
                                 entries: [RaftEntry(index: 1, term: 1, kind: .membership, data: membership.encoded),
                                           RaftEntry(index: 2, term: 4, kind: .noop)])
        try store.write(entries: batch.records, hardState: batch.hardStateRecord, compaction: nil)
        var boot = try RaftBoot.load(from: store)
        XCTAssertEqual(boot.hardState, HardState(term: 4, vote: 2, commit: 2))
        XCTAssertEqual(boot.entries.map(\.kind), [.membership, .noop])
        XCTAssertTrue(boot.isBootstrapped)
        batch = PersistBatch(compaction: LogCompaction(index: 2, term: 4, membership: membership, checksum: 77))
        try store.write(entries: [], hardState: nil, compaction: batch.compaction?.meta)
        boot = try RaftBoot.load(from: store)
        XCTAssertEqual(boot.snapshotIndex, 2)
        XCTAssertEqual(boot.snapshotMembership, membership)
        XCTAssertEqual(boot.snapshotChecksum, 77)
        XCTAssertTrue(boot.entries.isEmpty)
    }

    func testALogWrittenBeforeRaftIsRefused() throws {
        let store = try log()
        defer { store.close() }
        try store.append([LogEntryRecord(index: 1, term: 1, kind: 1, data: Array("127.0.0.1:8300".utf8))])
        XCTAssertThrowsError(try RaftBoot.load(from: store)) { error in
            XCTAssertTrue("\(error)".contains("written by a Gravity before Raft"), "\(error)")
        }
    }

    func testWaitingBatchesMergeIntoWhatTheLaterOneSays() {
        var waiting = PersistBatch(hardState: HardState(term: 1), entries: [1, 2, 3].map { RaftEntry(index: $0, term: 1) })
        waiting.merge(PersistBatch(hardState: HardState(term: 2, vote: 3), entries: [RaftEntry(index: 3, term: 2), RaftEntry(index: 4, term: 2)]))
        XCTAssertEqual(waiting.entries.map { [$0.index, $0.term] }, [[1, 1], [2, 1], [3, 2], [4, 2]])
        XCTAssertEqual(waiting.hardState, HardState(term: 2, vote: 3))
        waiting.merge(PersistBatch(truncateFrom: 2))
        XCTAssertEqual(waiting.entries.map(\.index), [1])
        XCTAssertEqual(waiting.truncateFrom, 2)
        // A snapshot installed meanwhile covers what was still waiting (simulator seed 1255).
        var pending = PersistBatch(entries: (52...54).map { RaftEntry(index: $0, term: 1) })
        pending.merge(PersistBatch(compaction: LogCompaction(index: 64, term: 1, membership: Membership(voters: [1]), checksum: 0), truncateFrom: 65))
        XCTAssertTrue(pending.entries.isEmpty, "entries 52-54 would land before the log's new start")
    }
}
