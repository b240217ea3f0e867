// Seeded random schedules over the in-memory network: message loss, duplication and
// reordering, partitions, crashes that lose what was not persisted, and restarts. After every
// round: at most one leader per term, and every server's applied entries are a prefix of every
// other's. At the end, with the faults healed, every server applies the same entries and every
// proposal acknowledged as committed is among them.
@testable import Raft
import XCTest

/// A small seeded generator for the schedule (the core has its own).
struct ScheduleRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

final class RaftRandomizedTests: XCTestCase {
    func testSafetyUnderRandomFaults() throws {
        for seed in UInt64(1)...150 {
            try run(seed: seed, servers: seed % 2 == 0 ? 5 : 3)
        }
    }

    private func run(seed: UInt64, servers: Int) throws {
        var random = ScheduleRandom(state: seed)
        var cluster = Cluster(size: servers, seed: seed)
        let ids = cluster.nodes.keys.sorted()
        var persisted: [RaftNodeID: HardState] = [:]
        var leaderOfTerm: [UInt64: RaftNodeID] = [:]
        var proposals = 0

        func checkInvariants(_ round: Int) throws {
            for (id, node) in cluster.nodes where node.role == .leader && !cluster.down.contains(id) {
                if let other = leaderOfTerm[node.term], other != id {
                    XCTFail("seed \(seed) round \(round): two leaders in term \(node.term): \(other) and \(id)")
                    throw CancellationError()
                }
                leaderOfTerm[node.term] = id
            }
            let sequences = ids.map { cluster.applied[$0] ?? [] }
            for a in sequences {
                for b in sequences {
                    let shared = min(a.count, b.count)
                    if Array(a.prefix(shared)) != Array(b.prefix(shared)) {
                        XCTFail("seed \(seed) round \(round): applied logs diverge")
                        throw CancellationError()
                    }
                }
            }
        }

        for round in 0..<400 {
            // Faults come and go.
            if random.chance(3) {
                let a = random.pick(ids), b = random.pick(ids)
                if a != b { cluster.cut.insert([min(a, b), max(a, b)]) }
            }
            if random.chance(4) { cluster.cut.removeAll() }
            if random.chance(2), cluster.down.count < (servers - 1) / 2 {
                // Crash: what was not persisted is gone; the state machine keeps what it applied.
                let victim = random.pick(ids)
                if !cluster.down.contains(victim), let node = cluster.nodes[victim] {
                    let durable = node.log.entries(from: 1, through: node.log.stableIndex)
                    let applied = UInt64(cluster.applied[victim]?.last?.index ?? 0)
                    var config = node.config
                    config.preVote = true
                    let hard = persisted[victim] ?? HardState()
                    cluster.nodes[victim] = RaftNode(
                        config: config, log: RaftLog(entries: durable, committed: min(hard.commit, applied), applied: applied),
                        hardState: HardState(term: hard.term, vote: hard.vote, commit: min(hard.commit, applied)), seed: random.next())
                    cluster.down.insert(victim)
                }
            }
            if random.chance(5), let back = cluster.down.first { cluster.down.remove(back) }
            if random.chance(30), let leader = cluster.leaders.first {
                _ = cluster.nodes[leader]?.propose(Array("p\(proposals)".utf8))
                proposals += 1
            }
            for id in ids where !cluster.down.contains(id) { cluster.nodes[id]?.tick() }
            // Deliver with loss, duplication and reordering.
            for _ in 0..<3 {
                for id in ids where !cluster.down.contains(id) {
                    guard var node = cluster.nodes[id], node.hasReady else { continue }
                    let ready = node.ready()
                    if let state = ready.hardState { persisted[id] = state }
                    cluster.inFlight += ready.messages
                    cluster.applied[id, default: []] += ready.committed
                    node.advance(ready)
                    cluster.nodes[id] = node
                }
                var messages = cluster.inFlight
                cluster.inFlight = []
                for index in messages.indices.reversed() where random.chance(20) {
                    messages.swapAt(index, Int(random.next() % UInt64(index + 1)))
                }
                for message in messages where cluster.linked(message.from, message.to) && !random.chance(10) {
                    cluster.nodes[message.to]?.step(message)
                    if random.chance(3) { cluster.nodes[message.to]?.step(message) }
                }
            }
            try checkInvariants(round)
        }

        // Heal everything and let it converge.
        cluster.cut.removeAll()
        cluster.down.removeAll()
        for _ in 0..<200 { cluster.tick() }
        try checkInvariants(400)
        let leader = try XCTUnwrap(cluster.leaders.first, "seed \(seed): no leader after healing")
        if let last = cluster.nodes[leader]?.propose(Array("final".utf8)) {
            cluster.tick(10)
            for id in ids {
                XCTAssertEqual(cluster.applied[id]?.last?.index, last, "seed \(seed): server \(id) did not apply the final entry")
            }
        }
        let reference = cluster.applied[leader] ?? []
        for id in ids { XCTAssertEqual(cluster.applied[id] ?? [], reference, "seed \(seed): server \(id)") }
    }
}
