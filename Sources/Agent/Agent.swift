import CSQLite
import Glibc
import HTTP
import Loop
import Registry
import Server
import Store

/// A running node: the libuv loop, the listeners, the data folder and the `ServerNode` they drive.
/// Everything here runs on the thread that called `run()`.
public final class Agent {
    public static let version = "0.1.0"
    /// What Consul clients are told; the API behaves as Consul 1.20 does.
    public static let consulCompatibleVersion = "1.20.0"
    /// The core's tick (DESIGN.md §5: 50 ms).
    static let tickMilliseconds: UInt64 = 50

    public let config: AgentConfig
    private let logger: Logger
    private let loop: EventLoop
    private var node: ServerNode
    private var outputs: [NodeOutput] = []
    private var servers: [HTTPServer] = []
    private var dataDirectory: DataFolder?
    private let logWriter: LogWriter
    private let checkpointer: StateCheckpointer
    private let snapshotter: StateSnapshotter
    /// Where the node's snapshots go (`ServerConfig.snapshotPath`), kept here so that
    /// `perform` never reads `node`: it also runs while the node is being stepped.
    private let snapshotPath: String
    /// The state store's file, which a leader's snapshot is copied into (`restoreState`).
    private let statePath: String
    private var checkpointInFlight = false
    /// A snapshot copy runs on its background thread (`takeSnapshot`).
    private var snapshotInFlight = false
    /// The state store's applied index at the last checkpoint: no new writes, no checkpoint.
    private var checkpointedIndex: UInt64 = 0
    private var stopping = false
    /// Requests read in this loop round, not yet given to the node (`stepArrivedRequests`).
    private var arrivedRequests: [IncomingRequest] = []
    /// The Raft transport on the server port.
    private var peers: PeerTransport?
    /// Runs the HTTP, TCP and script probes the node starts (lazy: its callback needs `self`).
    private lazy var probes = ProbeRunner(loop: loop, allowLinkLocalTargets: config.checksAllowLinkLocalTargets) { [unowned self] id, result in
        self.step(.probeFinished(id, result))
    }

