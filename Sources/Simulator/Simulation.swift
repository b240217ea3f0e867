import Foundation
import HTTP
import Raft
import Registry
import Server
import Store

/// Many `ServerNode`s in one thread, driven from one seed over a simulated network, disks and
/// clocks (DESIGN.md §2, §14; TigerBeetle's VOPR and FoundationDB's simulator are the models).
/// A run is a pure function of (seed, options): every random choice comes from the seed, events
/// at the same instant run in the order they were scheduled, and nothing reads a real clock.
///
/// After every event the node it touched is checked against Raft's safety properties
/// (`RaftInvariants`); at the end, with every fault healed, all nodes must hold the same state
/// and the clients' history must be linearizable.
public struct Simulation {
    enum Phase { case faulty, settling }

    public let seed: UInt64
    public let options: SimOptions
    var nodes: [SimNode]
    var network: SimNetwork
    var queue = EventQueue<SimEvent>()
    var now: SimMilliseconds = 0
    /// Events handled so far: the history's global order.
    var order: UInt64 = 0
    var phase = Phase.faulty
    var workload: Workload
    var invariants = RaftInvariants()
    var picker: FaultPicker
    var networkRandom: SimRandom
    var diskRandom: SimRandom
    var nodeRandom: SimRandom
    /// Whether a connection is up between two nodes (symmetric).
    var linkUp: [[Bool]]
    /// Each node's fsync latency now, and its clock rate when no fault changes it.
    var fsyncMilliseconds: [ClosedRange<SimMilliseconds>]
    let baseRates: [Double]
    let wallOffsets: [UInt64]
    /// Applied entries between snapshots: small, so runs compact and install snapshots.
    let snapshotThreshold: UInt64
    var leaderTerms: Set<UInt64> = []
    /// A `Fault.crashDuringWrite` waiting for its write.
    var crashTrap: (nodes: [Int], triggers: [Int]?, downMilliseconds: SimMilliseconds, machine: Bool)?
    var report: SimReport
    var trace = FNV1a()
    let root: String
    let log: (String) -> Void

    /// Runs one schedule and reports what it found. `log` gets the trace when `verbose`.
    public static func run(seed: UInt64, options: SimOptions, log: @escaping (String) -> Void = { print($0) }) -> SimReport {
        let root = temporaryFolder(seed: seed)
        defer {
            // try? : a leftover temporary folder does not change the verdict.
            try? FileManager.default.removeItem(atPath: root)
        }
        var simulation = Simulation(seed: seed, options: options, root: root, log: log)
        simulation.start()
        simulation.runEvents(until: options.faultMilliseconds)
        if simulation.shouldContinue {
            simulation.healEverything()
            simulation.runEvents(until: options.faultMilliseconds + options.settleMilliseconds)
            simulation.awaitConvergence(extraMilliseconds: options.settleMilliseconds)
        }
        simulation.finish()
        simulation.closeStores()
        return simulation.report
    }

