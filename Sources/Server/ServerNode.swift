import API
import HTTP
import Raft
import Registry
import Store

/// Which listener a request arrived on.
public enum Listener: Sendable, Equatable {
    /// The Consul-compatible API, port 8500.
    case consul
    /// The Gravity discovery API, port 8761.
    case discovery
}

/// Names one request until its response is written; chosen by the shell, unique per process.
public struct RequestID: Hashable, Sendable {
    public let connection: UInt64
    public let sequence: UInt64
    public init(connection: UInt64, sequence: UInt64) {
        self.connection = connection
        self.sequence = sequence
    }
}

/// What the shell hands the node.
public enum NodeInput: Sendable {
    /// Time passes: the loop's monotonic clock (timers) and the wall clock (times written into
    /// commands), both in milliseconds.
    case tick(monotonicMilliseconds: UInt64, wallMilliseconds: UInt64)
    /// A complete, well-formed HTTP request.
    case request(RequestID, Listener, HTTPRequest)
    /// Requests that arrived together (one loop round), taken in order as one input: the
    /// writes among them reach the log, the disk and the followers as one batch.
    case requests([IncomingRequest])
    /// The oldest `.persist` batch not yet reported is durable (fsynced).
    case persisted
    /// A connection with this peer completed its handshake (either side dialed).
    case peerConnected(PeerHandshake)
    /// A message from a peer.
    case peer(from: RaftNodeID, PeerMessage)
    /// A peer's address refused a connection after this server had been connected to it:
    /// nothing listens there any more (its process is gone). A follower whose leader it was
    /// campaigns at once (`RaftNode.leaderUnreachable`).
    case peerUnreachable(RaftNodeID)
    /// The client of this request went away (or its WebSocket closed): forget it.
    case cancel(RequestID)
    /// A probe the node started (`.startProbe`) has finished.
    case probeFinished(ProbeID, ProbeResult)
    /// The process is about to stop: a leader hands leadership to its most caught-up follower.
    case stopping
    /// The snapshot asked for with `.takeSnapshot` is written (`ServerConfig.snapshotPath`):
    /// the state as of `index`, the file's CRC-32C and its bytes; nil when it failed.
    case snapshotTaken(SnapshotTaken?)
    /// The `.restoreState(index:)` asked for is done: the state store now holds the snapshot
    /// (nil), or could not be replaced (the error).
    case stateRestored(index: UInt64, failure: StoreError?)
}

/// What the node asks the shell to do.
public enum NodeOutput: Sendable {
    /// Write this response for that request (in request order per connection: the shell's job).
    case respond(RequestID, HTTPResponse)
    /// Write this batch to `raft.db` in one transaction and fsync, then report `.persisted`.
    /// At most one batch is in flight.
    case persist(PersistBatch)
    /// Send this message to that peer over any established connection (dropped if none).
    case send(to: RaftNodeID, PeerMessage)
    /// Keep connections to exactly these peer addresses ("host:port"), reconnecting as needed.
    case dial([String])
    /// Something an operator should find in the log: leadership, membership, snapshots.
    case note(String, [(String, String)])
    /// Copy the state store to `ServerConfig.snapshotPath` off the loop (a consistent copy, as
    /// of whatever it has applied), then report `.snapshotTaken`. At most one is asked at a time.
    case takeSnapshot
    /// Replace the state store's contents with the leader's snapshot at
    /// `ServerConfig.snapshotPath` (the state as of `index`) off the loop, from a connection
    /// of its own (`StateStore.copySnapshot`), then report `.stateRestored`. The node does not
    /// write to the store meanwhile.
    case restoreState(index: UInt64)
    /// Write this 101 response for that request, then switch its connection to WebSocket: the
    /// connection is from then on the subscriber `RequestID` (`.push` targets it; the shell
    /// reports its end with `.cancel`).
    case upgrade(RequestID, HTTPResponse)
    /// Send one text message to the WebSocket subscriber `RequestID`.
    case push(RequestID, [UInt8])
    /// Run this probe and report `.probeFinished(id, result)` when it ends (always exactly once,
    /// within its timeout).
    case startProbe(ProbeID, ProbeSpec)
    /// Free this memory off the loop: `ReleasedMemory.free()` on a pool thread.
    case release(ReleasedMemory)
}

