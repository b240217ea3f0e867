import API
import HTTP
import Raft
import Registry
import Store

// The node's consensus side: proposing and forwarding writes, linearizable reads, Raft's
// persistence, forming and joining the cluster, and what the API shows of it.
extension ServerNode {
    // MARK: Writes

    /// Proposes `command`; `waiting` is answered once it is applied (or told why it failed).
    /// A follower hands the command to its leader.
    mutating func submit(_ command: Command, waiting: PendingWrite?) {
        if let waiting, pendingWrites.count + forwardedWrites.count >= config.maxPendingWrites {
            return refuse(waiting.id, waiting.listener, .tooManyRequests, "too many writes waiting for the disk; retry later")
        }
        let time = wallMilliseconds
        let payload = LogEntryPayload.encode(command, leaderMilliseconds: time)
        if raft.role == .leader {
            guard let index = raft.propose(payload) else {
                if let waiting { refuse(waiting.id, waiting.listener, .internalServerError, "leadership is being transferred; retry") }
                return
            }
            if proposedCommands.count < config.maxPendingWrites {
                proposedCommands[index] = ProposedCommand(term: raft.term, command: command, leaderMilliseconds: time)
            }
            if var waiting {
                waiting.term = raft.term
                supersede(at: index)
                pendingWrites[index] = waiting
            }
        } else if let leader = raft.leader {
            let context = nextContext
            nextContext += 1
            if let waiting { forwardedWrites[context] = waiting }
            send(.forward(context: context, payload: payload), to: leader)
        } else if let waiting {
            refuse(waiting.id, waiting.listener, .internalServerError, Self.noLeader)
        }
    }

    /// Proposes a command no request waits for (timers, probes, this server's registration).
    mutating func propose(_ command: Command) {
        submit(command, waiting: nil)
    }

    static let noLeader = "No cluster leader"

    /// A write that waited for `index` in an older term will never see it.
    private mutating func supersede(at index: UInt64) {
        if let old = pendingWrites.removeValue(forKey: index) {
            refuse(old.id, old.listener, .internalServerError, "the write was lost in a leadership change and not applied; retry")
        }
    }

    /// The entry at `index` (of `term`) was applied with `result` (nil: it held no command).
    mutating func answerWrite(at index: UInt64, term: UInt64, result: ApplyResult?) {
        guard let waiting = pendingWrites.removeValue(forKey: index) else { return }
        if waiting.term == term, let result {
            outputs.append(.respond(waiting.id, waiting.respond(result)))
        } else {
            refuse(waiting.id, waiting.listener, .internalServerError, "the write was lost in a leadership change and not applied; retry")
        }
    }

    /// The leader took (or refused) a write this follower forwarded.
    private mutating func forwarded(context: UInt64, index: UInt64, term: UInt64) {
        guard var waiting = forwardedWrites.removeValue(forKey: context) else { return }
        guard index > 0 else { return refuse(waiting.id, waiting.listener, .internalServerError, Self.noLeader) }
        waiting.term = term
        if index <= raft.log.applied {
            // Applied before the leader's answer came: answer from what it did.
            guard let (appliedTerm, result) = recentResults.lookup(index) else {
                return refuse(waiting.id, waiting.listener, .internalServerError, "the write was applied but its result is no longer known")
            }
            supersede(at: index)
            pendingWrites[index] = waiting
            answerWrite(at: index, term: appliedTerm, result: result)
            return
        }
        supersede(at: index)
        pendingWrites[index] = waiting
    }

    /// A follower's write, on the leader.
    private mutating func forwardReceived(context: UInt64, payload: [UInt8], from peer: RaftNodeID) {
        // A payload that does not decode would stop every replica at apply: refuse it here.
        guard raft.role == .leader, payload.count > 8, (try? Command.decode(Array(payload[8...]))) != nil else {
            return send(.forwarded(context: context, index: 0, term: 0), to: peer)
        }
        // The leader's clock, not the follower's, goes into the entry (DESIGN.md §7).
        var data = payload
        for byte in 0..<8 { data[byte] = UInt8(truncatingIfNeeded: wallMilliseconds >> (8 * UInt64(byte))) }
        let index = raft.propose(data) ?? 0
        send(.forwarded(context: context, index: index, term: index > 0 ? raft.term : 0), to: peer)
    }