    /// A fresh folder per run (tmpfs when there is one: SQLite's files need no real disk).
    static func temporaryFolder(seed: UInt64) -> String {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/gravity-sim-\(ProcessInfo.processInfo.processIdentifier)-\(seed)"
        // try? : a folder left by an earlier run of the same seed in this process is replaced.
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    init(seed: UInt64, options: SimOptions, root: String, log: @escaping (String) -> Void) {
        precondition(options.nodes >= 1 && options.nodes <= 7, "1 to 7 nodes")
        self.seed = seed
        self.options = options
        self.root = root
        self.log = log
        let random = SimRandom(seed: seed)
        var setup = random.split(1)
        networkRandom = random.split(2)
        diskRandom = random.split(3)
        nodeRandom = random.split(4)
        picker = FaultPicker(random: random.split(5), nodeCount: options.nodes)
        workload = Workload(clients: options.clients, keys: options.keys, random: random.split(6))
        let rates = (0..<options.nodes).map { _ in 0.8 + setup.unit() * 0.45 }
        baseRates = rates
        wallOffsets = (0..<options.nodes).map { _ in setup.uint(in: 0...2_000) }
        snapshotThreshold = setup.pick([16, 40, 100, 1_000])
        nodes = (0..<options.nodes).map { SimNode(index: $0, folder: "\(root)/n\($0 + 1)", rate: rates[$0]) }
        network = SimNetwork(nodeCount: options.nodes)
        linkUp = Array(repeating: Array(repeating: false, count: options.nodes), count: options.nodes)
        fsyncMilliseconds = Array(repeating: 1...10, count: options.nodes)
        report = SimReport(seed: seed, options: options)
    }

    var shouldContinue: Bool {
        report.violations.isEmpty && (options.maxSteps == 0 || report.steps < options.maxSteps)
    }

    // MARK: The event loop

    mutating func start() {
        traceLine("start seed \(seed) nodes \(options.nodes) rates \(baseRates.map { String(format: "%.3f", $0) })")
        for index in nodes.indices {
            // try! : a simulation that cannot create its temporary folder cannot run at all.
            try! FileManager.default.createDirectory(atPath: nodes[index].folder, withIntermediateDirectories: true)
            boot(index)
        }
        for client in 0..<options.clients { schedule(.clientInvoke(client: client), after: 200 + workload.thinkTime()) }
        if options.faults {
            for timeline in FaultTimeline.allCases { schedule(.faultStart(timeline: timeline), after: picker.gapMilliseconds() + 1_000) }
        }
    }

    mutating func runEvents(until end: SimMilliseconds) {
        while shouldContinue, let (time, event) = queue.pop(notAfter: end) {
            now = time
            order += 1
            report.steps += 1
            handle(event)
        }
        if shouldContinue { now = max(now, end) }
        report.simulatedMilliseconds = now
    }

    /// A fresh position in the global order: an operation answered within the event that
    /// invoked it still completes after it was invoked.
    mutating func nextOrder() -> UInt64 {
        order += 1
        return order
    }

    mutating func schedule(_ event: SimEvent, after delay: SimMilliseconds) {
        queue.schedule(event, at: now + delay)
    }

    mutating func handle(_ event: SimEvent) {
        if let (node, incarnation) = event.addressee {
            guard nodes[node].incarnation == incarnation, nodes[node].isUp else { return }
            if nodes[node].paused {
                nodes[node].held.append(event)
                return
            }
        }
        switch event {
        case .tick(let node, let incarnation): tick(node, incarnation)
        case .deliver(let node, _, let from, let message): deliver(message, from: from, to: node)
        case .connected(let node, _, let peer):
            traceLine("n\(node + 1) connected to n\(peer + 1)")
            step(node, .peerConnected(handshake(peer)))
        case .unreachable(let node, _, let peer):
            guard !nodes[peer].isUp else { return }
            traceLine("n\(node + 1) finds n\(peer + 1) unreachable")
            step(node, .peerUnreachable(nodes[peer].id))
        case .synced(let node, let incarnation): synced(node, incarnation)
        case .persisted(let node, _): persisted(node)
        case .request(let node, _, let id, let request):
            traceLine("n\(node + 1) request \(id.connection).\(id.sequence) \(request.method) \(request.target)")
            step(node, .request(id, .consul, request))
        case .cancel(let node, _, let id): step(node, .cancel(id))
        case .snapshotTaken(let node, _, let taken): step(node, .snapshotTaken(taken))
        case .stateRestored(let node, _, let restored): step(node, .stateRestored(index: restored, failure: nil))
        case .clientInvoke(let client): invoke(client)
        case .clientTimeout(let client, let id): timeOut(client, id)
        case .faultStart(let timeline): startFault(timeline)
        case .faultEnd(let fault): endFault(fault)
        case .restart(let node): if !nodes[node].isUp { boot(node) }
        case .crash(let victims, let down, let machine):
            for node in victims { crash(node, machine: machine) }
            for node in victims { schedule(.restart(node: node), after: down) }
        case .resume(let node): resume(node)
        case .healAll: healEverything()
        }
    }

    // MARK: Nodes

    /// Feeds one input to a running node, performs what it asks, and checks the invariants.
    mutating func step(_ index: Int, _ input: NodeInput) {
        guard nodes[index].isUp else { return }
        var outputs: [NodeOutput] = []
        // In place: a copy of the node would copy its log on the next mutation.
        nodes[index].node!.step(input, into: &outputs)
        for output in outputs { perform(output, from: index) }
        check(index)
    }

    mutating func perform(_ output: NodeOutput, from index: Int) {
        switch output {
        case .respond(let id, let response): respond(id, response, from: index)
        case .persist(let batch): persist(batch, on: index)
        case .send(let to, let message): send(message, from: index, to: Int(to) - 1)
        case .dial(let addresses): dial(addresses, from: index)
        case .takeSnapshot: takeSnapshot(index)
        case .restoreState(let restored): restoreState(restored, on: index)
        case .startProbe, .upgrade, .push, .note: break
        case .release(let memory): memory.free()
        }
    }

    mutating func tick(_ index: Int, _ incarnation: UInt64) {
        guard nodes[index].incarnation == incarnation, nodes[index].isUp else { return }
        let elapsed = Double(now - nodes[index].lastTickAt) * nodes[index].rate
        nodes[index].localMilliseconds += UInt64(elapsed.rounded())
        nodes[index].lastTickAt = now
        // Ticks every 50 ms of node time: 50 / rate of simulated time.
        schedule(.tick(node: index, incarnation: incarnation), after: max(1, SimMilliseconds((50 / nodes[index].rate).rounded())))
        guard !nodes[index].paused else { return }
        let local = nodes[index].localMilliseconds
        step(index, .tick(monotonicMilliseconds: local, wallMilliseconds: 1_700_000_000_000 + wallOffsets[index] + local))
    }

    mutating func send(_ message: PeerMessage, from: Int, to: Int) {
        guard nodes.indices.contains(to), to != from else {
            violation("n\(from + 1) sent to unknown server \(to + 1)")
            return
        }
        // A consensus message tolerates duplicates by design; forwarded writes ride on one TCP
        // stream, which never duplicates, so only Raft messages are duplicated.
        var duplicable = false
        if case .raft = message { duplicable = true }
        let delays = network.deliveryDelays(from: from, to: to, duplicable: duplicable, random: &networkRandom)
        traceLine("n\(from + 1) -> n\(to + 1) \(describe(message))\(delays.isEmpty ? " LOST" : delays.count > 1 ? " DUP" : "")")
        for delay in delays {
            schedule(.deliver(to: to, incarnation: nodes[to].incarnation, from: from, message), after: delay)
        }
    }

    mutating func deliver(_ message: PeerMessage, from: Int, to: Int) {
        // A cut that began while the message was in flight drops it too.
        guard network.canSend(from: from, to: to) else { return }
        step(to, .peer(from: nodes[from].id, message))
    }

    mutating func dial(_ addresses: [String], from index: Int) {
        for address in addresses {
            guard let peer = nodes.firstIndex(where: { $0.address == address }), peer != index else { continue }
            connectIfPossible(index, peer)
        }
    }

    /// Brings a connection up when both ends run and both directions are open; each end then
    /// gets `.peerConnected` with the other's handshake.
    mutating func connectIfPossible(_ a: Int, _ b: Int) {
        guard !linkUp[a][b], nodes[a].isUp, nodes[b].isUp, network.connected(a, b) else { return }
        linkUp[a][b] = true
        linkUp[b][a] = true
        schedule(.connected(node: a, incarnation: nodes[a].incarnation, peer: b), after: 1)
        schedule(.connected(node: b, incarnation: nodes[b].incarnation, peer: a), after: 1)
    }

    /// After any change to the network or to which nodes run: connections that broke are down,
    /// ones that can come up do.
    mutating func refreshLinks() {
        for a in nodes.indices {
            for b in nodes.indices where a < b {
                if !(nodes[a].isUp && nodes[b].isUp && network.connected(a, b)) {
                    linkUp[a][b] = false
                    linkUp[b][a] = false
                }
                connectIfPossible(a, b)
            }
        }
    }

    func handshake(_ index: Int) -> PeerHandshake {
        PeerHandshake(datacenter: "dc1", id: nodes[index].id, address: nodes[index].address)
    }
}