/// Memory the node let go of that is too large to free on the loop: a compaction's dropped log
/// entries and replaced snapshot (`CompactedMemory`; freeing them in place held the loop, and
/// every request in flight, for 13-16 ms per 100,000 entries).
///
/// A box, so that the memory is freed where `free()` runs, whoever else still holds the output.
/// `@unchecked Sendable`: after the node creates it, its only use is one `free()` on the thread
/// the shell picks.
public final class ReleasedMemory: @unchecked Sendable {
    private var held: CompactedMemory?

    init(_ held: CompactedMemory) {
        self.held = held
    }

    /// Frees what the box holds (once; later calls do nothing).
    public func free() {
        held = nil
    }

    /// Log entries still held; nil once everything is freed (tests).
    var heldEntries: Int? { held?.entries.count }

    /// Frees at most `count` of the held log entries (the last ones), or, once none are left,
    /// the rest; true while something remains. The shell frees a large compaction a slice at a
    /// time with pauses in between: the entries were allocated on the loop thread, so freeing
    /// hundreds of thousands at once from another one held the allocator's lock against the
    /// loop (a loop step that overlapped a 50 ms release took 40-80 ms).
    public func free(upTo count: Int) -> Bool {
        precondition(count > 0, "free(upTo:) needs a positive count")
        guard held != nil else { return false }
        if held!.entries.isEmpty {
            held = nil
            return false
        }
        held!.entries.removeLast(min(count, held!.entries.count))
        return true
    }
}

/// One HTTP request of a `.requests` batch.
public struct IncomingRequest: Sendable {
    public var id: RequestID
    public var listener: Listener
    public var request: HTTPRequest

    public init(id: RequestID, listener: Listener, request: HTTPRequest) {
        self.id = id
        self.listener = listener
        self.request = request
    }
}

/// A snapshot of the state the shell took (`.takeSnapshot`).
public struct SnapshotTaken: Sendable, Equatable {
    public var index: UInt64
    public var checksum: UInt32
    public var data: [UInt8]

    public init(index: UInt64, checksum: UInt32, data: [UInt8]) {
        self.index = index
        self.checksum = checksum
        self.data = data
    }
}