    /// Answers with an error: the 8761 API in its error envelope, the Consul API in plain text.
    private mutating func refuse(_ id: RequestID, _ listener: Listener, _ status: HTTPStatus, _ message: String) {
        let response = listener == .discovery ? DiscoveryAPI.failure(status, message) : HTTPResponse.text(status, message)
        outputs.append(.respond(id, response))
    }

    // MARK: Reads

    /// A request from a client: reads that must be linearizable wait for a ReadIndex round.
    mutating func receive(_ id: RequestID, _ listener: Listener, _ request: HTTPRequest) {
        let isRead = request.method == "GET" || request.method == "HEAD"
        if raft.leader == nil, cluster.bootstrapped, !isRead || Self.needsReadIndex(listener, request) {
            // An election is under way (or this server is cut off): wait a while for a leader
            // rather than fail at once, as Consul does.
            reads.awaitingLeader.append(ReadBarrier.Read(id: id, listener: listener, request: request,
                                                         deadline: monotonicMilliseconds + config.leaderHoldMilliseconds))
            return
        }
        guard Self.needsReadIndex(listener, request), !servesOwnReads, !config.unsafeSkipReadIndex else {
            return handle(id, listener, request, finalAttempt: false)
        }
        reads.queued.append(ReadBarrier.Read(id: id, listener: listener, request: request,
                                             deadline: monotonicMilliseconds + config.requestTimeoutMilliseconds))
        startReadRound()
    }

    /// A sole voter that leads and has applied all it committed in its term is up to date by
    /// definition: no round needed.
    private var servesOwnReads: Bool {
        raft.role == .leader && raft.membership.voters == [config.raftID]
            && raft.log.term(at: raft.log.committed) == raft.term && raft.log.applied >= raft.log.committed
    }

    /// Reads of replicated state without `?stale` (DESIGN.md §8: default and consistent reads
    /// are linearizable). Agent, status and metrics endpoints describe this server and answer
    /// at once, as in Consul.
    static func needsReadIndex(_ listener: Listener, _ request: HTTPRequest) -> Bool {
        guard request.method == "GET" || request.method == "HEAD", request.queryValue("stale") == nil else { return false }
        let path = request.path
        switch listener {
        case .consul:
            return path.hasPrefix("/v1/catalog/") || path.hasPrefix("/v1/health/") || path.hasPrefix("/v1/kv/")
                || path.hasPrefix("/v1/session/") || path.hasPrefix("/v1/event/list")
        case .discovery:
            return (path.hasPrefix("/api/v1/services") || path.hasPrefix("/api/v1/health") || path.hasPrefix("/api/v1/config/"))
                && !path.hasPrefix("/api/v1/config/watch/")
        }
    }

    mutating func startReadRound() {
        guard reads.round == nil, !reads.queued.isEmpty else { return }
        let context = nextContext
        nextContext += 1
        guard raft.read(context: context) else {
            let waiting = reads.queued
            reads.queued = []
            for read in waiting { refuse(read.id, read.listener, .internalServerError, Self.noLeader) }
            return
        }
        reads.round = (context, monotonicMilliseconds, reads.queued)
        reads.queued = []
    }

    private mutating func readConfirmed(_ state: ReadState) {
        guard let round = reads.round, round.context == state.context else { return }
        reads.round = nil
        reads.confirmed.append((state.index, round.reads))
        startReadRound()
    }

