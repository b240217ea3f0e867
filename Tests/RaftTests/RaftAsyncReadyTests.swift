// Proves the core's Ready contract when the shell persists in the background: a second Ready
// taken before the first is durable hands out only what is new, entries replaced meanwhile are
// handed out again, the leader counts its own entries only once durable, and a sole voter
// leads at once when asked.
@testable import Raft
import XCTest

final class RaftAsyncReadyTests: XCTestCase {
    private func soleLeader() -> RaftNode {
        var node = RaftNode(config: RaftConfig(id: 1, voters: [1]), log: RaftLog(), hardState: HardState(), seed: 3)
        node.campaignNow()
        XCTAssertEqual(node.role, .leader, "a sole voter leads at once")
        return node
    }

    func testASecondReadyHandsOutOnlyWhatIsNew() {
        var node = soleLeader()
        let first = node.ready()
        XCTAssertEqual(first.entries.map(\.index), [1], "the leader's no-op")
        XCTAssertNotNil(first.hardState)
        XCTAssertEqual(node.propose([7]), 2)
        let second = node.ready()
        XCTAssertEqual(second.entries.map(\.index), [2], "entry 1 is already on its way to the disk")
        XCTAssertNil(second.hardState, "the hard state did not change since it was handed out")
        XCTAssertEqual(node.log.committed, 0, "nothing counts before it is durable")
        node.advance(first)
        XCTAssertEqual(node.log.committed, 1)
        node.advance(second)
        XCTAssertEqual(node.log.committed, 2)
        XCTAssertEqual(node.ready().committed.map(\.index), [1, 2])
        XCTAssertFalse(node.hasReady)
    }

    func testEntriesReplacedWhileOnTheirWayAreHandedOutAgain() {
        var follower = RaftNode(config: RaftConfig(id: 2, voters: [1, 2, 3]), log: RaftLog(), hardState: HardState(), seed: 5)
        let old = [RaftEntry(index: 1, term: 1), RaftEntry(index: 2, term: 1)]
        follower.step(RaftMessage(from: 1, to: 2, term: 1, body: .append(prevIndex: 0, prevTerm: 0, entries: old, commit: 0)))
        let first = follower.ready()
        XCTAssertEqual(first.entries, old)
        // A new leader overwrites entry 2 before the first batch is durable.
        let replacement = [RaftEntry(index: 2, term: 2, kind: .noop)]
        follower.step(RaftMessage(from: 3, to: 2, term: 2, body: .append(prevIndex: 1, prevTerm: 1, entries: replacement, commit: 0)))
        let second = follower.ready()
        XCTAssertEqual(second.entries, replacement)
        follower.advance(first)
        XCTAssertEqual(follower.log.stableIndex, 1, "entry 2 of term 1 is gone: only entry 1 counts as durable")
        follower.advance(second)
        XCTAssertEqual(follower.log.stableIndex, 2)
    }

    func testCommittedEntriesAreHandedOutOnce() {
        var node = soleLeader()
        node.advance(node.ready())
        let applied = node.ready().committed
        XCTAssertEqual(applied.map(\.index), [1])
        XCTAssertEqual(node.log.applied, 1, "handed out counts as applied: the caller applies before stepping again")
        XCTAssertTrue(node.ready().committed.isEmpty)
    }
}
