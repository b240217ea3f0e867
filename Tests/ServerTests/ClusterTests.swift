// Proves the node's consensus side socket-free: servers that see each other form one cluster,
// writes through a follower are forwarded and answered, reads through any server are
// linearizable, a server that joins later catches up through a snapshot, and the API shows
// the leader and the peers.
import HTTP
import Raft
import Server
import XCTest

final class ClusterTests: XCTestCase {
    func testThreeServersFormOneClusterWithOneLeader() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        for (id, member) in cluster.members {
            XCTAssertEqual(member.node.raft.leader, leader, "server \(id)")
            XCTAssertEqual(member.node.raft.membership.voters, [1, 2, 3])
            XCTAssertEqual(member.node.view.peers, ["n1:8300", "n2:8300", "n3:8300"])
            XCTAssertEqual(member.node.view.leaderAddress, ClusterHarness.address(Int(leader)))
            XCTAssertEqual(member.dialed, ["n1:8300", "n2:8300", "n3:8300"].filter { $0 != ClusterHarness.address(Int(id)) })
        }
        let statusLeader = try XCTUnwrap(try cluster.send(1, "GET", "/v1/status/leader"))
        XCTAssertEqual(String(decoding: statusLeader.body, as: UTF8.self), "\"\(ClusterHarness.address(Int(leader)))\"")
    }

    func testAWriteThroughAFollowerIsForwardedAndReadableEverywhere() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let followers = cluster.members.keys.sorted().filter { $0 != leader }
        let put = try XCTUnwrap(try cluster.send(followers[0], "PUT", "/v1/kv/colour", body: "blue"))
        XCTAssertEqual(put.status, .ok)
        XCTAssertEqual(String(decoding: put.body, as: UTF8.self), "true")
        for id in cluster.members.keys.sorted() {
            let read = try XCTUnwrap(try cluster.send(id, "GET", "/v1/kv/colour?raw"), "server \(id)")
            XCTAssertEqual(String(decoding: read.body, as: UTF8.self), "blue", "server \(id)")
        }
        // A CAS through the other follower sees the first write's index.
        let cas = try XCTUnwrap(try cluster.send(followers[1], "PUT", "/v1/kv/colour?cas=1", body: "red"))
        XCTAssertEqual(String(decoding: cas.body, as: UTF8.self), "false")
    }

    func testAServerWithoutALeaderHoldsThenRefusesReadsAndWritesButServesStaleReads() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        _ = try cluster.send(1, "PUT", "/v1/kv/k", body: "v")
        cluster.tick(4)  // the commit index reaches every follower with the next heartbeats
        let leader = try XCTUnwrap(cluster.leader)
        let lonely = cluster.members.keys.sorted().first { $0 != leader }!
        for other in cluster.members.keys where other != lonely {
            cluster.cut.insert([lonely, other])
            cluster.cut.insert([other, lonely])
        }
        cluster.tick(120)
        XCTAssertNil(cluster.members[lonely]!.node.raft.leader)
        // Held for a leader (Consul's rpc_hold_timeout, 7 s), then refused.
        let held = try cluster.request(lonely, "PUT", "/v1/kv/k", body: "w")
        XCTAssertNil(cluster.response(lonely, held, ticks: 130), "still waiting for a leader at 6.5 s")
        let write = try XCTUnwrap(cluster.response(lonely, held, ticks: 20))
        XCTAssertEqual(write.status, .internalServerError)
        XCTAssertEqual(String(decoding: write.body, as: UTF8.self), "No cluster leader")
        let read = try XCTUnwrap(try cluster.send(lonely, "GET", "/v1/kv/k", ticks: 200))
        XCTAssertEqual(read.status, .internalServerError)
        let stale = try XCTUnwrap(try cluster.send(lonely, "GET", "/v1/kv/k?stale&raw"))
        XCTAssertEqual(String(decoding: stale.body, as: UTF8.self), "v")
        XCTAssertEqual(stale.headers["X-Consul-KnownLeader"], "false")
    }

    func testAServerThatJoinsLaterCatchesUpThroughASnapshotAndBecomesAVoter() throws {
        var cluster = try ClusterHarness(size: 3, snapshotThreshold: 20)
        cluster.tick(60)
        for n in 0..<60 { XCTAssertEqual(try cluster.send(1, "PUT", "/v1/kv/key\(n)", body: "v\(n)")?.status, .ok) }
        let leader = try XCTUnwrap(cluster.leader)
        XCTAssertGreaterThan(cluster.members[leader]!.node.raft.log.snapshotIndex, 0, "the leader compacted its log")
        try cluster.add(4, expect: 3, joining: [1, 2, 3])
        for id: RaftNodeID in [1, 2, 3] { cluster.connect(4, id) }
        cluster.tick(100)
        let joined = cluster.members[4]!.node
        XCTAssertEqual(joined.raft.membership.voters, [1, 2, 3, 4], "promoted once caught up")
        let read = try XCTUnwrap(try cluster.send(4, "GET", "/v1/kv/key59?stale&raw"))
        XCTAssertEqual(String(decoding: read.body, as: UTF8.self), "v59")
        XCTAssertEqual(joined.raft.log.applied, cluster.members[leader]!.node.raft.log.applied)
    }

    /// The leader's snapshot reaches the state only when the shell reports its copy done (off
    /// the loop): until then the new server's log starts at the snapshot, its state is still the
    /// old one, and entries committed meanwhile wait; then both are there.
    func testAnInstalledSnapshotReplacesTheStateOnlyOnceTheCopyIsReported() throws {
        var cluster = try ClusterHarness(size: 3, snapshotThreshold: 20)
        cluster.tick(60)
        for n in 0..<60 { XCTAssertEqual(try cluster.send(1, "PUT", "/v1/kv/key\(n)", body: "v\(n)")?.status, .ok) }
        cluster.holdRestores = true
        try cluster.add(4, expect: 3, joining: [1, 2, 3])
        for id: RaftNodeID in [1, 2, 3] { cluster.connect(4, id) }
        cluster.tick(20)
        XCTAssertEqual(cluster.heldRestores.map(\.node), [4], "one copy asked, once the install's batch was durable")
        let snapshotIndex = try XCTUnwrap(cluster.heldRestores.first?.index)
        XCTAssertEqual(cluster.members[4]!.node.raft.log.snapshotIndex, snapshotIndex)
        XCTAssertLessThan(cluster.members[4]!.store.appliedIndex, snapshotIndex, "the state is not replaced yet")
        XCTAssertEqual(try cluster.send(4, "GET", "/v1/kv/key0?stale")?.status, .notFound)
        XCTAssertEqual(try cluster.send(1, "PUT", "/v1/kv/during", body: "d")?.status, .ok)
        XCTAssertEqual(try cluster.send(4, "GET", "/v1/kv/during?stale")?.status, .notFound, "committed entries wait for the state")

        cluster.releaseRestores()
        cluster.tick(40)
        XCTAssertGreaterThan(cluster.members[4]!.store.appliedIndex, snapshotIndex)
        for (key, value) in [("key0", "v0"), ("key59", "v59"), ("during", "d")] {
            let read = try XCTUnwrap(try cluster.send(4, "GET", "/v1/kv/\(key)?stale&raw"))
            XCTAssertEqual(String(decoding: read.body, as: UTF8.self), value, key)
        }
    }

    func testALeaderThatLosesItsMajorityStepsDownAndAnotherLeads() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let old = try XCTUnwrap(cluster.leader)
        for other in cluster.members.keys where other != old {
            cluster.cut.insert([old, other])
            cluster.cut.insert([other, old])
        }
        cluster.tick(120)
        let new = try XCTUnwrap(cluster.leader)
        XCTAssertNotEqual(new, old)
        XCTAssertNotEqual(cluster.members[old]!.node.raft.role, .leader, "check-quorum: the cut-off leader stepped down")
        let other = cluster.members.keys.sorted().first { $0 != old && $0 != new }!
        XCTAssertEqual(try cluster.send(other, "PUT", "/v1/kv/after", body: "x")?.status, .ok)
        cluster.cut.removeAll()
        cluster.tick(60)
        let read = try XCTUnwrap(try cluster.send(old, "GET", "/v1/kv/after?raw"))
        XCTAssertEqual(String(decoding: read.body, as: UTF8.self), "x", "the old leader caught up and reads linearizably")
    }

    func testTransferLeaderThroughAFollowerAndAStoppingLeaderHandsOver() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let first = try XCTUnwrap(cluster.leader)
        let follower = cluster.members.keys.sorted().first { $0 != first }!
        let answer = try XCTUnwrap(try cluster.send(follower, "POST", "/v1/operator/raft/transfer-leader"))
        XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), #"{"Success":true}"#)
        cluster.tick(4)
        let second = try XCTUnwrap(cluster.leader)
        XCTAssertNotEqual(second, first, "leadership moved within a few ticks, not an election timeout")
        cluster.deliver(second, .stopping)
        cluster.tick(4)
        let third = try XCTUnwrap(cluster.leader)
        XCTAssertNotEqual(third, second, "a stopping leader hands over")
        XCTAssertEqual(try cluster.send(third, "PUT", "/v1/kv/k", body: "v")?.status, .ok)
    }

    func testRemovingAPeerShrinksTheMembership() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let victim = cluster.members.keys.sorted().first { $0 != leader }!
        let address = ClusterHarness.address(Int(victim))
        XCTAssertEqual(try cluster.send(leader, "DELETE", "/v1/operator/raft/peer?address=\(address)")?.status, .ok)
        cluster.tick(4)
        XCTAssertFalse(cluster.members[leader]!.node.raft.membership.members.contains(victim))
        let unknown = try XCTUnwrap(try cluster.send(leader, "DELETE", "/v1/operator/raft/peer?address=10.9.9.9:8300"))
        XCTAssertEqual(unknown.status, .internalServerError)
        XCTAssertTrue(String(decoding: unknown.body, as: UTF8.self).contains("was not found in the Raft configuration"))
    }

    func testADeadServerIsCleanedUpButNeverBelowThreeVoters() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        try cluster.add(4, expect: 3, joining: [1, 2, 3])
        for id: RaftNodeID in [1, 2, 3] { cluster.connect(4, id) }
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        XCTAssertEqual(cluster.members[leader]!.node.raft.membership.voters, [1, 2, 3, 4])
        let dead = cluster.members.keys.sorted().last { $0 != leader }!
        for other in cluster.members.keys where other != dead {
            cluster.cut.insert([dead, other])
            cluster.cut.insert([other, dead])
        }
        cluster.tick(40)  // 2 s: not yet
        XCTAssertEqual(cluster.members[leader]!.node.raft.membership.voters.count, 4)
        cluster.tick(40)  // past 3 s
        let voters = cluster.members[leader]!.node.raft.membership.voters
        XCTAssertEqual(voters.count, 3)
        XCTAssertFalse(voters.contains(dead))
        // A second silent server is never removed: three voters is the floor.
        let second = voters.first { $0 != leader }!
        for other in cluster.members.keys where other != second {
            cluster.cut.insert([second, other])
            cluster.cut.insert([other, second])
        }
        cluster.tick(120)
        XCTAssertEqual(cluster.members[leader]!.node.raft.membership.voters.count, 3)
    }

    func testAWriteLostToALeadershipChangeIsReportedNotAnsweredAsDone() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let old = try XCTUnwrap(cluster.leader)
        // The old leader takes the write but can no longer replicate it.
        for other in cluster.members.keys where other != old {
            cluster.cut.insert([old, other])
        }
        let stranded = try XCTUnwrap(try cluster.send(old, "PUT", "/v1/kv/stranded", body: "x", ticks: 400))
        XCTAssertEqual(stranded.status, .internalServerError)
        let text = String(decoding: stranded.body, as: UTF8.self)
        XCTAssertTrue(text.contains("leadership change") || text.contains("timed out"), text)
        cluster.cut.removeAll()
        cluster.tick(60)
        let new = try XCTUnwrap(cluster.leader)
        XCTAssertNotEqual(new, old)
        let read = try XCTUnwrap(try cluster.send(old, "GET", "/v1/kv/stranded"))
        XCTAssertEqual(read.status, .notFound, "the write the client was told failed never applied")
    }

    func testAServerRemovedWhileDownIsAddedBackWhenItReturns() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let victim = cluster.members.keys.sorted().first { $0 != leader }!
        for other in cluster.members.keys where other != victim {
            cluster.cut.insert([victim, other])
            cluster.cut.insert([other, victim])
        }
        XCTAssertEqual(try cluster.send(leader, "DELETE", "/v1/operator/raft/peer?address=\(ClusterHarness.address(Int(victim)))")?.status, .ok)
        cluster.tick(10)
        XCTAssertFalse(cluster.members[leader]!.node.raft.membership.members.contains(victim))
        // It comes back: its connections come up again and it says who it is.
        cluster.cut.removeAll()
        for other in cluster.members.keys where other != victim { cluster.connect(victim, other) }
        cluster.tick(60)
        XCTAssertEqual(cluster.members[leader]!.node.raft.membership.voters.sorted(), [1, 2, 3], "added back, caught up, promoted")
        XCTAssertEqual(try cluster.send(victim, "PUT", "/v1/kv/back", body: "yes")?.status, .ok)
        // Every server names every server by its node ID.
        let views = cluster.members.values.map { $0.node.view.servers.map(\.id).sorted() }
        XCTAssertEqual(Set(views).count, 1, "\(views)")
        XCTAssertTrue(views[0].allSatisfy { $0.contains("-") }, "\(views[0])")
    }

    func testARequestHeldDuringAnElectionIsServedByTheNewLeader() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let old = try XCTUnwrap(cluster.leader)
        for other in cluster.members.keys where other != old {
            cluster.cut.insert([old, other])
            cluster.cut.insert([other, old])
        }
        // The two followers cannot reach each other either for now: no election can finish.
        let followers = cluster.members.keys.sorted().filter { $0 != old }
        cluster.cut.insert([followers[0], followers[1]])
        cluster.cut.insert([followers[1], followers[0]])
        let follower = followers[0]
        for _ in 0..<200 where cluster.members[follower]!.node.raft.leader != nil { cluster.tick() }
        XCTAssertNil(cluster.members[follower]!.node.raft.leader)
        // A write through it waits for a leader instead of failing at once...
        let id = try cluster.request(follower, "PUT", "/v1/kv/during", body: "election")
        XCTAssertNil(cluster.response(follower, id, ticks: 20))
        // ...and the followers elect one once they hear each other again.
        cluster.cut.remove([followers[0], followers[1]])
        cluster.cut.remove([followers[1], followers[0]])
        let answer = try XCTUnwrap(cluster.response(follower, id, ticks: 140))
        XCTAssertEqual(answer.status, .ok)
        XCTAssertEqual(String(decoding: answer.body, as: UTF8.self), "true")
    }
}