    /// Serves the confirmed reads whose index the state machine has reached.
    private mutating func serveConfirmedReads() {
        // While the leader's snapshot waits to be installed, the store is behind the log.
        guard restoring == nil else { return }
        while let first = reads.confirmed.first, first.index <= raft.log.applied {
            reads.confirmed.removeFirst()
            for read in first.reads { handle(read.id, read.listener, read.request, finalAttempt: false) }
        }
    }

    /// Fails writes and reads that waited too long, and restarts a read round that got no
    /// answer (its leader died or the message was lost).
    mutating func expireRequests() {
        let now = monotonicMilliseconds
        // Filtered before sorting: this runs every tick, and thousands of writes may be waiting.
        for (index, waiting) in pendingWrites.filter({ $0.value.deadline <= now }).sorted(by: { $0.key < $1.key }) {
            pendingWrites[index] = nil
            refuse(waiting.id, waiting.listener, .internalServerError, "timed out waiting for the write to commit; it may or may not have been applied")
        }
        for (context, waiting) in forwardedWrites.filter({ $0.value.deadline <= now }).sorted(by: { $0.key < $1.key }) {
            forwardedWrites[context] = nil
            refuse(waiting.id, waiting.listener, .internalServerError, "timed out waiting for the leader; the write may or may not have been applied")
        }
        for (context, waiting) in forwardedOperations.filter({ $0.value.deadline <= now }).sorted(by: { $0.key < $1.key }) {
            forwardedOperations[context] = nil
            outputs.append(.respond(waiting.id, waiting.respond("timed out waiting for the leader")))
        }
        if let round = reads.round, now >= round.started + 2 * config.tickMilliseconds * 20 {
            reads.round = nil
            reads.queued = round.reads + reads.queued
        }
        let lapsed = reads.awaitingLeader.filter { $0.deadline <= now }
        reads.awaitingLeader.removeAll { $0.deadline <= now }
        for request in lapsed { refuse(request.id, request.listener, .internalServerError, Self.noLeader) }
        let expired = reads.queued.filter { $0.deadline <= now }
        reads.queued.removeAll { $0.deadline <= now }
        for read in expired { refuse(read.id, read.listener, .internalServerError, Self.noLeader) }
        startReadRound()
    }

    // MARK: Raft's output

    /// Takes every Ready the core has: installs a snapshot, applies committed entries, sends
    /// messages (a leader's at once; others' once the batch they acknowledge is durable), and
    /// queues what must reach `raft.db`.
    mutating func drainRaft(beforeApplying: (inout [NodeOutput]) -> Void) {
        repeat {
            while raft.hasReady {
                let ready = raft.ready()
                var batch = PersistBatch(hardState: durableHardState(ready), entries: ready.entries)
                if let snapshot = ready.snapshot { beginInstall(snapshot, into: &batch) }
                let needsDisk = batch.hardState != nil || !batch.entries.isEmpty || batch.compaction != nil || batch.truncateFrom != nil
                // A leader's messages acknowledge nothing of its own disk: they may leave while
                // it writes (thesis §10.2.1), and before it applies. Everyone else's wait for
                // what they acknowledge.
                let sendNow = raft.role == .leader || (!needsDisk && disk.isEmpty)
                if sendNow { for message in ready.messages { send(.raft(message), to: message.to) } }
                if restoring != nil {
                    restoring!.entries += ready.committed
                } else {
                    if !ready.committed.isEmpty && !outputs.isEmpty { beforeApplying(&outputs) }
                    apply(ready.committed)
                }
                for state in ready.readStates { readConfirmed(state) }
                if needsDisk {
                    disk.enqueue(batch, ready: ready, held: sendNow ? [] : ready.messages)
                } else {
                    raft.advance(ready)
                    if !sendNow { disk.hold(ready.messages) }
                }
            }
            clusterChanged()
        } while raft.hasReady
        compactIfDue()
        serveConfirmedReads()
        if let batch = disk.startNext() { outputs.append(.persist(batch)) }
    }