    /// Prepares the node: validates the configuration, opens the data folder. Binds nothing yet.
    public init(config: AgentConfig) throws(AgentError) {
        do { try config.validate() } catch { throw .config(error.message) }
        self.config = config
        logger = Logger(level: config.logLevel, json: config.logJSON)
        let nodeName = config.nodeName ?? DataFolder.hostName()
        // The file's services and checks before anything is opened: a bad one leaves nothing behind.
        let localRegistrations = try ConfigDefinitions.commands(config, node: nodeName)
        // Again with the name filled in: the list must hold it even when it is the host name.
        let initialCluster: [InitialClusterMember]
        do { initialCluster = try config.initialMembers(nodeName: nodeName) } catch { throw .config(error.message) }
        let folder = try DataFolder.open(config: config)
        if folder.directory?.stateRebuilt == true {
            logger.warn("the machine stopped while state.db held unsynced writes: rebuilding it from the snapshot and raft.db",
                        ["data_dir": folder.path])
        }
        dataDirectory = folder
        let identity: AgentIdentity
        do {
            identity = try AgentIdentity(nodeName: nodeName, nodeID: folder.nodeID, datacenter: config.datacenter)
        } catch { throw .config(error.message) }
        var serverConfig = ServerConfig(
            identity: identity,
            version: Self.version,
            consulCompatibleVersion: Self.consulCompatibleVersion,
            serverAddress: Self.hostPort(config.bindAddr, config.ports.server),
            ports: config.ports)
        serverConfig.tickMilliseconds = Self.tickMilliseconds
        serverConfig.bootstrapExpect = config.effectiveBootstrapExpect
        serverConfig.retryJoin = config.joinAddresses
        serverConfig.initialCluster = initialCluster
        serverConfig.snapshotThreshold = config.raftSnapshotThreshold
        serverConfig.snapshotIntervalMilliseconds = config.raftSnapshotIntervalMilliseconds
        serverConfig.scriptChecks = config.scriptChecks
        serverConfig.localRegistrations = localRegistrations
        let directory = folder.directory!
        serverConfig.snapshotPath = directory.path + "/" + DataDirectory.snapshotFileName
        snapshotPath = serverConfig.snapshotPath
        let boot = try Self.openLog(directory, snapshotPath: serverConfig.snapshotPath)
        logWriter = LogWriter(log: directory.raftLog, snapshotPath: serverConfig.snapshotPath)
        statePath = directory.path + "/" + DataDirectory.stateFileName
        do {
            checkpointer = try StateCheckpointer(path: statePath, syncs: directory.stateDurability == .synced)
            snapshotter = try StateSnapshotter(path: statePath)
        } catch { throw .storage("\(directory.path): \(error)") }
        let seed = DataFolder.randomBytes(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        node = ServerNode(config: serverConfig, store: directory.state, boot: boot, seed: seed)
        // Last: a loop must be closed before it is dropped, so nothing may throw after this.
        do { loop = try EventLoop() } catch { throw .loop(error) }
    }

    /// Reads `raft.db` back. A state store behind the log's snapshot point (its last writes
    /// were lost with the page cache) is restored from the snapshot file first.
    private static func openLog(_ directory: DataDirectory, snapshotPath: String) throws(AgentError) -> RaftBoot {
        do {
            let boot = try RaftBoot.load(from: directory.raftLog)
            try directory.state.restoreIfBehind(snapshot: boot.snapshotIndex, checksum: boot.snapshotChecksum, path: snapshotPath)
            let last = boot.entries.last?.index ?? boot.snapshotIndex
            guard directory.state.appliedIndex <= last else {
                throw StoreError.corrupt("state.db has applied index \(directory.state.appliedIndex), beyond the end of raft.db (\(last)): the two files are not from the same server")
            }
            return boot
        } catch {
            throw .storage("\(directory.path): \(error)")
        }
    }

    /// Every client connection, peer link and kept probe connection is an open file: the soft
    /// limit goes up to the hard one, as Go's runtime raises it for Consul (Go 1.19 and later).
    private static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Binds every listener and serves until SIGINT or SIGTERM; then closes every handle and
    /// returns. Blocks the calling thread, which becomes the loop thread.
    public func run() throws(AgentError) {
        // A write to a socket the other side closed must be an EPIPE error, not a SIGPIPE that
        // kills the process (libuv leaves this to the application).
        signal(SIGPIPE, SIG_IGN)
        Self.raiseOpenFileLimit()
        // Signals first: once a port answers, a SIGTERM must already mean a clean stop. The
        // peer transport before the first tick, which may already dial.
        do {
            try startPeers()
            try startTimersAndSignals()
            try bindListeners()
        } catch {
            shutDownLoop()
            throw error
        }
        logger.info("Gravity agent running", [
            "node": node.config.identity.nodeName, "datacenter": config.datacenter,
            "data_dir": dataDirectory?.path ?? "", "version": Self.version,
        ])
        for server in servers {
            let scheme = server.listenerKind == .consul ? "Consul API" : "Discovery API"
            logger.info("listening", ["api": scheme, "url": "http://\(server.localAddress?.description ?? "?")"])
        }
        loop.run()
        shutDownLoop()
        logger.info("Gravity agent stopped")
    }

    /// Copies state.db to snapshot.db on a background thread and reports it to the node.
    private func takeSnapshot() {
        let snapshotter = self.snapshotter
        let path = snapshotPath
        snapshotInFlight = true
        let finished = { [unowned self] (result: Result<SnapshotTaken, StoreError>) in
            self.snapshotInFlight = false
            switch result {
            case .success(let taken):
                self.logger.debug("snapshot taken", ["index": "\(taken.index)", "bytes": "\(taken.data.count)"])
                self.step(.snapshotTaken(taken))
            case .failure(let error):
                self.logger.warn("snapshot failed", ["error": "\(error)"])
                self.step(.snapshotTaken(nil))
            }
        }
        // On a thread of its own at the lowest CPU priority (`runInBackground`): the copy of a
        // large state takes a core for a second or more, which the loops need more.
        do {
            try loop.runInBackground({ () -> Result<SnapshotTaken, StoreError> in
                do throws(StoreError) {
                    let (info, data) = try snapshotter.take(to: path)
                    return .success(SnapshotTaken(index: info.index, checksum: info.checksum, data: data))
                } catch {
                    return .failure(error)
                }
            }, completion: finished)
        } catch {
            // Reported later, never inside the step that asked for it.
            loop.defer { finished(.failure(.io("cannot start the snapshot thread: \(error)"))) }
        }
    }

    /// Copies the leader's snapshot over state.db on the thread pool (a second of checking and
    /// copying for a large state; at the loops' priority, unlike a snapshot copy: the node
    /// waits for this one) and reports it to the node.
    private func restoreState(_ index: UInt64) {
        let (snapshotPath, statePath) = (self.snapshotPath, self.statePath)
        loop.queueWork({ () -> Result<Void, StoreError> in
            do throws(StoreError) {
                try StateStore.copySnapshot(at: snapshotPath, intoStateAt: statePath, index: index)
                return .success(())
            } catch {
                return .failure(error)
            }
        }, completion: { [unowned self] result in
            let failure: StoreError?
            switch result {
            case .success?: failure = nil
            case .failure(let error)?: failure = error
            case nil: failure = .io("state restore cancelled")
            }
            self.step(.stateRestored(index: index, failure: failure))
        })
    }

    /// Closes every handle, the loop and the data folder.
    private func shutDownLoop() {
        // Probes and peers end unreported (the node is going away) and close their handles first.
        probes.shutDown()
        peers?.shutDown()
        loop.closeAllHandles()
        // uv_loop_close fails only with handles open, which closeAllHandles just ruled out.
        try? loop.close()
        checkpointer.close()
        // A copy still running keeps its connection: the process ends without it.
        if !snapshotInFlight { snapshotter.close() }
        dataDirectory?.close()
        dataDirectory = nil
    }

    /// Checkpoints state.db on the thread pool when something was applied since the last one,
    /// one at a time; the WAL stays small and the loop never copies pages or waits for a sync.
    /// Called on every tick (50 ms), not after every applied batch: each checkpoint syncs the
    /// WAL and the database file, and two syncs per write on the pool competed with the next
    /// raft.db fsync for the disk (measured: 4 syncs per single-client write, p50 1.8 ms).
    private func checkpointIfWritten() {
        guard !checkpointInFlight, let state = dataDirectory?.directory?.state, state.appliedIndex != checkpointedIndex else { return }
        checkpointInFlight = true
        let index = state.appliedIndex
        let checkpointer = self.checkpointer
        loop.queueWork({ () -> Result<Int, StoreError> in
            do throws(StoreError) {
                return .success(try checkpointer.checkpoint().walPages)
            } catch {
                return .failure(error)
            }
        }, completion: { [unowned self] result in
            self.checkpointInFlight = false
            switch result ?? .failure(.io("checkpoint cancelled")) {
            case .success(let walPages):
                self.checkpointedIndex = index
                if walPages >= StoreLimits.stateWALRestartPages { self.restartStateWAL(walPages: walPages) }
            case .failure(let error):
                // The next batch or tick tries again; the WAL only grows meanwhile.
                self.logger.warn("state.db checkpoint failed", ["error": "\(error)"])
            }
        })
    }

    /// The pool's checkpoints never caught up with a write load that has no pause: copy the
    /// rest from the loop's own connection so that the next apply starts the WAL over
    /// (`StateCheckpointer` explains why).
    private func restartStateWAL(walPages: Int) {
        guard let state = dataDirectory?.directory?.state else { return }
        do throws(StoreError) {
            let after = try state.finishCheckpoint()
            logger.debug("state.db WAL checkpointed from the loop", ["wal_pages": "\(walPages)", "checkpointed": "\(after.checkpointedPages)"])
        } catch {
            logger.warn("state.db checkpoint failed", ["error": "\(error)"])
        }
    }

    /// Listens on the server port for other servers and hands what they say to the node.
    private func startPeers() throws(AgentError) {
        let handshake = PeerHandshake(datacenter: config.datacenter, id: node.config.raftID, address: node.config.serverAddress)
        let transport = PeerTransport(
            loop: loop, handshake: handshake, logger: logger,
            onConnected: { [unowned self] remote in self.step(.peerConnected(remote)) },
            onMessage: { [unowned self] peer, message in self.step(.peer(from: peer, message)) },
            onDisconnected: { _ in },
            onUnreachable: { [unowned self] peer in self.step(.peerUnreachable(peer)) })
        do {
            try transport.listen(on: try SocketAddress(ip: config.bindAddr, port: config.ports.server))
        } catch {
            transport.shutDown()
            throw .bind("cannot listen on \(node.config.serverAddress): \(error)")
        }
        peers = transport
        logger.info("listening", ["api": "Raft peers", "address": node.config.serverAddress])
    }

    private func bindListeners() throws(AgentError) {
        let plan: [(Listener, Int)] = [(.consul, config.ports.http), (.discovery, config.ports.discovery)]
        for (index, (kind, port)) in plan.enumerated() {
            let server = HTTPServer(kind: kind, loop: loop, limits: config.limits, logger: logger.named("http"),
                                    firstConnectionID: UInt64(index) << 56) { [unowned self] id, listener, request in
                self.arrivedRequests.append(IncomingRequest(id: id, listener: listener, request: request))
            }
            server.cancel = { [unowned self] id in
                // In order: a request that arrived before its connection went away goes first.
                self.stepArrivedRequests()
                self.step(.cancel(id))
            }
            do {
                try server.listen(on: try SocketAddress(ip: config.clientAddr, port: port))
            } catch {
                throw .bind("cannot listen on \(Self.hostPort(config.clientAddr, port)): \(error)")
            }
            servers.append(server)
        }
    }

    private func startTimersAndSignals() throws(AgentError) {
        do {
            let tick = try Timer(loop: loop)
            step(.tick(monotonicMilliseconds: loop.nowMilliseconds, wallMilliseconds: WallClock.unixMilliseconds()))
            tick.start(afterMilliseconds: Self.tickMilliseconds, repeatMilliseconds: Self.tickMilliseconds) { [unowned self] in
                self.step(.tick(monotonicMilliseconds: self.loop.nowMilliseconds, wallMilliseconds: WallClock.unixMilliseconds()))
                self.checkpointIfWritten()
            }
            let second = try Timer(loop: loop)
            second.start(afterMilliseconds: 1000, repeatMilliseconds: 1000) { [unowned self] in self.everySecond() }
            let roundEnd = try Check(loop: loop)
            roundEnd.start { [unowned self] in self.stepArrivedRequests() }
            for signal in [SIGINT, SIGTERM] {
                _ = try SignalWatcher(loop: loop, signal: signal) { [unowned self] in self.stop(reason: signal == SIGINT ? "SIGINT" : "SIGTERM") }
            }
        } catch { throw .loop(error) }
    }

    /// The requests that arrived in this loop round go to the node as one input, after the
    /// round's I/O callbacks (a `Check`): under load, one round reads dozens of requests, and
    /// their writes then make one log batch and one append per follower. Until none is left:
    /// a response given while stepping lets that connection's next pipelined request arrive,
    /// and it must not wait for the next round (which may be a whole tick away).
    private func stepArrivedRequests() {
        while !arrivedRequests.isEmpty {
            let batch = arrivedRequests
            arrivedRequests.removeAll(keepingCapacity: true)
            step(.requests(batch))
        }
    }

    private func everySecond() {
        let date = WallClock.httpDateNow()
        let now = loop.nowMilliseconds
        for server in servers {
            server.httpDate = date
            server.sweepTimeouts(now: now)
        }
    }

    /// Feeds the node one input and carries out what it asks for. What it asks for before it
    /// applies committed entries is carried out at once: the next log batch's fsync (on the
    /// pool) and a follower's acknowledgements then run while this thread applies. So `perform`
    /// must not touch `node`, which is being stepped then (an exclusivity violation).
    private func step(_ input: NodeInput) {
        node.step(input, into: &outputs) { early in
            for output in early { perform(output) }
            early.removeAll(keepingCapacity: true)
        }
        guard !outputs.isEmpty else { return }
        let batch = outputs
        outputs.removeAll(keepingCapacity: true)
        for output in batch { perform(output) }
    }

    private func perform(_ output: NodeOutput) {
        switch output {
        case .respond(let id, let response):
            let index = Int(id.connection >> 56)
            servers[index].deliver(id, response)
        case .upgrade(let id, let response):
            servers[Int(id.connection >> 56)].upgrade(id, response)
        case .push(let id, let message):
            servers[Int(id.connection >> 56)].push(id, message)
        case .startProbe(let id, let spec):
            probes.start(id, spec)
        case .persist(let batch):
            logWriter.persist(batch, on: loop) { [unowned self] error in
                if let error {
                    // DESIGN.md §7: a node that cannot write its log must not go on.
                    self.logger.error("log write failed (raft.db, or the snapshot a batch installs); stopping", ["error": "\(error)"])
                    fatalError("log write failed: \(error)")
                }
                self.step(.persisted)
            }
        case .send(let peer, let message):
            peers?.send(message, to: peer)
        case .dial(let addresses):
            peers?.dial(addresses)
        case .takeSnapshot:
            takeSnapshot()
        case .restoreState(let index):
            restoreState(index)
        case .release(let memory):
            loop.queueWork({
                while memory.free(upTo: Self.releaseSliceEntries) { usleep(Self.releasePauseMicroseconds) }
            }, completion: { _ in })
        case .note(let message, let fields):
            logger.named("raft").log(.info, message, pairs: fields)
        }
    }

    /// Graceful stop: a leader hands leadership to a caught-up follower first (DESIGN.md §10,
    /// so a rolling restart costs one round trip, not an election timeout); then stop
    /// accepting, let in-flight responses go out, and end the loop.
    private func stop(reason: String) {
        guard !stopping else { return }
        stopping = true
        logger.info("shutting down", ["signal": reason])
        let wasLeader = node.raft.role == .leader
        step(.stopping)
        let started = loop.nowMilliseconds
        var draining = false
        guard let drain = try? Timer(loop: loop) else { loop.stop(); return }  // no timer: stop at once
        drain.start(afterMilliseconds: 10, repeatMilliseconds: 10) { [unowned self] in
            let now = self.loop.nowMilliseconds
            if !draining {
                // Wait for the handover (it ends within an election timeout either way).
                guard self.node.raft.role != .leader || self.node.raft.transferee == nil || now &- started > Self.handoverMilliseconds else { return }
                if wasLeader && self.node.raft.role != .leader { self.logger.info("leadership handed over", ["leader": self.node.view.leaderAddress ?? ""]) }
                draining = true
                for server in self.servers { server.shutdown() }
            }
            // Wait for connections to drain (their last responses written), at most the grace period.
            let drained = self.servers.allSatisfy { $0.connections.isEmpty }
            if drained || now &- started > Self.shutdownGraceMilliseconds { self.loop.stop() }
        }
    }

    /// A compaction's log entries are freed this many at a time on the pool, with a pause
    /// between slices (`ReleasedMemory.free(upTo:)`): a million entries take about a second.
    static let releaseSliceEntries = 1_024
    static let releasePauseMicroseconds: UInt32 = 1_000

    /// How long a stopping leader waits for a follower to take over.
    static let handoverMilliseconds: UInt64 = 3000

    /// How long a stopping agent waits for in-flight responses.
    static let shutdownGraceMilliseconds: UInt64 = 5000

    static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Why an agent could not start or run; each case says what to fix.
public enum AgentError: Error, CustomStringConvertible {
    case config(String)
    case bind(String)
    case storage(String)
    case loop(LoopError)

    public var description: String {
        switch self {
        case .config(let message): "configuration error: \(message)"
        case .bind(let message): "listener error: \(message)"
        case .storage(let message): "storage error: \(message)"
        case .loop(let error): "event loop error: \(error)"
        }
    }
}
