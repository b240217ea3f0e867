// Proves that proposals made between two Readies leave together: one append per peer carrying
// all of them, sent with the next Ready (not one append per proposal, which filled the
// in-flight window with one-entry appends).
@testable import Raft
import XCTest

final class RaftProposalBatchTests: XCTestCase {
    func testProposalsBetweenTwoReadiesMakeOneAppendPerPeer() throws {
        var cluster = Cluster(size: 3)
        let leaderID = try XCTUnwrap(cluster.electLeader())
        cluster.settle()
        var leader = try XCTUnwrap(cluster.nodes[leaderID])
        XCTAssertFalse(leader.hasReady)
        let indexes = (1...5).compactMap { leader.propose([UInt8($0)]) }
        XCTAssertEqual(indexes.count, 5)
        XCTAssertTrue(leader.hasReady, "the proposals wait for the next Ready")
        let ready = leader.ready()
        let appends = ready.messages.compactMap { message -> (RaftNodeID, [UInt64])? in
            guard case .append(_, _, let entries, _) = message.body else { return nil }
            return (message.to, entries.map(\.index))
        }
        XCTAssertEqual(appends.map(\.0).sorted(), [1, 2, 3].filter { $0 != leaderID })
        for (_, carried) in appends { XCTAssertEqual(carried, indexes, "each peer gets all five in one append") }
        XCTAssertEqual(ready.entries.map(\.index), indexes, "and the disk gets them as one batch")
        // Delivered, every follower stores them and the leader commits them.
        cluster.nodes[leaderID] = leader
        cluster.inFlight += ready.messages
        leader.advance(ready)
        cluster.nodes[leaderID] = leader
        cluster.settle()
        XCTAssertEqual(cluster.nodes[leaderID]?.log.committed, indexes.last)
        for id in cluster.nodes.keys { XCTAssertEqual(cluster.nodes[id]?.log.lastIndex, indexes.last) }
    }

    func testAFollowerThatProposesSendsNothing() throws {
        var cluster = Cluster(size: 3)
        let leaderID = try XCTUnwrap(cluster.electLeader())
        cluster.settle()
        let followerID = try XCTUnwrap(cluster.nodes.keys.first { $0 != leaderID })
        var follower = try XCTUnwrap(cluster.nodes[followerID])
        XCTAssertNil(follower.propose([1]))
        XCTAssertFalse(follower.hasReady)
    }
}