/// Fixed facts about this node, decided at start-up by the shell.
public struct ServerConfig: Sendable {
    public var identity: AgentIdentity
    public var version: String
    public var consulCompatibleVersion: String
    /// This node's Raft address as peers reach it, "ip:port".
    public var serverAddress: String
    public var ports: NodeView.Ports
    /// Most blocking queries parked at once; beyond it they get 429.
    public var maxBlockingQueries = 16384
    /// How often the shell ticks (DESIGN.md §5: 50 ms): the precision of the node's clock.
    public var tickMilliseconds: UInt64 = 50
    /// This server's Raft ID: stable, never reused (`RaftIdentity.id(fromNodeID:)`).
    public var raftID: RaftNodeID = 1
    /// With an empty log: form a new cluster once this many servers (this one included) see
    /// each other; 0 never forms one (the server only joins an existing cluster).
    public var bootstrapExpect = 1
    /// Peer addresses to reach other servers at ("host:port", DNS names allowed).
    public var retryJoin: [String] = []
    /// With an empty log: form a new cluster of exactly these servers once every one of them is
    /// connected (etcd's `--initial-cluster`), matched by node name; this server must be listed,
    /// names must be unique, and `bootstrapExpect` must then be 0. Empty: `bootstrapExpect` rules.
    /// The other members' addresses are dialed as `retryJoin`'s are.
    public var initialCluster: [InitialClusterMember] = []
    /// Where this server keeps its latest state snapshot (`snapshot.db` in the data folder).
    public var snapshotPath = "snapshot.db"
    /// Applied entries beyond the last snapshot that trigger a new one (Consul:
    /// `raft_snapshot_threshold`).
    public var snapshotThreshold: UInt64 = 16384
    /// At least this long between snapshots (Consul: `raft_snapshot_interval`, 30 s): under a
    /// heavy write load each copies the whole state, so the threshold alone would copy it every
    /// second or so. Each gap is drawn between this and twice it, so that servers stagger.
    public var snapshotIntervalMilliseconds: UInt64 = 30_000
    /// Writes waiting for commit at most; beyond it new writes get 429.
    public var maxPendingWrites = 65536
    /// A voter the leader has not heard from for this long is removed from the cluster, as long
    /// as at least `minimumVoters` (and a majority of the rest) remain (Consul's autopilot
    /// dead-server clean-up).
    public var deadServerMilliseconds: UInt64 = 60_000
    /// A server the leader has not heard from this long gets its `serfHealth` turned critical
    /// (which also invalidates the sessions bound to it) and its checks handed to a live server:
    /// 1.5 election timeouts at their shortest (30 ticks of 50 ms), long enough that a server
    /// slowed by load for a second keeps its locks, short enough that its checks move within
    /// two election timeouts.
    public var livenessTimeoutMilliseconds: UInt64 = 1500
    /// The clean-up never shrinks the voters below this (at least 3, or `bootstrapExpect`, or
    /// the size of `initialCluster`).
    public var minimumVoters: Int { max(3, bootstrapExpect, initialCluster.count) }
    /// The addresses this server dials besides the members': `retryJoin` and every other server
    /// of `initialCluster`.
    public var seedAddresses: [String] {
        retryJoin + initialCluster.filter { $0.name != identity.nodeName }.map(\.address)
    }
    /// A deliberately broken build for the simulator's negative control: reads skip the
    /// ReadIndex round and answer from the local store (stale after a partition). Never set
    /// outside the simulator.
    public var unsafeSkipReadIndex = false
    /// How long a request that needs a leader waits for one while none is known (an election
    /// under way) before it gets 500 "No cluster leader" (Consul: `rpc_hold_timeout`, 7 s).
    public var leaderHoldMilliseconds: UInt64 = 7000
    /// How long a write may wait for its commit, and a read for its ReadIndex, before the
    /// client is told it failed.
    public var requestTimeoutMilliseconds: UInt64 = 15_000
    /// Which script checks the agent API accepts and this node runs (`enable_script_checks`,
    /// `enable_local_script_checks`).
    public var scriptChecks: ScriptCheckPolicy = .disabled
    /// The configuration file's services and checks, validated by the agent: proposed once,
    /// when this node first knows a leader, after its own registration.
    public var localRegistrations: [Command] = []

    /// The Raft ID of a node: the first 64 bits of its node ID (a random UUID persisted in the
    /// data folder, so a server whose folder is lost comes back as a new member); never 0.
    public static func raftID(fromNodeID nodeID: String) -> RaftNodeID {
        let hex = nodeID.unicodeScalars.compactMap { UInt64(String($0), radix: 16) }.prefix(16)
        let id = hex.reduce(UInt64(0)) { $0 << 4 | $1 }
        return id == 0 ? 1 : id
    }

    public init(identity: AgentIdentity, version: String, consulCompatibleVersion: String, serverAddress: String, ports: NodeView.Ports) {
        self.identity = identity
        self.version = version
        self.consulCompatibleVersion = consulCompatibleVersion
        self.serverAddress = serverAddress
        self.ports = ports
        raftID = Self.raftID(fromNodeID: identity.nodeID)
    }
}

