// Proves check ownership across servers socket-free (issue 5): a server's checks run on that
// server; when the leader stops hearing from it, its serfHealth turns critical and its checks
// move to a live server (the instance stays passing), and they come back when it returns. Also
// when the server that dies is the leader.
import Foundation
import HTTP
import Raft
import Registry
@testable import Server
import Store
import XCTest

final class CheckOwnershipTests: XCTestCase {
    private static let registration = """
        {"Name": "web", "ID": "web-1", "Port": 8080,
         "Check": {"HTTP": "http://10.1.2.3:8080/health", "Interval": "1s"}}
        """

    func testAnUnreachableFollowersChecksMoveToALiveServerAndComeBack() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let follower = cluster.members.keys.sorted().first { $0 != leader }!
        let node = "n\(follower)"
        XCTAssertEqual(try XCTUnwrap(try cluster.send(follower, "PUT", "/v1/agent/service/register", body: Self.registration)).status, .ok)
        cluster.tick(40)
        XCTAssertFalse(cluster.members[follower]!.probed.isEmpty, "the server the service registered with probes it")
        for id in cluster.members.keys where id != follower {
            XCTAssertTrue(cluster.members[id]!.probed.isEmpty, "server \(id) must not probe another server's check")
        }
        XCTAssertEqual(try passing(&cluster, leader), ["web-1"])

        cluster.isolate(follower)
        var ticks = 0
        var sawCritical = false
        while ticks < 80, try owner(cluster, leader, of: node) == nil {
            cluster.tick()
            ticks += 1
            if try serfHealth(cluster, leader, of: node)?.status == .critical { sawCritical = true }
        }
        let heir = try XCTUnwrap(try owner(cluster, leader, of: node), "no server took over after \(ticks) ticks")
        XCTAssertNotEqual(heir, node)
        XCTAssertTrue(sawCritical, "serfHealth turns critical before the checks move")
        XCTAssertLessThanOrEqual(ticks, 40, "taken over within two election timeouts (took \(ticks) ticks of 50 ms)")
        let serf = try XCTUnwrap(try serfHealth(cluster, leader, of: node))
        XCTAssertEqual(serf.status, .passing)
        XCTAssertEqual(serf.output, NodeLiveness.takenOverOutput(by: heir))
        let heirID = RaftNodeID(Int(heir.dropFirst())!)
        let before = cluster.members[heirID]!.probed.count
        cluster.tick(40)
        XCTAssertGreaterThan(cluster.members[heirID]!.probed.count, before, "the new owner probes the check")
        XCTAssertTrue(cluster.members[heirID]!.node.ownedNodes.contains(node))
        XCTAssertEqual(try passing(&cluster, leader), ["web-1"], "the instance stays passing")