    /// The hard state to write with this Ready: a new term or vote must be durable before the
    /// Ready's messages go out; a commit index alone need not (a restart learns it again from the
    /// leader, and the state store's applied index bounds it from below), so it rides along
    /// with the next entries instead of costing an fsync per write.
    private mutating func durableHardState(_ ready: Ready) -> HardState? {
        guard let state = ready.hardState else { return nil }
        guard state.term != cluster.writtenTerm || state.vote != cluster.writtenVote || !ready.entries.isEmpty else { return nil }
        cluster.writtenTerm = state.term
        cluster.writtenVote = state.vote
        return state
    }

    /// The batch in flight is durable: the core learns it, and the messages that waited go.
    mutating func persisted() {
        let done = disk.finish()
        if let batch = disk.startNext() { outputs.append(.persist(batch)) }
        for ready in done.readies { raft.advance(ready) }
        for message in done.held { send(.raft(message), to: message.to) }
        if let pending = restoring, !pending.copying, let compaction = done.batch.compaction, compaction.index >= pending.index {
            restoring!.copying = true
            outputs.append(.restoreState(index: pending.index))
        }
    }

    /// The leader's snapshot arrived. It goes to the disk with this batch: whoever makes the
    /// batch durable writes the snapshot file (durably) first, then the log's new starting
    /// point to `raft.db` (`PersistBatch.writeInstalledSnapshot`); only once that is durable
    /// is the state replaced, off the loop (`.restoreState`), and then read back here
    /// (`stateRestored`). A crash in between finds a log that starts at the snapshot and a
    /// state behind it, which start-up restores from the file; the other order would leave a
    /// state ahead of a log that does not know the snapshot's term. The loop never waits for
    /// the file's some 200 MB: writing, syncing and copying them held it for seconds, and a
    /// follower that cannot answer a vote for seconds can stall an election.
    private mutating func beginInstall(_ snapshot: RaftSnapshot, into batch: inout PersistBatch) {
        batch.compaction = LogCompaction(index: snapshot.index, term: snapshot.term, membership: snapshot.membership, checksum: 0,
                                         installing: snapshot.data)
        if raft.log.lastIndex == snapshot.index { batch.truncateFrom = snapshot.index + 1 }
        cluster.installs += 1
        restoring = (snapshot.index, false, [])
    }

    /// The state store holds the leader's snapshot: read it back, then apply what was committed
    /// after it meanwhile. A report for an install a newer one overtook is ignored; that one
    /// asks for its own copy once its batch is durable.
    mutating func stateRestored(index: UInt64, failure: StoreError?) {
        guard let pending = restoring, pending.copying, pending.index == index else { return }
        restoring = nil
        do {
            if let failure { throw failure }
            try store.reloadAfterRestore()
        } catch {
            // DESIGN.md §7: a replica that cannot take the leader's state must not go on.
            fatalError("cannot install the leader's snapshot at index \(pending.index): \(error)")
        }
        outputs.append(.note("installed the leader's snapshot", [("index", String(pending.index))]))
        // Everything may have changed: drop what was derived from the old state. Proposals at
        // or below the snapshot will not be applied one by one.
        proposedCommands = proposedCommands.filter { $0.key > pending.index }
        cache.removeAll()
        discoveryCache.removeAll()
        for id in parked.keys.sorted() {
            waiters.remove(id)
            rerun(id, finalAttempt: false)
        }
        if started { restartLocalDuties() }
        apply(pending.entries)
    }