/// The deterministic node: the same inputs in the same order give the same outputs. It never reads
/// a clock, draws unseeded randomness or touches a socket; the shell (`Agent`) or a simulator
/// drives it.
///
/// Writes: a handler's `.write` is proposed to Raft (on a follower: forwarded to the leader);
/// the shell persists each batch; once committed and durable here it is applied to the
/// `StateStore` and the waiting request answered. Reads: answered from the store after a
/// ReadIndex round confirms this node is up to date (`?stale` skips it), or parked (blocking
/// queries) until what they watch changes or their wait ends.
public struct ServerNode {
    public let config: ServerConfig
    /// What the API shows of this node; cached answers carry its headers, so a change drops them.
    public internal(set) var view: NodeView {
        didSet { cache.removeAll() }
    }
    let store: StateStore
    /// The consensus core.
    public internal(set) var raft: RaftNode
    let consul = ConsulAPI()
    let discovery = DiscoveryAPI()
    var random: SplitMix64
    var monotonicMilliseconds: UInt64 = 0
    var wallMilliseconds: UInt64 = 0
    /// Set once this node knows a leader (and so runs its probes and timers).
    var started = false
    /// Writes proposed and not yet applied, by log index.
    var pendingWrites: [UInt64: PendingWrite] = [:]
    /// Writes handed to the leader and not yet answered, by context.
    var forwardedWrites: [UInt64: PendingWrite] = [:]
    /// What this node proposed as leader and has not applied yet, by log index: applying an
    /// entry of the same index and term takes its command from here instead of decoding the
    /// entry's bytes (the codec round-trips, so both are the same command). Decoding was a
    /// twentieth of a registration's instructions on a single server. Bounded by
    /// `maxPendingWrites`; an entry is dropped when its index is applied, whatever the term.
    var proposedCommands: [UInt64: ProposedCommand] = [:]
    /// Operator requests handed to the leader and not yet answered, by context.
    var forwardedOperations: [UInt64: (id: RequestID, respond: (String?) -> HTTPResponse, deadline: UInt64)] = [:]
    /// Results of recently applied entries, for forwarded writes whose answer arrives late.
    var recentResults = RecentResults()
    /// Reads waiting for a ReadIndex round.
    var reads = ReadBarrier()
    var nextContext: UInt64 = 1
    /// Raft batches to make durable: the first is in flight; messages wait with their batch.
    var disk = DiskQueue()
    var cluster: ClusterState
    /// A `.takeSnapshot` is out; `installs` counts snapshots installed from the leader, so a copy
    /// that was under way across one is not used.
    var snapshotRequest: (installs: Int, asked: Bool) = (0, false)
    /// A snapshot from the leader being installed: written with its log record, then (once that
    /// is durable, `copying`) copied over the state off the loop; the committed entries after
    /// it wait with it.
    var restoring: (index: UInt64, copying: Bool, entries: [RaftEntry])?
    /// Parked blocking queries: what to re-run, and when their wait ends.
    var parked: [RequestID: (listener: Listener, request: HTTPRequest, deadline: UInt64)] = [:]
    var waiters: WaiterTable<WatchKey>
    var timers = HealthTimers()
    var probes = ProbeScheduler()
    /// The nodes whose checks this server runs (`ServerNode+Liveness`): its own, unless another
    /// server took them over while this one was unreachable, and those handed to it.
    public internal(set) var ownedNodes: Set<String> = []
    var aliases = AliasChecks()
    /// Requests waiting for on-demand probe runs: the run per check (nil: not probed), the
    /// results so far, and how to answer.
    var probeRequests: [RequestID: (runs: [ProbeID?], results: [ProbeResult?], respond: ([ProbeResult?]) -> HTTPResponse)] = [:]
    var cache = ResponseCache()
    var outputs: [NodeOutput] = []
    /// WebSocket subscribers of each service's configuration, and the reverse map.
    var configWatchers: [String: Set<RequestID>] = [:]
    /// Round-robin positions of the discovery API's load balancing, and its counters.
    let rotations = Rotations()
    let discoveryStats = DiscoveryStats()
    let discoveryCache = DiscoveryCache()
    var watchedConfig: [RequestID: String] = [:]