        cluster.heal()
        cluster.tick(40)
        XCTAssertNil(try owner(cluster, leader, of: node), "the checks come back to their server")
        XCTAssertEqual(try serfHealth(cluster, leader, of: node)?.output, NodeLiveness.aliveOutput)
        XCTAssertEqual(cluster.members[heirID]!.node.ownedNodes, [heir])
        XCTAssertEqual(cluster.members[follower]!.node.ownedNodes, [node])
        let back = cluster.members[follower]!.probed.count
        cluster.tick(40)
        XCTAssertGreaterThan(cluster.members[follower]!.probed.count, back)
    }

    func testTheChecksOfALeaderThatDiesMoveToTheNextLeadersCluster() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let node = "n\(leader)"
        XCTAssertEqual(try XCTUnwrap(try cluster.send(leader, "PUT", "/v1/agent/service/register", body: Self.registration)).status, .ok)
        cluster.tick(10)
        cluster.isolate(leader)
        var ticks = 0
        var next: RaftNodeID?
        repeat {
            cluster.tick()
            ticks += 1
            next = cluster.members.keys.sorted().first { $0 != leader && cluster.members[$0]!.node.raft.role == .leader }
            if let next, try owner(cluster, next, of: node) != nil { break }
        } while ticks < 160
        let newLeader = try XCTUnwrap(next)
        let heir = try XCTUnwrap(try owner(cluster, newLeader, of: node), "no takeover after \(ticks) ticks")
        // An election takes one to two election timeouts; the takeover follows at once, since
        // the new leader stopped hearing from the old one before it was elected.
        XCTAssertLessThanOrEqual(ticks, 100, "took \(ticks) ticks of 50 ms")
        XCTAssertEqual(try passing(&cluster, newLeader), ["web-1"])
        let heirID = RaftNodeID(Int(heir.dropFirst())!)
        let before = cluster.members[heirID]!.probed.count
        cluster.tick(40)
        XCTAssertGreaterThan(cluster.members[heirID]!.probed.count, before)
    }

    func testTheServerThatTookOverANodeTakesItsTTLUpdatesAndTimesItsTTLs() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let follower = cluster.members.keys.sorted().first { $0 != leader }!
        let node = "n\(follower)"
        let body = #"{"Name": "worker", "ID": "worker-1", "Check": {"CheckID": "worker-ttl", "TTL": "3s"}}"#
        XCTAssertEqual(try XCTUnwrap(try cluster.send(follower, "PUT", "/v1/agent/service/register", body: body)).status, .ok)
        XCTAssertEqual(try XCTUnwrap(try cluster.send(follower, "PUT", "/v1/agent/check/pass/worker-ttl")).status, .ok)
        cluster.isolate(follower)
        cluster.tick(40)
        let heir = try XCTUnwrap(try owner(cluster, leader, of: node))
        let heirID = RaftNodeID(Int(heir.dropFirst())!)
        let other = cluster.members.keys.sorted().first { $0 != follower && $0 != heirID }!
        // Through the server that runs n's checks now: accepted, and it keeps the check passing.
        let pass = try XCTUnwrap(try cluster.send(heirID, "PUT", "/v1/agent/check/pass/worker-ttl?note=via-heir"))
        XCTAssertEqual(pass.status, .ok, String(decoding: pass.body, as: UTF8.self))
        var check = try XCTUnwrap(try cluster.members[leader]!.store.check(CheckRef(node: node, checkID: "worker-ttl"))?.value)
        XCTAssertEqual(check.status, .passing)
        XCTAssertEqual(check.output, "via-heir")
        // Through a server that does not run them: unknown there, as in Consul.
        XCTAssertEqual(try XCTUnwrap(try cluster.send(other, "PUT", "/v1/agent/check/pass/worker-ttl")).status, .notFound)
        // With no more updates the heir's timer lets it lapse.
        cluster.tick(80)
        check = try XCTUnwrap(try cluster.members[leader]!.store.check(CheckRef(node: node, checkID: "worker-ttl"))?.value)
        XCTAssertEqual(check.status, .critical)
        XCTAssertTrue(check.output.hasPrefix("TTL expired"), check.output)
    }

    func testALeaderThatNeverHeardFromAServerFindsItsNodeInTheCatalog() throws {
        var cluster = try ClusterHarness(size: 3)
        cluster.tick(60)
        let leader = try XCTUnwrap(cluster.leader)
        let follower = cluster.members.keys.sorted().first { $0 != leader }!
        let node = "n\(follower)"
        cluster.isolate(follower)
        // As if the leader had been elected while that server was already down.
        cluster.members[leader]!.node.cluster.statuses[follower] = nil
        cluster.tick(40)
        XCTAssertNotNil(try owner(cluster, leader, of: node), "taken over, the node found by its node ID")
    }

    func testTheHeirIsTheSameForEveryLeaderAndSpreadsNodes() {
        XCTAssertEqual(ServerNode.heir(of: "a", among: ["a", "b", "c"]), ServerNode.heir(of: "a", among: ["c", "b", "a"]))
        XCTAssertNil(ServerNode.heir(of: "a", among: ["a"]))
        let heirs = Set((0..<50).compactMap { ServerNode.heir(of: "node-\($0)", among: ["x", "y", "z"]) })
        XCTAssertEqual(heirs, ["x", "y", "z"])
        XCTAssertEqual(ServerNode.ownedNodes(me: "a", owners: [:]), ["a"])
        XCTAssertEqual(ServerNode.ownedNodes(me: "a", owners: ["a": "b", "c": "a"]), ["c"])
        XCTAssertEqual(ServerNode.ownedNodes(me: "b", owners: ["a": "b"]), ["a", "b"])
    }

    // MARK: Helpers

    private func owner(_ cluster: ClusterHarness, _ id: RaftNodeID, of node: String) throws -> String? {
        try cluster.members[id]!.store.checkOwners()[node]
    }

    private func serfHealth(_ cluster: ClusterHarness, _ id: RaftNodeID, of node: String) throws -> Check? {
        try cluster.members[id]!.store.check(CheckRef(node: node, checkID: Check.serfHealthCheckID))?.value
    }

    private func passing(_ cluster: inout ClusterHarness, _ id: RaftNodeID) throws -> [String] {
        let response = try XCTUnwrap(try cluster.send(id, "GET", "/v1/health/service/web?passing&stale"))
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        return entries.compactMap { ($0["Service"] as? [String: Any])?["ID"] as? String }
    }
}
