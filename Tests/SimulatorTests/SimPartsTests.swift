// Proves the simulator's parts behave as the runs rely on: the event queue's tie order, the
// durable log's replace-from and compaction semantics, the network's cuts, and that the Raft
// invariant checker notices broken logs.
import Raft
import Server
@testable import Simulator
import XCTest

final class SimPartsTests: XCTestCase {
    func testEventsAtTheSameInstantRunInScheduleOrder() {
        var queue = EventQueue<Int>()
        for value in [5, 3, 9, 1] { queue.schedule(value, at: 10) }
        queue.schedule(0, at: 2)
        var popped: [Int] = []
        while let (_, value) = queue.pop(notAfter: 100) { popped.append(value) }
        XCTAssertEqual(popped, [0, 5, 3, 9, 1])
    }

    func testRemovingEventsKeepsTheOrderOfTheRest() {
        var queue = EventQueue<Int>()
        for value in 0..<20 { queue.schedule(value, at: UInt64(20 - value) / 3) }
        queue.removeAll { $0 % 2 == 0 }
        var popped: [Int] = []
        while let (_, value) = queue.pop(notAfter: 100) { popped.append(value) }
        XCTAssertEqual(popped, [19, 17, 15, 13, 11, 9, 7, 5, 3, 1].sorted { (20 - $0) / 3 < (20 - $1) / 3 || ((20 - $0) / 3 == (20 - $1) / 3 && $0 < $1) })
    }

    private func entries(_ range: ClosedRange<UInt64>, term: UInt64) -> [RaftEntry] {
        range.map { RaftEntry(index: $0, term: term, data: [UInt8($0 % 256)]) }
    }

    func testDurableLogReplacesFromTheFirstNewEntry() {
        var log = DurableLog()
        log.write(PersistBatch(hardState: HardState(term: 1, vote: 1), entries: entries(1...5, term: 1)))
        log.write(PersistBatch(entries: entries(3...4, term: 2)))
        XCTAssertEqual(log.entries.map(\.term), [1, 1, 2, 2])
        XCTAssertEqual(log.lastIndex, 4)
        XCTAssertEqual(log.hardState, HardState(term: 1, vote: 1))
    }

    func testDurableLogCompactionDropsWhatTheSnapshotCovers() {
        var log = DurableLog()
        log.write(PersistBatch(entries: entries(1...5, term: 1)))
        log.write(PersistBatch(compaction: LogCompaction(index: 3, term: 1, membership: Membership(voters: [1]), checksum: 0)))
        XCTAssertEqual(log.entries.map(\.index), [4, 5])
        XCTAssertEqual(log.snapshotIndex, 3)
        // A snapshot from a leader whose log differs: the node truncates what follows it.
        log.write(PersistBatch(entries: entries(10...10, term: 3), compaction: LogCompaction(index: 9, term: 3, membership: Membership(voters: [1]), checksum: 0), truncateFrom: 10))
        XCTAssertEqual(log.entries.map(\.index), [10])
        XCTAssertEqual(log.snapshotTerm, 3)
    }

    func testCrashLosesOnlyUnsyncedWrites() {
        var disk = SimDisk<PersistBatch>()
        disk.issue(PersistBatch(entries: entries(1...2, term: 1)), syncsAt: 5)
        disk.issue(PersistBatch(entries: entries(3...3, term: 1)), syncsAt: 1)
        XCTAssertEqual(disk.pending.map(\.syncsAt), [5, 5], "a later write never syncs first")
        _ = disk.syncOldest { $0.write($1) }
        disk.crash()
        XCTAssertEqual(disk.durable.lastIndex, 2)
        XCTAssertTrue(disk.pending.isEmpty)
    }

    func testOneWayCutBlocksOneDirection() {
        var network = SimNetwork(nodeCount: 3)
        var random = SimRandom(seed: 1)
        network.cut(from: 0, to: 1)
        XCTAssertTrue(network.deliveryDelays(from: 0, to: 1, duplicable: true, random: &random).isEmpty)
        XCTAssertEqual(network.deliveryDelays(from: 1, to: 0, duplicable: true, random: &random).count, 1)
        XCTAssertFalse(network.connected(0, 1))
        network.partition([2])
        XCTAssertFalse(network.canSend(from: 2, to: 0))
        XCTAssertFalse(network.canSend(from: 1, to: 2))
        network.heal()
        XCTAssertTrue(network.connected(0, 1) && network.connected(1, 2))
    }

    func testInvariantsCatchDivergentLogsAndCommittedChanges() {
        var invariants = RaftInvariants()
        let a = RaftNode(config: RaftConfig(id: 1, voters: [1, 2]),
                         log: RaftLog(entries: [RaftEntry(index: 1, term: 1, data: [1])], committed: 1), hardState: HardState(term: 1, commit: 1), seed: 1)
        let b = RaftNode(config: RaftConfig(id: 2, voters: [1, 2]),
                         log: RaftLog(entries: [RaftEntry(index: 1, term: 1, data: [2])]), hardState: HardState(term: 1), seed: 2)
        let c = RaftNode(config: RaftConfig(id: 3, voters: [1, 2]),
                         log: RaftLog(entries: [RaftEntry(index: 1, term: 2, data: [3])], committed: 1), hardState: HardState(term: 2, commit: 1), seed: 3)
        XCTAssertEqual(invariants.check(a), [])
        XCTAssertEqual(invariants.check(b).count, 1, "same (index, term), different entry")
        XCTAssertFalse(invariants.check(c).isEmpty, "a committed index with two terms")
    }

    func testSplitStreamsAreIndependentAndRepeatable() {
        let root = SimRandom(seed: 42)
        var first = root.split(1)
        var again = root.split(1)
        var other = root.split(2)
        let drawn = (0..<4).map { _ in first.next() }
        XCTAssertEqual(drawn, (0..<4).map { _ in again.next() })
        XCTAssertNotEqual(drawn, (0..<4).map { _ in other.next() })
    }
}
