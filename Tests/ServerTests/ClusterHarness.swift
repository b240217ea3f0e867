// Test support: several ServerNodes in one process, wired to each other through their outputs:
// peer messages delivered in order (optionally dropped per link), each persist answered at
// once, one shared clock. Small and deterministic; the Simulator does the same with faults.
import Foundation
import HTTP
import Raft
import Registry
import Server
import Store
import TestFolders

struct ClusterHarness {
    struct Member {
        var node: ServerNode
        let store: StateStore
        let folder: URL
        var responses: [RequestID: HTTPResponse] = [:]
        var dialed: [String] = []
        var durable = RaftBoot.empty
        /// The targets of the probes it started, in order (each answered at once with `probeStatus`).
        var probed: [String] = []
    }

    var members: [RaftNodeID: Member] = [:]
    var now: UInt64 = 0
    var sequence: UInt64 = 0
    /// Links that drop everything (from, to).
    var cut: Set<[RaftNodeID]> = []
    /// What every probe reports.
    var probeStatus: HealthStatus = .passing
    /// When set, the copies of leaders' snapshots into state stores (`.restoreState`) wait in
    /// `heldRestores` until `releaseRestores()`, as a slow copy off the loop would.
    var holdRestores = false
    private(set) var heldRestores: [(node: RaftNodeID, index: UInt64)] = []
    private var inbox: [(RaftNodeID, NodeInput)] = []
    private let threshold: UInt64

    /// `size` servers, all connected; they form with `-bootstrap-expect size`, or, given
    /// `initialCluster`, with that static list (of servers "n1" at "n1:8300", ...) instead.
    init(size: Int, snapshotThreshold: UInt64 = 16384, initialCluster: [Int]? = nil) throws {
        threshold = snapshotThreshold
        for n in 1...size { try add(n, expect: initialCluster == nil ? size : 0, initialCluster: initialCluster ?? []) }
        for a in members.keys.sorted() { for b in members.keys.sorted() where a < b { connect(a, b) } }
    }

    static func id(_ n: Int) -> RaftNodeID { RaftNodeID(n) }
    static func address(_ n: Int) -> String { "n\(n):8300" }

    /// Server `n` ("n<n>" at "n<n>:8300"), ticked once; `initialCluster` lists servers by number.
    mutating func add(_ n: Int, expect: Int, joining: [Int] = [], initialCluster: [Int] = []) throws {
        let folder = try TestFolders.make("gravity-cluster")
        // Shared, as the agent opens it: a leader's snapshot is copied in from another connection.
        let store = try StateStore(path: folder.appendingPathComponent("state.db").path, checkpointsElsewhere: true)
        var config = ServerConfig(
            identity: try AgentIdentity(nodeName: "n\(n)", nodeID: String(format: "00000000-0000-%04x-8000-000000000000", n), datacenter: "dc1"),
            version: "0.1.0", consulCompatibleVersion: "1.20.0", serverAddress: Self.address(n),
            ports: .init(http: 8500, dns: 8600, server: 8300, discovery: 8761))
        config.raftID = Self.id(n)
        precondition(ServerConfig.raftID(fromNodeID: config.identity.nodeID) == config.raftID, "Raft IDs come from node IDs, as in the agent")
        config.bootstrapExpect = expect
        config.retryJoin = (joining.isEmpty ? [] : joining.map(Self.address))
        config.initialCluster = initialCluster.map { InitialClusterMember(name: "n\($0)", address: Self.address($0)) }
        config.snapshotPath = folder.appendingPathComponent("snapshot.db").path
        config.snapshotThreshold = threshold
        config.snapshotIntervalMilliseconds = 0
        config.deadServerMilliseconds = 3000
        let node = ServerNode(config: config, store: store, boot: .empty, seed: UInt64(n))
        members[Self.id(n)] = Member(node: node, store: store, folder: folder)
        deliver(Self.id(n), .tick(monotonicMilliseconds: now, wallMilliseconds: 1_700_000_000_000 + now))
    }

    /// Both ends learn the other's handshake.
    mutating func connect(_ a: RaftNodeID, _ b: RaftNodeID) {
        deliver(a, .peerConnected(PeerHandshake(datacenter: "dc1", id: b, address: Self.address(Int(b)))))
        deliver(b, .peerConnected(PeerHandshake(datacenter: "dc1", id: a, address: Self.address(Int(a)))))
    }