    /// Asks for a snapshot once enough entries were applied since the last, so the log (in
    /// memory and in `raft.db`) stays bounded; followers too far behind get the snapshot instead.
    ///
    /// The least time between two is drawn anew each time between the configured interval and
    /// twice it, as Consul staggers its snapshots: servers that apply the same entries would
    /// otherwise all copy their state at the same moment, every interval, and a copy of a large
    /// catalog takes a core and the disk for a second or more.
    private mutating func compactIfDue() {
        guard !snapshotRequest.asked, restoring == nil, raft.log.applied >= raft.log.snapshotIndex + config.snapshotThreshold,
              monotonicMilliseconds >= cluster.lastSnapshotAsked + cluster.snapshotGap || cluster.lastSnapshotAsked == 0 else { return }
        cluster.lastSnapshotAsked = max(1, monotonicMilliseconds)
        let interval = config.snapshotIntervalMilliseconds
        cluster.snapshotGap = interval + (interval > 0 ? UInt64.random(in: 0..<interval, using: &random) : 0)
        snapshotRequest.asked = true
        snapshotRequest.installs = cluster.installs
        outputs.append(.takeSnapshot)
    }

    /// The shell copied the state: compact the log to that point.
    mutating func snapshotTaken(_ taken: SnapshotTaken?) {
        snapshotRequest.asked = false
        guard let taken, snapshotRequest.installs == cluster.installs else { return }
        let index = taken.index
        guard index > raft.log.snapshotIndex, index <= raft.log.applied, let term = raft.log.term(at: index) else { return }
        outputs.append(.release(ReleasedMemory(raft.compact(through: index, data: taken.data))))
        outputs.append(.note("snapshot taken; log compacted", [("index", String(index)), ("bytes", String(taken.data.count))]))
        guard let membership = raft.latestSnapshot?.membership else { return }
        disk.enqueue(PersistBatch(compaction: LogCompaction(index: index, term: term, membership: membership, checksum: taken.checksum)),
                     ready: nil, held: [])
    }

    // MARK: Peers

    mutating func send(_ message: PeerMessage, to peer: RaftNodeID) {
        outputs.append(.send(to: peer, message))
    }

    mutating func peerConnected(_ handshake: PeerHandshake) {
        cluster.connected[handshake.id] = handshake.address
        send(.status(status), to: handshake.id)
    }

    mutating func received(_ message: PeerMessage, from peer: RaftNodeID) {
        cluster.lastHeard[peer] = monotonicMilliseconds
        switch message {
        case .raft(let raftMessage):
            guard raftMessage.from == peer else { return }
            switch raftMessage.body {
            case .append, .heartbeat, .snapshot: cluster.leaderContact = monotonicMilliseconds
            default: break
            }
            raft.step(raftMessage)
        case .status(let status):
            cluster.statuses[peer] = status
            cluster.statusVersion &+= 1
            if cluster.connected[peer] == nil { cluster.connected[peer] = status.address }
            // A server with a log that is no longer a member (removed while it was down, or by
            // an operator while it ran) is added back, as Consul's leader re-adds live servers.
            if status.bootstrapped, raft.role == .leader, !raft.membership.members.contains(peer) {
                join(peer, address: status.address)
            }
        case .forward(let context, let payload):
            forwardReceived(context: context, payload: payload, from: peer)
        case .forwarded(let context, let index, let term):
            forwarded(context: context, index: index, term: term)
        case .join(let address):
            join(peer, address: address)
        case .operate(let context, let operation):
            send(.operated(context: context, failure: operate(operation)), to: peer)
        case .operated(let context, let failure):
            if let waiting = forwardedOperations.removeValue(forKey: context) {
                outputs.append(.respond(waiting.id, waiting.respond(failure)))
            }
        }
    }

    private var status: PeerStatus {
        PeerStatus(bootstrapped: cluster.bootstrapped, leader: raft.leader, term: raft.term,
                   nodeName: config.identity.nodeName, address: config.serverAddress, nodeID: config.identity.nodeID)
    }

    // MARK: Forming and joining

    /// The first tick: a lone server with an empty log forms its own cluster, and a sole
    /// voter leads at once instead of waiting out an election timeout.
    mutating func firstTick() {
        if !cluster.bootstrapped, config.bootstrapExpect == 1, config.retryJoin.isEmpty {
            bootstrap([config.raftID: config.serverAddress])
        }
        if raft.membership.voters == [config.raftID] { raft.campaignNow() }
    }

