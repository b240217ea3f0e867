// Proves forming a cluster from a static list (`-initial-cluster`, etcd's `--initial-cluster`)
// socket-free: it forms only once every listed server is connected, with exactly those as
// voters, matched by node name; a server that is not listed never makes the first membership,
// and joins the formed cluster afterwards as it would today.
import Raft
import Server
import XCTest

final class StaticClusterTests: XCTestCase {
    /// The voters of the first entry: the membership the cluster was formed with (nil: no log).
    private func formedWith(_ cluster: ClusterHarness, _ id: RaftNodeID) -> [RaftNodeID]? {
        guard let log = cluster.members[id]?.node.raft.log, log.lastIndex >= 1,
              let first = log.entries(from: 1, through: 1).first else { return nil }
        return Membership.decode(first.data)?.voters
    }

    private func assertNothingFormed(_ cluster: ClusterHarness, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(cluster.leader, file: file, line: line)
        for id in cluster.members.keys.sorted() {
            XCTAssertEqual(cluster.members[id]!.node.raft.log.lastIndex, 0, "server \(id) has a log", file: file, line: line)
        }
    }

    func testThreeListedServersFormOneClusterOfExactlyThoseVoters() throws {
        var cluster = try ClusterHarness(size: 3, initialCluster: [1, 2, 3])
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        for (id, member) in cluster.members {
            XCTAssertEqual(member.node.raft.leader, leader, "server \(id)")
            XCTAssertEqual(formedWith(cluster, id), [1, 2, 3], "server \(id)")
            XCTAssertEqual(member.node.raft.membership.voters, [1, 2, 3])
            XCTAssertEqual(member.node.raft.membership.addresses, [1: "n1:8300", 2: "n2:8300", 3: "n3:8300"])
            XCTAssertEqual(member.node.view.peers, ["n1:8300", "n2:8300", "n3:8300"])
            // The other listed servers are dialed, as -retry-join addresses are.
            XCTAssertEqual(member.dialed, ["n1:8300", "n2:8300", "n3:8300"].filter { $0 != ClusterHarness.address(Int(id)) })
        }
        let put = try XCTUnwrap(try cluster.send(2, "PUT", "/v1/kv/colour", body: "blue"))
        XCTAssertEqual(String(decoding: put.body, as: UTF8.self), "true")
        let read = try XCTUnwrap(try cluster.send(3, "GET", "/v1/kv/colour?raw"))
        XCTAssertEqual(String(decoding: read.body, as: UTF8.self), "blue")
    }

    func testTwoOfThreeListedServersFormNothingUntilTheThirdConnects() throws {
        var cluster = try ClusterHarness(size: 2, initialCluster: [1, 2, 3])
        XCTAssertEqual(cluster.members[1]!.dialed, ["n2:8300", "n3:8300"])
        cluster.tick(400)
        assertNothingFormed(cluster)
        try cluster.add(3, expect: 0, initialCluster: [1, 2, 3])
        cluster.connect(1, 3)
        cluster.connect(2, 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        for id in cluster.members.keys.sorted() {
            XCTAssertEqual(cluster.members[id]!.node.raft.leader, leader, "server \(id)")
            XCTAssertEqual(formedWith(cluster, id), [1, 2, 3], "server \(id)")
        }
    }

    func testAnUnlistedServerThatConnectsEarlyIsNotAnInitialVoterButJoinsLater() throws {
        var cluster = try ClusterHarness(size: 2, initialCluster: [1, 2, 3])
        // Server 4 only joins (-bootstrap-expect 0 -retry-join ...): three servers now see each
        // other, as many as the list holds, but one of them is not on it.
        try cluster.add(4, expect: 0, joining: [1, 2, 3])
        cluster.connect(4, 1)
        cluster.connect(4, 2)
        cluster.tick(400)
        assertNothingFormed(cluster)
        try cluster.add(3, expect: 0, initialCluster: [1, 2, 3])
        for other: RaftNodeID in [1, 2, 4] { cluster.connect(3, other) }
        cluster.tick(60)
        XCTAssertNotNil(cluster.leader)
        for id in cluster.members.keys.sorted() {
            XCTAssertEqual(formedWith(cluster, id), [1, 2, 3], "server \(id)")
        }
        // After formation nothing differs: it asks to join, catches up and is promoted.
        cluster.tick(200)
        let leader = try XCTUnwrap(cluster.leader)
        XCTAssertEqual(cluster.members[leader]!.node.raft.membership.voters, [1, 2, 3, 4])
    }

    func testAServerMissingFromTheOthersListsDoesNotCountForThem() throws {
        // Servers 1 and 2 list 1, 2 and 4; server 3 lists itself as well and waits for 4 too.
        var cluster = try ClusterHarness(size: 2, initialCluster: [1, 2, 4])
        try cluster.add(3, expect: 0, initialCluster: [1, 2, 3, 4])
        cluster.connect(1, 3)
        cluster.connect(2, 3)
        cluster.tick(400)
        assertNothingFormed(cluster)
        try cluster.add(4, expect: 0, initialCluster: [1, 2, 4])
        for other: RaftNodeID in [1, 2, 3] { cluster.connect(4, other) }
        cluster.tick(60)
        XCTAssertNotNil(cluster.leader)
        for id in cluster.members.keys.sorted() {
            XCTAssertEqual(formedWith(cluster, id), [1, 2, 4], "server \(id)")
        }
        // Server 3 found a cluster already formed: it joined that one instead.
        cluster.tick(200)
        let leader = try XCTUnwrap(cluster.leader)
        XCTAssertEqual(cluster.members[leader]!.node.raft.membership.voters, [1, 2, 3, 4])
    }
}
