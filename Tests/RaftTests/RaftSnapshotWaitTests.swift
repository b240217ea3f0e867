// Proves a leader waits for a snapshot it sent: it does not send it again on a stale refusal or a heartbeat round without progress, and it counts the follower taking it as heard from for check-quorum, for a bounded grace, so a majority that needs that follower keeps its leader.
@testable import Raft
import XCTest

final class RaftSnapshotWaitTests: XCTestCase {
    /// A three-server cluster whose leader compacted past `behind`, which was down meanwhile.
    private func clusterWithAFollowerBehindTheSnapshot() throws -> (Cluster, leader: RaftNodeID, behind: RaftNodeID, other: RaftNodeID) {
        var cluster = Cluster(size: 3)
        let (leader, behind) = try XCTUnwrap(cluster.compactPastADownFollower())
        let other = try XCTUnwrap(cluster.nodes.keys.first { $0 != leader && $0 != behind })
        return (cluster, leader, behind, other)
    }

    /// The other follower dies while `behind` takes the snapshot in silence: the leader keeps
    /// leading through the grace (an install of a large state takes seconds), then steps down.
    func testALeaderWaitsOutTheFollowerTakingItsSnapshot() throws {
        var (cluster, leader, behind, other) = try clusterWithAFollowerBehindTheSnapshot()
        cluster.silentOnSnapshot = [behind]
        cluster.down.remove(behind)
        cluster.down.insert(other)
        cluster.tick(100)
        XCTAssertEqual(cluster.snapshotsDelivered[behind], 1, "sent once, and not again while it is being taken")
        XCTAssertEqual(cluster.nodes[leader]?.role, .leader, "five election timeouts of silence, within the grace")
        cluster.tick(120)
        XCTAssertNotEqual(cluster.nodes[leader]?.role, .leader, "past the grace, the silent follower no longer counts")
    }

    /// Answers to what went before the snapshot (a refused append, a heartbeat round without
    /// progress) do not send it again; its acknowledgement ends the wait.
    func testStaleAnswersDoNotSendTheSnapshotAgain() throws {
        var (cluster, leader, behind, _) = try clusterWithAFollowerBehindTheSnapshot()
        var node = try XCTUnwrap(cluster.nodes[leader])
        _ = node.ready()
        let term = node.term
        func answer(_ body: RaftMessage.Body) -> [RaftMessage] {
            node.step(RaftMessage(from: behind, to: leader, term: term, body: body))
            return node.ready().messages.filter { $0.to == behind }
        }
        func snapshots(_ messages: [RaftMessage]) -> [UInt64] {
            messages.compactMap { if case .snapshot(let snapshot) = $0.body { snapshot.index } else { nil } }
        }
        // Back up: a heartbeat round without progress shows it lacks what was compacted.
        let snapshotIndex = node.log.snapshotIndex
        var sent: [UInt64] = []
        for _ in 0..<3 where sent.isEmpty { sent = snapshots(answer(.heartbeatResponse(round: 0))) }
        XCTAssertEqual(sent, [snapshotIndex])
        XCTAssertEqual(snapshots(answer(.appendResponse(success: false, matchIndex: 0, hintIndex: 1))), [], "a refusal of an earlier append")
        XCTAssertEqual(snapshots(answer(.heartbeatResponse(round: 0))), [], "a heartbeat round without progress")
        XCTAssertEqual(snapshots(answer(.heartbeatResponse(round: 0))), [])
        XCTAssertEqual(snapshots(answer(.appendResponse(success: true, matchIndex: snapshotIndex, hintIndex: snapshotIndex))), [])
        // Acknowledged: a later refusal is taken at its word again (and the log it asks for is gone).
        XCTAssertEqual(snapshots(answer(.appendResponse(success: false, matchIndex: 0, hintIndex: 1))), [], "match is past the snapshot")
        for _ in 0..<3 { node.tick() }
        XCTAssertEqual(snapshots(answer(.heartbeatResponse(round: 0))), [])
        cluster.nodes[leader] = node
    }
}