    /// Writes the first entry of a new cluster: its membership. Every server that bootstraps
    /// with the same servers writes the same entry, so their logs agree from the start.
    private mutating func bootstrap(_ servers: [RaftNodeID: String]) {
        let membership = Membership(voters: Array(servers.keys), addresses: servers)
        let entry = RaftEntry(index: 1, term: 1, kind: .membership, data: membership.encoded)
        raft = RaftNode(config: RaftConfig(id: config.raftID, voters: []), log: RaftLog(entries: [entry]),
                        hardState: raft.hardState, seed: random.next())
        disk.enqueue(PersistBatch(entries: [entry]), ready: nil, held: [])
        cluster.bootstrapped = true
        outputs.append(.note("formed a new cluster", [("servers", servers.values.sorted().joined(separator: ","))]))
        broadcastStatus()
        if membership.voters == [config.raftID] { raft.campaignNow() }
    }

    /// Each tick: bootstrap once the servers it waits for see each other, ask to join a cluster
    /// that exists, and (as leader) promote learners that caught up.
    mutating func clusterTick() {
        if !cluster.bootstrapped { formationTick() }
        if raft.role == .leader {
            for learner in raft.membership.learners {
                guard let match = raft.matchIndex(of: learner), match >= raft.log.committed else { continue }
                _ = raft.proposeMembership(.promote(learner))
                break
            }
            removeDeadServer()
            livenessTick()
        }
    }

    /// A server with an empty log: form a new cluster, ask to join the one that exists (at most
    /// once a second), or keep waiting, as `ClusterFormation` decides.
    private mutating func formationTick() {
        let live = cluster.statuses.filter { cluster.connected[$0.key] != nil }
        switch ClusterFormation.decide(config, live: live, lastHeard: cluster.lastHeard) {
        case .wait:
            break
        case .join(let peers):
            guard monotonicMilliseconds >= cluster.lastJoinRequest + 1000 else { return }
            cluster.lastJoinRequest = monotonicMilliseconds
            for peer in peers { send(.join(address: config.serverAddress), to: peer) }
        case .bootstrap(let servers):
            precondition(servers[config.raftID] == config.serverAddress, "a new cluster always holds the server that forms it")
            bootstrap(servers)
        }
    }

    /// Autopilot's dead-server clean-up: a voter silent for `deadServerMilliseconds` is removed,
    /// one at a time, only while the voters left number at least `minimumVoters` and those heard
    /// from recently are a majority of them. A leader that just took over first gives everyone
    /// that long to be heard.
    private mutating func removeDeadServer() {
        let now = monotonicMilliseconds
        let voters = raft.membership.voters
        guard voters.count > config.minimumVoters else { return }
        func silent(_ id: RaftNodeID) -> Bool {
            id != config.raftID && now >= max(cluster.lastHeard[id] ?? 0, cluster.leadingSince) + config.deadServerMilliseconds
        }
        guard let dead = voters.first(where: silent) else { return }
        let remaining = voters.filter { $0 != dead }
        let alive = remaining.filter { !silent($0) }
        guard alive.count >= remaining.count / 2 + 1 else { return }
        _ = raft.proposeMembership(.remove(dead))
    }

    /// A server asks to be added. A member with the same address and another ID is an old
    /// incarnation of it (its data folder was lost): that one is removed first.
    private mutating func join(_ peer: RaftNodeID, address: String) {
        guard raft.role == .leader else { return }
        let membership = raft.membership
        guard !membership.members.contains(peer) else { return }
        if let old = membership.members.first(where: { membership.addresses[$0] == address && $0 != config.raftID }) {
            _ = raft.proposeMembership(.remove(old))
            return
        }
        _ = raft.proposeMembership(.addLearner(peer, address: address))
    }

    // MARK: Operator