    /// `store` and `boot` come from the data folder (`boot`: what `raft.db` holds). Committed
    /// entries the store has not applied are applied as soon as the core hands them out.
    public init(config: ServerConfig, store: StateStore, boot: RaftBoot, seed: UInt64) {
        if !config.initialCluster.isEmpty {
            // The agent validates these (`AgentConfig.initialMembers`); here they are misuse.
            precondition(config.bootstrapExpect == 0, "initialCluster and bootstrapExpect are alternatives")
            precondition(config.initialCluster.contains { $0.name == config.identity.nodeName }, "initialCluster must list this server")
            precondition(Set(config.initialCluster.map(\.name)).count == config.initialCluster.count, "initialCluster names must be unique")
        }
        self.config = config
        self.store = store
        random = SplitMix64(seed: seed)
        waiters = WaiterTable(capacity: config.maxBlockingQueries)
        ownedNodes = [config.identity.nodeName]
        raft = boot.makeNode(config: config, applied: store.appliedIndex, seed: seed)
        cluster = ClusterState(bootstrapped: boot.isBootstrapped)
        cluster.writtenTerm = boot.hardState.term
        cluster.writtenVote = boot.hardState.vote
        view = NodeView(
            identity: config.identity,
            version: config.version,
            consulCompatibleVersion: config.consulCompatibleVersion,
            isServer: true,
            serverAddress: config.serverAddress,
            leaderAddress: nil,
            peers: [],
            raftState: "Follower",
            lastContactMilliseconds: 0,
            isCaughtUp: false,
            ports: config.ports)
        view.scriptChecks = config.scriptChecks
        probes.scripts = ScriptCheckGate(policy: config.scriptChecks, localRegistrations: config.localRegistrations, node: config.identity.nodeName)
        if boot.snapshotIndex > 0 {
            // Followers that need the compacted entries get this snapshot file.
            if let data = try? StateStore.readSnapshot(at: config.snapshotPath, expectedChecksum: boot.snapshotChecksum) {
                raft.compact(through: boot.snapshotIndex, data: data)
            }
        }
    }

    /// Takes one input and appends what to do to `sink` (which the caller drains).
    ///
    /// `beforeApplying` gets the outputs gathered so far, in order, each time committed
    /// entries are about to be applied, and may take them (emptying the array): the shell
    /// starts them at once (the next log batch's fsync on another thread, a leader's appends,
    /// a follower's acknowledgements), so that they run while this step applies. What it
    /// leaves joins `sink`. Taking them changes no order, only how soon they start.
    public mutating func step(_ input: NodeInput, into sink: inout [NodeOutput],
                              beforeApplying: (inout [NodeOutput]) -> Void = { _ in }) {
        switch input {
        case .tick(let monotonic, let wall): tick(monotonic: monotonic, wall: wall)
        case .request(let id, let listener, let request): receive(id, listener, request)
        case .requests(let batch): for incoming in batch { receive(incoming.id, incoming.listener, incoming.request) }
        case .persisted: persisted()
        case .cancel(let id): cancel(id)
        case .probeFinished(let id, let result): probeFinished(id, result)
        case .peerConnected(let handshake): peerConnected(handshake)
        case .peer(let from, let message): received(message, from: from)
        case .peerUnreachable(let peer): raft.leaderUnreachable(peer)
        case .stopping: handOverLeadership()
        case .snapshotTaken(let taken): snapshotTaken(taken)
        case .stateRestored(let index, let failure): stateRestored(index: index, failure: failure)
        }
        drainRaft(beforeApplying: beforeApplying)
        sink.append(contentsOf: outputs)
        outputs.removeAll(keepingCapacity: true)
    }

    mutating func tick(monotonic: UInt64, wall: UInt64) {
        precondition(monotonic >= monotonicMilliseconds, "time went backwards")
        let first = !cluster.ticked
        cluster.ticked = true
        monotonicMilliseconds = monotonic
        wallMilliseconds = wall
        if first { firstTick() }
        raft.tick()
        clusterTick()
        for id in waiters.expire(now: monotonic) { rerun(id, finalAttempt: true) }
        expireRequests()
        guard started else { return }
        for command in timers.due(now: monotonic, store: store, sessions: raft.role == .leader) { propose(command) }
        for command in probes.reap(now: monotonic) { propose(command) }
        probes.due(now: monotonic, into: &outputs)
    }

    /// Duties that start once this node knows a leader: register this server in the catalog
    /// (the node, the `consul` service and `serfHealth`, as Consul servers do) and start the
    /// TTL timers and probes of this node's checks.
    mutating func start() {
        started = true
        refreshOwnership(restart: true)
    }