    /// Feeds one input and everything it causes, until the cluster is quiet.
    mutating func deliver(_ to: RaftNodeID, _ input: NodeInput) {
        inbox.append((to, input))
        while !inbox.isEmpty {
            let (target, next) = inbox.removeFirst()
            guard var member = members[target] else { continue }
            var outputs: [NodeOutput] = []
            member.node.step(next, into: &outputs)
            for output in outputs {
                switch output {
                case .respond(let id, let response): member.responses[id] = response
                case .persist(var batch):
                    do {
                        try batch.writeInstalledSnapshot(to: member.node.config.snapshotPath)
                    } catch {
                        preconditionFailure("cannot write the leader's snapshot: \(error)")
                    }
                    inbox.append((target, .persisted))
                case .restoreState(let index):
                    if holdRestores {
                        heldRestores.append((target, index))
                    } else {
                        inbox.append((target, Self.restore(member, index)))
                    }
                case .send(let peer, let message):
                    if !cut.contains([target, peer]) { inbox.append((peer, .peer(from: target, message))) }
                case .dial(let addresses): member.dialed = addresses
                case .takeSnapshot:
                    let copy = try? member.store.snapshotData(to: member.node.config.snapshotPath)
                    inbox.append((target, .snapshotTaken(copy.map { SnapshotTaken(index: $0.info.index, checksum: $0.info.checksum, data: $0.data) })))
                case .startProbe(let id, let spec):
                    if case .http(let probe) = spec { member.probed.append(probe.url) }
                    inbox.append((target, .probeFinished(id, ProbeResult(status: probeStatus, output: "probed by n\(target)", durationMilliseconds: 1))))
                case .upgrade, .push, .note, .release: break
                }
            }
            members[target] = member
        }
    }

    /// The shell's copy of the leader's snapshot into `member`'s state store, and its report.
    private static func restore(_ member: Member, _ index: UInt64) -> NodeInput {
        let statePath = member.folder.appendingPathComponent("state.db").path
        do throws(StoreError) {
            try StateStore.copySnapshot(at: member.node.config.snapshotPath, intoStateAt: statePath, index: index)
            return .stateRestored(index: index, failure: nil)
        } catch {
            return .stateRestored(index: index, failure: error)
        }
    }

    /// Makes the held copies (`holdRestores`) and reports them; restores are not held after.
    mutating func releaseRestores() {
        holdRestores = false
        let held = heldRestores
        heldRestores = []
        for (node, index) in held { deliver(node, Self.restore(members[node]!, index)) }
    }

    mutating func tick(_ count: Int = 1) {
        for _ in 0..<count {
            now += 50
            for id in members.keys.sorted() {
                deliver(id, .tick(monotonicMilliseconds: now, wallMilliseconds: 1_700_000_000_000 + now))
            }
        }
    }

    /// Cuts `id` off from every other member, both ways.
    mutating func isolate(_ id: RaftNodeID) {
        for other in members.keys where other != id {
            cut.insert([id, other])
            cut.insert([other, id])
        }
    }

    /// Ends every cut.
    mutating func heal() { cut = [] }

    var leader: RaftNodeID? { members.keys.sorted().first { members[$0]!.node.raft.role == .leader } }

    /// Sends a request to one member and returns its answer after up to `ticks` ticks.
    mutating func send(_ to: RaftNodeID, _ method: String, _ target: String, body: String = "", ticks: Int = 40) throws -> HTTPResponse? {
        let id = try request(to, method, target, body: body)
        return response(to, id, ticks: ticks)
    }

    /// Sends a request and returns its ID; `response` waits for the answer.
    mutating func request(_ to: RaftNodeID, _ method: String, _ target: String, body: String = "") throws -> RequestID {
        sequence += 1
        let id = RequestID(connection: 1, sequence: sequence)
        let request = try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")]), body: Array(body.utf8))
        deliver(to, .request(id, .consul, request))
        return id
    }

    /// The answer to request `id`, after up to `ticks` ticks.
    mutating func response(_ to: RaftNodeID, _ id: RequestID, ticks: Int = 40) -> HTTPResponse? {
        for _ in 0..<ticks where members[to]?.responses[id] == nil { tick() }
        return members[to]?.responses.removeValue(forKey: id)
    }
}