    /// Carries out an operator request on the leader; nil when under way, else why not.
    mutating func operate(_ operation: RaftOperation) -> String? {
        guard raft.role == .leader else {
            let leader = view.leaderAddress.map { "; the leader is \($0)" } ?? ""
            return "Raft operations must go to the leader\(leader)"
        }
        let membership = raft.membership
        switch operation {
        case .transferLeader(let id):
            guard let id else {
                handOverLeadership()
                return raft.transferee == nil ? "no other voter to hand leadership to" : nil
            }
            let target = ServerConfig.raftID(fromNodeID: id)
            guard membership.voters.contains(target), target != config.raftID else { return "cannot find a voter with ID \(id) to hand leadership to" }
            return raft.transferLeadership(to: target) ? nil : "cannot hand leadership to \(id)"
        case .removePeer(let id, let address):
            let target: RaftNodeID?
            if let id {
                let wanted = ServerConfig.raftID(fromNodeID: id)
                target = membership.members.first { $0 == wanted }
            } else {
                target = membership.members.first { membership.addresses[$0] == address || (address == config.serverAddress && $0 == config.raftID) }
            }
            guard let target else { return "address \"\(address ?? id ?? "")\" was not found in the Raft configuration" }
            guard raft.proposeMembership(.remove(target)) != nil else {
                return "cannot remove that server now: another membership change is still being committed, or it is the last voter"
            }
            return nil
        }
    }

    /// Hands leadership to the voter that holds the most of the log (the process is stopping).
    mutating func handOverLeadership() {
        guard raft.role == .leader else { return }
        let candidates = raft.membership.voters.filter { $0 != config.raftID }
        guard let target = candidates.max(by: { (raft.matchIndex(of: $0) ?? 0, $1) < (raft.matchIndex(of: $1) ?? 0, $0) }) else { return }
        raft.transferLeadership(to: target)
    }

    private mutating func broadcastStatus() {
        let current = status
        for peer in cluster.connected.keys.sorted() { send(.status(current), to: peer) }
    }

    /// After the core moved: start this server's duties once it knows a leader, register it
    /// with each new leader, arm the leader's session timers, and bring the view and the peer
    /// connections up to date.
    private mutating func clusterChanged() {
        if !cluster.bootstrapped, raft.log.lastIndex > 0 { cluster.bootstrapped = true }
        noteChanges()
        if raft.leader != cluster.leader {
            if let former = cluster.leader { cluster.formerLeader = former }
            cluster.leader = raft.leader
            // What was handed to the old leader may never be answered: fail it now, so the
            // client retries at once instead of waiting out its timeout. (The write may still
            // commit; the message says so.)
            for (context, waiting) in forwardedWrites.sorted(by: { $0.key < $1.key }) {
                forwardedWrites[context] = nil
                refuse(waiting.id, waiting.listener, .internalServerError, "the leader changed while the write was forwarded; it may or may not have been applied")
            }
            if let round = reads.round {
                reads.round = nil
                reads.queued = round.reads + reads.queued
            }
            if raft.leader != nil, !reads.awaitingLeader.isEmpty {
                let held = reads.awaitingLeader
                reads.awaitingLeader = []
                for request in held { receive(request.id, request.listener, request.request) }
            }
            if raft.leader != nil {
                let first = !started
                if !started { start() }
                // This server's node, `consul` service and serfHealth, as Consul servers have.
                propose(.catalogRegister(SelfRegistration.make(config)))
                // Then, once, what the configuration file defines (the node must exist first).
                if first { for command in config.localRegistrations { propose(command) } }
            }
            broadcastStatus()
        }
        let leads = raft.role == .leader
        if leads && !cluster.wasLeader { cluster.leadingSince = monotonicMilliseconds }
        if leads && !cluster.wasLeader && started {
            // A new leader restarts every session timer in full, as Consul does.
            timers.restart(store: store, nodes: ownedNodes, now: monotonicMilliseconds)
        }
        cluster.wasLeader = leads
        // This runs after every input: rebuild the view and the dial set only when what they
        // are made of changed (a leader's stays the same write after write).
        let inputs = ClusterState.ViewInputs(
            role: raft.role, leader: raft.leader, term: raft.term, membership: raft.membership,
            statuses: cluster.statusVersion, caughtUp: leads || raft.log.applied >= raft.log.committed,
            contact: leads ? 0 : monotonicMilliseconds &- cluster.leaderContact)
        guard inputs != cluster.viewInputs else { return }
        let membershipChanged = inputs.membership != cluster.viewInputs?.membership
        cluster.viewInputs = inputs
        refreshView()
        guard membershipChanged || cluster.dialed == nil else { return }
        let wanted = Array(Set(config.seedAddresses + raft.membership.members.filter { $0 != config.raftID }.compactMap { raft.membership.addresses[$0] })
            .subtracting([config.serverAddress])).sorted()
        if cluster.dialed != wanted {
            cluster.dialed = wanted
            outputs.append(.dial(wanted))
        }
    }