    /// A probe ended: record its duration, and propose the status (or output) it decided.
    mutating func probeFinished(_ id: ProbeID, _ result: ProbeResult) {
        if let (command, service) = probes.finished(id, result, now: monotonicMilliseconds) {
            discoveryStats.probed(service: service, milliseconds: result.durationMilliseconds)
            if let command { propose(command) }
        }
        for request in probeRequests.keys.sorted() {
            guard var waiting = probeRequests[request], waiting.runs.contains(id) else { continue }
            for (position, run) in waiting.runs.enumerated() where run == id { waiting.results[position] = result }
            let done = zip(waiting.runs, waiting.results).allSatisfy { $0.0 == nil || $0.1 != nil }
            if done {
                probeRequests[request] = nil
                outputs.append(.respond(request, waiting.respond(waiting.results)))
            } else {
                probeRequests[request] = waiting
            }
        }
    }

    mutating func handle(_ id: RequestID, _ listener: Listener, _ request: HTTPRequest, finalAttempt: Bool, deadline: UInt64? = nil) {
        switch listener {
        case .discovery:
            if let service = DiscoveryAPI.configWatchTarget(request.path) {
                openConfigWatch(id, service: service, request)
                return
            }
            let environment = RequestEnvironment(node: view, store: store, wallMilliseconds: wallMilliseconds, newID: random.uuid(),
                                                 finalAttempt: finalAttempt, rotations: rotations, randomDraw: random.next(),
                                                 stats: discoveryStats, discoveryCache: discoveryCache)
            perform(discovery.handle(request, environment: environment), for: id, listener, request, deadline: deadline)
        case .consul:
            let cacheKey = ResponseCache.key(for: request)
            if let cacheKey, let cached = cache.response(for: cacheKey) {
                outputs.append(.respond(id, cached))
                return
            }
            let environment = RequestEnvironment(node: view, store: store, wallMilliseconds: wallMilliseconds, newID: random.uuid(), finalAttempt: finalAttempt)
            let reply = consul.handle(request, environment: environment)
            if case .read(let response, let watch) = reply, let cacheKey {
                cache.store(response, for: cacheKey, watching: watch)
            }
            perform(reply, for: id, listener, request, deadline: deadline)
        }
    }

    mutating func perform(_ reply: Reply, for id: RequestID, _ listener: Listener, _ request: HTTPRequest, deadline: UInt64?) {
        switch reply {
        case .response(let response), .read(let response, _):
            outputs.append(.respond(id, response))
        case .write(let command, let respond):
            submit(command, waiting: PendingWrite(id: id, listener: listener, respond: respond, term: 0,
                                                  deadline: monotonicMilliseconds + config.requestTimeoutMilliseconds))
        case .wait(let watch, let waitMilliseconds):
            park(id, listener, request, watch: watch, deadline: deadline ?? blockingDeadline(waitMilliseconds))
        case .operate(let operation, let respond):
            if raft.role != .leader, let leader = raft.leader {
                let context = nextContext
                nextContext += 1
                forwardedOperations[context] = (id, respond, monotonicMilliseconds + config.requestTimeoutMilliseconds)
                outputs.append(.send(to: leader, .operate(context: context, operation: operation)))
            } else {
                outputs.append(.respond(id, respond(operate(operation))))
            }
        case .probe(let checks, let respond):
            let runs = checks.map { target -> ProbeID? in
                guard let run = probes.startNow(ProbeScheduler.Key(node: target.node, checkID: target.checkID), now: monotonicMilliseconds) else {
                    return nil
                }
                if let spec = run.spec { outputs.append(.startProbe(run.id, spec)) }
                return run.id
            }
            guard runs.contains(where: { $0 != nil }) else {
                outputs.append(.respond(id, respond(runs.map { _ in nil })))
                return
            }
            probeRequests[id] = (runs, Array(repeating: nil, count: runs.count), respond)
        }
    }