    /// Leadership and membership changes, for the operator's log.
    private mutating func noteChanges() {
        let membership = raft.membership
        func names(_ ids: [RaftNodeID]) -> String {
            ids.map { $0 == config.raftID ? config.serverAddress : membership.addresses[$0] ?? String($0, radix: 16) }.joined(separator: ",")
        }
        if raft.leader != cluster.leader {
            if let leader = raft.leader {
                let address = leader == config.raftID ? config.serverAddress : membership.addresses[leader] ?? String(leader, radix: 16)
                outputs.append(.note(leader == config.raftID ? "this server leads" : "following a leader",
                                     [("leader", address), ("term", String(raft.term))]))
            } else {
                outputs.append(.note("no known leader", [("term", String(raft.term))]))
            }
        }
        if cluster.bootstrapped, membership != cluster.notedMembership {
            cluster.notedMembership = membership
            outputs.append(.note("membership", [("voters", names(membership.voters)), ("learners", names(membership.learners))]))
        }
        if raft.role != cluster.notedRole {
            cluster.notedRole = raft.role
            if raft.role == .candidate { outputs.append(.note("election started", [("term", String(raft.term))])) }
        }
    }

    /// Re-reads this server's checks after the state was replaced wholesale.
    private mutating func restartLocalDuties() {
        refreshOwnership(restart: true)
    }

    private mutating func refreshView() {
        var next = view
        let membership = raft.membership
        func address(_ id: RaftNodeID) -> String { id == config.raftID ? config.serverAddress : membership.addresses[id] ?? "" }
        switch raft.role {
        case .leader: next.raftState = "Leader"
        case .candidate, .preCandidate: next.raftState = "Candidate"
        case .follower: next.raftState = "Follower"
        }
        next.leaderAddress = raft.leader.map(address)
        next.peers = membership.voters.map(address).sorted()
        next.lastContactMilliseconds = raft.role == .leader ? 0 : Int(clamping: monotonicMilliseconds &- cluster.leaderContact)
        if raft.leader == nil { next.lastContactMilliseconds = 0 }
        next.isCaughtUp = raft.role == .leader || raft.log.applied >= raft.log.committed
        next.servers = membership.members.map { id in
            let isSelf = id == config.raftID
            let hex = String(id, radix: 16)
            // Every server shows each one by its node ID, as Consul does; a peer not heard from
            // since this server started shows its Raft ID until its status arrives.
            let known = cluster.statuses[id].map(\.nodeID).flatMap { $0.isEmpty ? nil : $0 }
            return NodeView.RaftServer(
                id: isSelf ? config.identity.nodeID : known ?? String(repeating: "0", count: max(0, 16 - hex.count)) + hex,
                node: isSelf ? config.identity.nodeName : cluster.statuses[id]?.nodeName ?? address(id),
                address: address(id), leader: raft.leader == id, voter: membership.voters.contains(id))
        }
        if next != view { view = next }
    }
}