    /// Whether a change to `changed` may change what a reader of `watched` sees. A KV reader
    /// watches a key or a prefix, and a tree delete reports its prefix.
    static func covers(_ watched: WatchKey, _ changed: WatchKey) -> Bool {
        if case .kv(let watchedKey) = watched, case .kv(let key) = changed {
            return key.hasPrefix(watchedKey) || watchedKey.hasPrefix(key)
        }
        return watched == changed
    }

    /// When a new blocking query's wait ends. Consul adds up to wait/16 of jitter so that many
    /// clients do not all return at once (consul-api.md §1.5).
    ///
    /// The node knows the time as of its last tick, up to one tick ago, and notices a deadline
    /// only on a tick; adding one tick makes sure a query never returns before its wait.
    mutating func blockingDeadline(_ waitMilliseconds: UInt64) -> UInt64 {
        let jitter = waitMilliseconds >= 16 ? UInt64.random(in: 0...(waitMilliseconds / 16), using: &random) : 0
        return monotonicMilliseconds + config.tickMilliseconds + waitMilliseconds + jitter
    }

    /// Parks a blocking query until `deadline`; a query woken by a change that did not move its
    /// index is parked again with the deadline it already had.
    mutating func park(_ id: RequestID, _ listener: Listener, _ request: HTTPRequest, watch: [WatchKey], deadline: UInt64) {
        guard waiters.park(id, keys: watch, deadlineMilliseconds: deadline) else {
            outputs.append(.respond(id, .text(.tooManyRequests, "too many blocking queries; retry later")))
            return
        }
        parked[id] = (listener, request, deadline)
    }

    mutating func rerun(_ id: RequestID, finalAttempt: Bool) {
        guard let parkedRequest = parked.removeValue(forKey: id) else { return }
        handle(id, parkedRequest.listener, parkedRequest.request, finalAttempt: finalAttempt, deadline: parkedRequest.deadline)
    }

    /// Sends an applied configuration change to the service's watchers, in log order, each
    /// version as its own message (DESIGN.md §8: the config watch is a watcher keyed by what it
    /// watches).
    mutating func pushConfigChange(_ entry: IndexedCommand, _ outcome: ApplyOutcome) {
        let change: (service: String, version: UInt64?)
        switch (entry.command, outcome.result) {
        case (.configPut(let update), .configVersion(let version)): change = (update.serviceName, version)
        case (.configDelete(let service), .done): change = (service, nil)
        default: return
        }
        guard let watchers = configWatchers[change.service], !watchers.isEmpty else { return }
        let message: [UInt8]
        if let built = DiscoveryConfigEndpoint.watchMessage(store: store, service: change.service, version: change.version) {
            message = built
        } else if case .configPut(let update) = entry.command, let version = change.version {
            // More versions than are kept went in one batch: this one is already gone from
            // the store, so the message is built from the command (both times are its own).
            message = DiscoveryConfigEndpoint.watchMessage(update, version: version, milliseconds: entry.leaderMilliseconds ?? 0)
        } else {
            return
        }
        for id in watchers.sorted() {
            outputs.append(.push(id, message))
        }
    }

    /// `WS /api/v1/config/watch/{service}`: after the handshake the connection is a subscriber
    /// of that service's configuration.
    mutating func openConfigWatch(_ id: RequestID, service: String, _ request: HTTPRequest) {
        switch WebSocketHandshake.accept(request) {
        case .success(let response):
            configWatchers[service, default: []].insert(id)
            watchedConfig[id] = service
            outputs.append(.upgrade(id, response))
            // The current configuration first, so a watcher never starts from nothing.
            if let current = try? store.serviceConfig(named: service).value,
               let message = DiscoveryConfigEndpoint.watchMessage(store: store, service: service, version: current.version, event: "current") {
                outputs.append(.push(id, message))
            }
        case .failure(let refusal):
            var response = DiscoveryAPI.failure(refusal.status, refusal.message)
            for field in refusal.headers.fields { response.headers.add(field.name, field.value) }
            outputs.append(.respond(id, response))
        }
    }

    mutating func cancel(_ id: RequestID) {
        probeRequests[id] = nil
        if !reads.awaitingLeader.isEmpty { reads.awaitingLeader.removeAll { $0.id == id } }
        if let service = watchedConfig.removeValue(forKey: id) {
            configWatchers[service]?.remove(id)
            if configWatchers[service]?.isEmpty == true { configWatchers[service] = nil }
        }
        waiters.remove(id)
        parked[id] = nil
        // A proposed write still applies; only its answer is dropped (the shell ignores it).
    }

    /// Applies committed entries (handed out by the core, durable here), answers the writes
    /// waiting for them, then wakes the blocking queries that watch what changed.
    mutating func apply(_ entries: [RaftEntry]) {
        var commands: [IndexedCommand] = []
        var terms: [UInt64] = []
        for entry in entries {
            let proposed = proposedCommands.removeValue(forKey: entry.index)
            switch entry.kind {
            case .command:
                if let proposed, proposed.term == entry.term {
                    commands.append(IndexedCommand(index: entry.index, command: proposed.command, leaderMilliseconds: proposed.leaderMilliseconds))
                } else {
                    let (command, time) = LogEntryPayload.decode(entry.data, index: entry.index)
                    commands.append(IndexedCommand(index: entry.index, command: command, leaderMilliseconds: time))
                }
                terms.append(entry.term)
            case .noop, .membership:
                // Nothing for the state machine; a write that waited for this index lost it.
                recentResults.record(index: entry.index, term: entry.term, result: nil)
                answerWrite(at: entry.index, term: entry.term, result: nil)
            }
        }
        applyCommands(commands, terms: terms)
    }

    mutating func applyCommands(_ commands: [IndexedCommand], terms: [UInt64]) {
        guard !commands.isEmpty else { return }
        let outcomes = store.apply(commands)
        // By position: iterating zip(commands, outcomes) copied each command, retaining
        // everything it holds, in every loop.
        for position in commands.indices {
            recentResults.record(index: commands[position].index, term: terms[position], result: outcomes[position].result)
        }
        // Only the response cache and the waiters look at what changed; under a pure write load
        // both are empty, and collecting and sorting the keys was a per-write cost for nothing.
        let anyWatcher = cache.count > 0 || waiters.count > 0 || discoveryCache.count > 0
        var touched = Set<WatchKey>()
        var sessionsChanged = false
        var servicesChanged = false
        var changedChecks: [CheckRef] = []
        var ownershipWritten = false
        // Still by position, reading each entry in place: a copy of it retained everything its
        // command holds.
        for position in commands.indices {
            let outcome = outcomes[position]
            if anyWatcher { touched.formUnion(outcome.touched) }
            sessionsChanged = sessionsChanged || outcome.touched.contains(.sessions)
            servicesChanged = servicesChanged || outcome.touched.contains(.services)
            changedChecks += outcome.changedChecks
            timers.applied(commands[position].command, outcome: outcome, now: monotonicMilliseconds)
            answerWrite(at: commands[position].index, term: terms[position], result: outcome.result)
            pushConfigChange(commands[position], outcome)
            if !outcome.result.isRefusal { discoveryStats.applied(commands[position].command) }
            if case .nodeLiveness = commands[position].command, !outcome.result.isRefusal { ownershipWritten = true }
        }
        if ownershipWritten, started { refreshOwnership(restart: false) }
        // Only the checks the batch wrote are read again: registering 10,000 checks must not
        // read every check after every batch.
        let ownChecks = changedChecks.isEmpty ? [] : ChangedCheck.read(changedChecks, nodes: ownedNodes, store: store)
        if !ownChecks.isEmpty || sessionsChanged {
            timers.update(checks: ownChecks, sessions: sessionsChanged, store: store, now: monotonicMilliseconds)
            if started { probes.update(ownChecks, now: monotonicMilliseconds, random: &random) }
        }
        if started {
            for command in aliases.changed(ownChecks, somethingChanged: !changedChecks.isEmpty || servicesChanged, store: store) { propose(command) }
        }
        guard anyWatcher else { return }
        let changed = touched.sorted()
        cache.invalidate(changed, covers: Self.covers)
        discoveryCache.invalidate(changed)
        for id in waiters.wake(changed, covers: Self.covers) { rerun(id, finalAttempt: false) }
    }
}
