/// Fixed facts about one server's consensus core.
public struct RaftConfig: Sendable {
    public var id: RaftNodeID
    /// The voters the cluster starts with (before any membership entry); a server joining an
    /// existing cluster is not among them and learns the membership from the log.
    public var voters: [RaftNodeID]
    /// Election timeout in ticks, drawn anew in this range for every election: 1.0-1.5 s at
    /// 50 ms ticks (DESIGN.md §5 says 20-40; README's architecture section gives the reason).
    public var electionTicks: ClosedRange<Int> = 20...30
    /// Heartbeat interval in ticks.
    public var heartbeatTicks = 2
    /// Pre-vote (thesis §9.6): a server that was cut off asks before it raises its term, so it
    /// cannot depose a healthy leader when it comes back.
    public var preVote = true
    /// A leader that has not heard from a majority within an election timeout steps down.
    public var checkQuorum = true
    /// How long a snapshot sent to a follower is waited for, in ticks (10 s at 50 ms): until it
    /// answers, or this passes, the leader does not send it again on answers to what went
    /// before it (they are stale: a rejection of an earlier append re-sent the whole snapshot,
    /// up to once per append in flight), and counts the follower as heard from for
    /// check-quorum (it says nothing while it receives and writes a large one: 5 s for 445 MB
    /// here; a leader whose majority needed it stepped down, was elected again, had compacted
    /// further meanwhile and sent another, for 13 s in all). A snapshot lost on the way is
    /// sent again after it.
    public var snapshotGraceTicks = 200
    /// Most entries in one append message.
    public var maxEntriesPerAppend = 512
    /// Appends sent to a follower and not yet answered (pipelining), at most.
    public var maxInflightAppends = 4
    /// A follower told that its leader is gone (`leaderUnreachable`) campaigns after this many
    /// ticks, drawn anew each time, instead of waiting out its election timeout. A range, so
    /// that the followers of a dead leader, told at about the same moment, seldom campaign in
    /// step and split the vote.
    public var unreachableLeaderTicks: ClosedRange<Int> = 1...4

    public init(id: RaftNodeID, voters: [RaftNodeID]) {
        self.id = id
        self.voters = voters.sorted()
    }
}

/// What the shell must do after the core moved: persist `hardState` (if set) and `entries`
/// with one fsync, then send `messages`, then apply `committed` in order, then call
/// `advance(_:)` with this value.
public struct Ready: Sendable, Equatable {
    public var hardState: HardState?
    public var entries: [RaftEntry]
    public var messages: [RaftMessage]
    public var committed: [RaftEntry]
    /// Reads confirmed since the last Ready (serve each once `index` is applied).
    public var readStates: [ReadState]
    /// A snapshot from the leader to restore the state machine from, before applying
    /// `committed` (which then follows it).
    public var snapshot: RaftSnapshot?

    public var isEmpty: Bool {
        hardState == nil && entries.isEmpty && messages.isEmpty && committed.isEmpty && readStates.isEmpty && snapshot == nil
    }
}

/// A read waiting for a majority to confirm this server still leads.
struct PendingRead: Sendable, Equatable {
    var context: UInt64
    /// Who asked: this server, or a follower to answer with `readIndexResponse`.
    var requester: RaftNodeID
    var index: UInt64
    /// The confirmation round it waits for; an answer to that round or a later one counts.
    var round: UInt64
    var acks: Set<RaftNodeID>
}

/// A server's view of one follower, kept by the leader.
struct Progress: Sendable, Equatable {
    /// The next index to send.
    var next: UInt64
    /// The highest index known replicated on it.
    var match: UInt64 = 0
    /// Appends carrying entries sent and not yet answered.
    var inflight = 0
    /// Whether it answered since the last quorum check.
    var recentActive = false
    /// `match` when the previous heartbeat was answered: appends outstanding and no progress
    /// over a whole heartbeat round means they were lost.
    var matchAtLastHeartbeat: UInt64 = 0
    /// A snapshot sent and not yet acknowledged (`RaftConfig.snapshotGraceTicks`).
    var snapshotSent: SentSnapshot?
}

/// A snapshot's index, and the leader's tick count when it went out.
struct SentSnapshot: Sendable, Equatable {
    var index: UInt64
    var at: Int
}

/// The consensus core: deterministic, no clock (time is `tick()`), no I/O (messages and
/// entries leave through `ready()`), randomness from a seed. Raft as the paper and thesis give
/// it, with pre-vote, check-quorum and pipelined appends; membership changes, snapshots,
/// ReadIndex and leadership transfer come on top of this.
public struct RaftNode: Sendable {
    public let config: RaftConfig
    public private(set) var log: RaftLog
    public private(set) var term: UInt64
    public private(set) var vote: RaftNodeID?
    public private(set) var role: RaftRole = .follower
    public private(set) var leader: RaftNodeID?
    /// The membership in force: the latest membership entry in the log, else the configured one.
    public private(set) var membership: Membership {
        didSet { refreshPeers() }
    }
    /// The index of the entry that set it (0: the configured one).
    private var membershipIndex: UInt64 = 0
    /// The membership as of the compaction point, when the log no longer holds its entry.
    private var baseMembership: Membership?
    /// The latest snapshot this server made or restored: what a follower that needs compacted
    /// entries is sent.
    public private(set) var latestSnapshot: RaftSnapshot?
    /// A snapshot received and not yet handed to the application.
    private var snapshotToRestore: RaftSnapshot?

    private var electionElapsed = 0
    private var heartbeatElapsed = 0
    /// Ticks since this server started (for `Progress.snapshotSent`).
    private var ticks = 0
    private var electionTimeout: Int
    private var granted: Set<RaftNodeID> = []
    private var refused: Set<RaftNodeID> = []
    private(set) var progress: [RaftNodeID: Progress] = [:]
    private var outbox: [RaftMessage] = []
    /// Proposals were appended since the last Ready: it sends them (`propose`).
    private var appendsPending = false
    /// The hard state last handed out to persist.
    private var handedOutHardState: HardState
    private var random: UInt64
    /// ReadIndex: the last confirmation round started, reads waiting for one, reads waiting for
    /// a commit in this term, and reads confirmed.
    private var readRound: UInt64 = 0
    private var pendingReads: [PendingRead] = []
    private var readsAwaitingTermCommit: [(context: UInt64, requester: RaftNodeID)] = []
    private var readStates: [ReadState] = []
    /// The follower leadership is being handed to, and ticks since the transfer began.
    public private(set) var transferee: RaftNodeID?
    private var transferElapsed = 0

    /// `snapshotMembership`: the membership in force at the log's snapshot point, when it starts
    /// at one (a restart after compaction).
    public init(config: RaftConfig, log: RaftLog, hardState: HardState, seed: UInt64, snapshotMembership: Membership? = nil) {
        self.config = config
        self.log = log
        term = hardState.term
        vote = hardState.vote
        self.log.committed = max(self.log.committed, min(hardState.commit, self.log.lastIndex))
        handedOutHardState = hardState
        random = Self.scramble(seed)
        membership = Membership(voters: config.voters)
        electionTimeout = config.electionTicks.lowerBound
        electionTimeout = drawElectionTimeout()
        baseMembership = snapshotMembership
        recomputeMembership()
        refreshPeers()
    }

    /// Takes the membership from the latest membership entry in the log (after a truncation or
    /// an append that carried one), else the configured voters.
    private mutating func recomputeMembership() {
        var index = log.lastIndex
        while index >= log.firstIndex, index > 0 {
            if let entry = log.entries(from: index, through: index).first, entry.kind == .membership,
               let decoded = Membership.decode(entry.data) {
                membership = decoded
                membershipIndex = index
                return
            }
            index -= 1
        }
        membership = baseMembership ?? Membership(voters: config.voters)
        membershipIndex = log.snapshotIndex
    }

    private var isVoter: Bool { membership.voters.contains(config.id) }

    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    private var quorum: Int { membership.quorum }
    /// Everyone the leader replicates to. Kept with the membership (`refreshPeers`), not
    /// derived on each use: every proposal walks it, and deriving it sorted and filtered the
    /// members anew each time (about 3% of a leader's loop under registrations).
    private var peers: [RaftNodeID] = []
    /// The other voters: who is asked for votes and whose answers count.
    private var voterPeers: [RaftNodeID] = []

    private mutating func refreshPeers() {
        peers = membership.members.filter { $0 != config.id }
        voterPeers = membership.voters.filter { $0 != config.id }
    }

    // MARK: Time

    /// One tick of the shell's clock.
    public mutating func tick() {
        ticks += 1
        electionElapsed += 1
        switch role {
        case .leader:
            if transferee != nil {
                transferElapsed += 1
                // A transfer that did not happen within an election timeout is abandoned.
                if transferElapsed >= config.electionTicks.lowerBound { transferee = nil }
            }
            heartbeatElapsed += 1
            if heartbeatElapsed >= config.heartbeatTicks {
                heartbeatElapsed = 0
                broadcastHeartbeat()
            }
            if config.checkQuorum && electionElapsed >= config.electionTicks.lowerBound {
                electionElapsed = 0
                let active = (isVoter ? 1 : 0) + voterPeers.filter { peer in
                    guard let state = progress[peer] else { return false }
                    return state.recentActive || awaitsSnapshot(state)
                }.count
                for peer in peers { progress[peer]?.recentActive = false }
                if active < quorum { becomeFollower(term: term, leader: nil) }
            }
        case .follower, .preCandidate, .candidate:
            // Learners and removed servers never campaign.
            if electionElapsed >= electionTimeout && isVoter { campaign() }
        }
    }

    /// The shell found `peer` gone: its address refused a connection (nothing listens there
    /// any more: the process died). If `peer` is this follower's leader, the follower forgets
    /// it, so that it grants pre-votes and votes at once, and campaigns within
    /// `unreachableLeaderTicks` instead of a whole election timeout.
    ///
    /// Only liveness rests on it: campaigning is always safe in Raft. A leader that is in fact
    /// alive loses nothing: the other followers, still hearing from it, refuse the pre-vote
    /// (leader stickiness), so no term is raised, and its next heartbeat makes this server its
    /// follower again.
    public mutating func leaderUnreachable(_ peer: RaftNodeID) {
        guard role == .follower, leader == peer, isVoter else { return }
        leader = nil
        let span = UInt64(config.unreachableLeaderTicks.count)
        let wait = config.unreachableLeaderTicks.lowerBound + Int(nextRandom() % span)
        electionTimeout = min(electionTimeout, electionElapsed + wait)
    }

    /// The generator's first state: SplitMix64's first draw from `seed`, a bijection of it, so
    /// different seeds start different streams (`seed | 1` made seeds 2k and 2k+1 twins, which
    /// in a lockstep test drew the same timeouts forever and split every vote). Xorshift needs a
    /// non-zero state; the one seed that scrambles to 0 starts at 1.
    static func scramble(_ seed: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: seed)
        let z = generator.next()
        return z == 0 ? 1 : z
    }

    /// A random election timeout in the configured range (xorshift64: deterministic per seed).
    private mutating func drawElectionTimeout() -> Int {
        let span = UInt64(config.electionTicks.count)
        return config.electionTicks.lowerBound + Int(nextRandom() % span)
    }

    /// The next xorshift64 value.
    private mutating func nextRandom() -> UInt64 {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return random
    }

    // MARK: Roles

    private mutating func broadcastHeartbeat() {
        for peer in peers {
            send(to: peer, term: term, .heartbeat(commit: min(log.committed, progress[peer]?.match ?? 0), round: readRound))
        }
    }

    private mutating func becomeFollower(term newTerm: UInt64, leader newLeader: RaftNodeID?) {
        if newTerm > term {
            term = newTerm
            vote = nil
        }
        role = .follower
        leader = newLeader
        resetTimers()
        progress = [:]
        transferee = nil
        // Reads this server was confirming as leader cannot be confirmed any more; their
        // requesters time out and retry.
        pendingReads = []
        readsAwaitingTermCommit = []
    }

    private mutating func resetTimers() {
        electionElapsed = 0
        heartbeatElapsed = 0
        electionTimeout = drawElectionTimeout()
        granted = []
        refused = []
    }

    /// Starts an election: a pre-vote round first when configured.
    private mutating func campaign() {
        if config.preVote {
            role = .preCandidate
            leader = nil
            resetTimers()
            granted = [config.id]
            if granted.count >= quorum { return startElection() }
            for peer in voterPeers {
                send(to: peer, term: term + 1, .preVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm))
            }
        } else {
            startElection()
        }
    }

    private mutating func startElection(transfer: Bool = false) {
        term += 1
        vote = config.id
        role = .candidate
        leader = nil
        resetTimers()
        granted = [config.id]
        if granted.count >= quorum { return becomeLeader() }
        for peer in voterPeers {
            send(to: peer, term: term, .requestVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm, transfer: transfer))
        }
    }

    private mutating func becomeLeader() {
        role = .leader
        leader = config.id
        resetTimers()
        progress = [:]
        transferee = nil
        for peer in peers { progress[peer] = Progress(next: log.lastIndex + 1, recentActive: true) }
        // An entry of its own term: committing it commits everything before it (§5.4.2), and
        // tells the leader the commit index before it serves reads.
        log.appendLocal(RaftEntry(index: log.lastIndex + 1, term: term, kind: .noop))
        for peer in peers { sendAppend(to: peer) }
        maybeCommit()
    }

    // MARK: Proposals

    /// Appends a command if this server leads; returns its index, or nil when it does not.
    public mutating func propose(_ data: [UInt8]) -> UInt64? {
        // During a transfer new writes wait (the caller retries on the next leader), so the
        // transferee can catch up and take over.
        guard role == .leader, transferee == nil else { return nil }
        let index = log.lastIndex + 1
        log.appendLocal(RaftEntry(index: index, term: term, kind: .command, data: data))
        // Sent with the next Ready, not here: the proposals the shell makes between two
        // Readies then leave as one append per peer instead of one each (which filled the
        // in-flight window with one-entry appends while the rest waited for acknowledgements).
        appendsPending = true
        return index
    }

    // MARK: Snapshots

    /// The application saved its state through `index` (applied) as `data`: entries up to there
    /// are dropped, and `data` is what followers that need them get instead. Returns what was
    /// let go (the dropped entries, the replaced snapshot's data), large enough that the caller
    /// should free it off its event loop.
    @discardableResult
    public mutating func compact(through index: UInt64, data: [UInt8]) -> CompactedMemory {
        precondition(index <= log.applied, "compacting entries not yet applied")
        if index == log.snapshotIndex, index > 0, latestSnapshot == nil {
            // After a restart: the log starts at a snapshot whose data the application read back.
            latestSnapshot = RaftSnapshot(index: index, term: log.snapshotTerm, membership: membership(at: index), data: data)
            return CompactedMemory()
        }
        guard index > log.snapshotIndex, let term = log.term(at: index) else { return CompactedMemory() }
        let membershipThere = membership(at: index)
        let entries = log.compact(through: index)
        baseMembership = membershipThere
        let replaced = latestSnapshot?.data ?? []
        latestSnapshot = RaftSnapshot(index: index, term: term, membership: membershipThere, data: data)
        return CompactedMemory(entries: entries, snapshotData: replaced)
    }

    /// The membership in force at `index`: the latest membership entry at or before it.
    private func membership(at index: UInt64) -> Membership {
        // No membership entry follows the one in force.
        if index >= membershipIndex { return membership }
        // Read in place: this walks back over every entry since the last snapshot (some
        // 250,000 after 30 s of heavy writes), and a copy of each one cost the loop 30 ms.
        let first = log.firstIndex
        let found: Membership? = log.entries.withUnsafeBufferPointer { stored in
            var position = min(index, log.lastIndex)
            while position >= first, position > 0 {
                let offset = Int(position - first)
                if stored[offset].kind == .membership, let decoded = Membership.decode(stored[offset].data) { return decoded }
                position -= 1
            }
            return nil
        }
        return found ?? baseMembership ?? Membership(voters: config.voters)
    }

    // MARK: Membership

    /// Proposes one membership change; nil unless this server leads, has committed an entry of
    /// its term (so an old leader's uncommitted change cannot combine with this one, the fix to
    /// single-server changes in thesis §4.1), and no earlier change is still uncommitted.
    public mutating func proposeMembership(_ change: MembershipChange) -> UInt64? {
        guard role == .leader, transferee == nil, membershipIndex <= log.committed,
              log.term(at: log.committed) == term, let next = membership.applying(change) else { return nil }
        let index = log.lastIndex + 1
        log.appendLocal(RaftEntry(index: index, term: term, kind: .membership, data: next.encoded))
        adopt(next, at: index)
        for peer in peers { sendAppend(to: peer) }
        maybeCommit()
        return index
    }

    /// Puts a membership in force on the leader: new members get a progress entry, removed ones
    /// lose theirs.
    private mutating func adopt(_ next: Membership, at index: UInt64) {
        membership = next
        membershipIndex = index
        guard role == .leader else { return }
        // A new member is sent the newest entry first; its refusal walks `next` back to what it has.
        for peer in peers where progress[peer] == nil { progress[peer] = Progress(next: log.lastIndex, recentActive: true) }
        for peer in progress.keys where !peers.contains(peer) { progress[peer] = nil }
    }

    // MARK: Leadership transfer

    /// Hands leadership to `target`: once its log matches ours, it is told to campaign at
    /// once. Returns false when this server does not lead or `target` is not a voter.
    @discardableResult
    public mutating func transferLeadership(to target: RaftNodeID) -> Bool {
        guard role == .leader, target != config.id, progress[target] != nil else { return false }
        transferee = target
        transferElapsed = 0
        sendTimeoutNowIfCaughtUp()
        if transferee != nil { sendAppend(to: target) }
        return true
    }

    private mutating func sendTimeoutNowIfCaughtUp() {
        guard let target = transferee, progress[target]?.match == log.lastIndex else { return }
        send(to: target, term: term, .timeoutNow)
    }

    // MARK: Reads

    /// Asks for a linearizable read tagged `context` (unique per requester). The answer comes
    /// as a `ReadState` in a later Ready; false when no leader is known (the caller fails the
    /// read or retries).
    @discardableResult
    public mutating func read(context: UInt64) -> Bool {
        switch role {
        case .leader:
            startRead(context: context, requester: config.id)
            return true
        case .follower where leader != nil:
            send(to: leader!, term: term, .readIndex(context: context))
            return true
        default:
            return false
        }
    }

    /// A leader's read: until it has committed an entry of its own term it does not know the
    /// commit index, so the read waits for that; then it records the commit index and waits
    /// for a majority to answer a new heartbeat round.
    private mutating func startRead(context: UInt64, requester: RaftNodeID) {
        guard log.term(at: log.committed) == term else {
            readsAwaitingTermCommit.append((context, requester))
            return
        }
        if quorum == 1 {
            release(PendingRead(context: context, requester: requester, index: log.committed, round: 0, acks: []))
            return
        }
        readRound += 1
        pendingReads.append(PendingRead(context: context, requester: requester, index: log.committed, round: readRound, acks: [config.id]))
        broadcastHeartbeat()
    }

    private mutating func release(_ read: PendingRead) {
        if read.requester == config.id {
            readStates.append(ReadState(context: read.context, index: read.index))
        } else {
            send(to: read.requester, term: term, .readIndexResponse(context: read.context, index: read.index))
        }
    }

    // MARK: Messages

    /// Takes one message from a peer.
    public mutating func step(_ message: RaftMessage) {
        guard message.to == config.id, message.from != config.id else { return }
        if message.term > term {
            switch message.body {
            case .preVote:
                // A pre-vote does not move anyone's term. With check-quorum, a server that hears
                // from its leader refuses to help depose it (leader stickiness, thesis §4.2.3).
                break
            case .preVoteResponse(let granted) where granted:
                break
            case .requestVote(_, _, let transfer) where !transfer && config.checkQuorum && leader != nil && electionElapsed < config.electionTicks.lowerBound:
                return
            case .append, .heartbeat:
                becomeFollower(term: message.term, leader: message.from)
            default:
                becomeFollower(term: message.term, leader: nil)
            }
        } else if message.term < term {
            switch message.body {
            case .append, .heartbeat:
                // A stale leader: tell it the term so it steps down.
                send(to: message.from, term: term, .appendResponse(success: false, matchIndex: 0, hintIndex: log.lastIndex))
            case .preVote:
                send(to: message.from, term: term, .preVoteResponse(granted: false))
            default:
                break
            }
            return
        }

        switch message.body {
        case .preVote(let lastIndex, let lastTerm):
            let leaderAlive = leader != nil && electionElapsed < config.electionTicks.lowerBound
            let grant = message.term > term && !leaderAlive && log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm)
            send(to: message.from, term: grant ? message.term : term, .preVoteResponse(granted: grant))
        case .snapshot(let snapshot):
            if role != .follower || leader != message.from { becomeFollower(term: term, leader: message.from) }
            electionElapsed = 0
            if snapshot.index > log.committed {
                log.restore(index: snapshot.index, term: snapshot.term)
                baseMembership = snapshot.membership
                recomputeMembership()
                latestSnapshot = snapshot
                snapshotToRestore = snapshot
            }
            send(to: message.from, term: term, .appendResponse(success: true, matchIndex: max(snapshot.index, log.committed), hintIndex: log.lastIndex))
        case .timeoutNow:
            guard role == .follower, leader == message.from else { return }
            startElection(transfer: true)
        case .requestVote(let lastIndex, let lastTerm, _):
            let grant = (vote == nil || vote == message.from) && log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm)
            if grant {
                vote = message.from
                electionElapsed = 0
            }
            send(to: message.from, term: term, .voteResponse(granted: grant))
        case .preVoteResponse(let grant):
            guard role == .preCandidate, message.term == term + 1 || !grant else { return }
            tally(message.from, grant) { $0.startElection() }
        case .voteResponse(let grant):
            guard role == .candidate else { return }
            tally(message.from, grant) { $0.becomeLeader() }
        case .append(let prevIndex, let prevTerm, let entries, let commit):
            if role != .follower || leader != message.from { becomeFollower(term: term, leader: message.from) }
            electionElapsed = 0
            let membershipBefore = membershipIndex
            let appended = log.appendFromLeader(prevIndex: prevIndex, prevTerm: prevTerm, entries)
            // New entries may carry a membership, or replace the one in force.
            if entries.contains(where: { $0.kind == .membership }) || (entries.first.map { $0.index <= membershipBefore } ?? false) {
                recomputeMembership()
            }
            if let match = appended {
                let newCommit = min(commit, match)
                if newCommit > log.committed { log.committed = newCommit }
                send(to: message.from, term: term, .appendResponse(success: true, matchIndex: match, hintIndex: log.lastIndex))
            } else {
                send(to: message.from, term: term, .appendResponse(success: false, matchIndex: 0, hintIndex: log.lastIndex))
            }
        case .heartbeat(let commit, let round):
            if role != .follower || leader != message.from { becomeFollower(term: term, leader: message.from) }
            electionElapsed = 0
            // The leader sends at most what this server is known to match, so it is ours too.
            if commit > log.committed, commit <= log.lastIndex { log.committed = commit }
            send(to: message.from, term: term, .heartbeatResponse(round: round))
        case .readIndex(let context):
            guard role == .leader else { return }
            startRead(context: context, requester: message.from)
        case .readIndexResponse(let context, let index):
            readStates.append(ReadState(context: context, index: index))
        case .heartbeatResponse(let round):
            guard role == .leader, var peer = progress[message.from] else { return }
            peer.recentActive = true
            if round > 0 {
                var confirmed: [PendingRead] = []
                let countsForQuorum = membership.voters.contains(message.from)
                pendingReads = pendingReads.compactMap { read in
                    var read = read
                    if round >= read.round && countsForQuorum { read.acks.insert(message.from) }
                    if read.acks.count >= quorum { confirmed.append(read); return nil }
                    return read
                }
                for read in confirmed { release(read) }
            }
            if awaitsSnapshot(peer) {
                // Receiving or writing it: no progress is expected before it answers.
            } else if (peer.inflight > 0 && peer.match == peer.matchAtLastHeartbeat) || (peer.inflight == 0 && peer.next > peer.match + 1) {
                // Appends went out and nothing came of them: they were lost (a restart, a
                // dropped link), or answered while it lacked their start. Start again from what
                // it is known to hold.
                peer.next = peer.match + 1
                peer.inflight = 0
                peer.snapshotSent = nil
            }
            peer.matchAtLastHeartbeat = peer.match
            progress[message.from] = peer
            sendAppend(to: message.from)
        case .appendResponse(let success, let matchIndex, let hintIndex):
            guard role == .leader, var peer = progress[message.from] else { return }
            peer.recentActive = true
            if success {
                peer.match = max(peer.match, matchIndex)
                peer.next = max(peer.next, peer.match + 1)
                peer.inflight = max(0, peer.inflight - 1)
                if let sent = peer.snapshotSent, peer.match >= sent.index { peer.snapshotSent = nil }
            } else if awaitsSnapshot(peer) {
                // A snapshot is never refused: this refuses an append sent before it.
                progress[message.from] = peer
                return
            } else {
                peer.next = max(peer.match + 1, min(peer.next - 1, hintIndex + 1))
                peer.inflight = 0
            }
            progress[message.from] = peer
            if success {
                maybeCommit()
                if transferee == message.from { sendTimeoutNowIfCaughtUp() }
            }
            sendAppend(to: message.from)
        }
    }

    /// Counts a (pre-)vote answer; a majority for wins, a majority against loses.
    private mutating func tally(_ from: RaftNodeID, _ grant: Bool, win: (inout RaftNode) -> Void) {
        if grant { granted.insert(from) } else { refused.insert(from) }
        if granted.count >= quorum {
            win(&self)
        } else if refused.count >= quorum {
            becomeFollower(term: term, leader: nil)
        }
    }

    /// Sends what `peer` lacks, within the pipeline window.
    private mutating func sendAppend(to peer: RaftNodeID) {
        guard var state = progress[peer] else { return }
        if state.next <= log.snapshotIndex, let snapshot = latestSnapshot, state.inflight == 0 {
            // What it needs is compacted away: send the snapshot, then append after it.
            send(to: peer, term: term, .snapshot(snapshot))
            state.next = snapshot.index + 1
            state.inflight = 1
            state.snapshotSent = SentSnapshot(index: snapshot.index, at: ticks)
            progress[peer] = state
        } else if state.next <= log.lastIndex, state.inflight < config.maxInflightAppends, state.next > log.snapshotIndex {
            let prevIndex = state.next - 1
            guard let prevTerm = log.term(at: prevIndex) else { return }
            let last = min(log.lastIndex, prevIndex + UInt64(config.maxEntriesPerAppend))
            let entries = log.entries(from: state.next, through: last)
            send(to: peer, term: term, .append(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: log.committed))
            state.next = last + 1
            state.inflight += 1
            progress[peer] = state
        }
    }

    /// Whether `state`'s follower was sent a snapshot that it has not answered, within the grace.
    private func awaitsSnapshot(_ state: Progress) -> Bool {
        state.snapshotSent.map { ticks - $0.at < config.snapshotGraceTicks } ?? false
    }

    /// Commits the highest index a majority holds, if it is of this term (§5.4.2). The leader
    /// counts its own entries once they are durable.
    private mutating func maybeCommit() {
        guard role == .leader else { return }
        var matches = voterPeers.map { progress[$0]?.match ?? 0 }
        if isVoter { matches.append(log.stableIndex) }
        matches.sort(by: >)
        let candidate = matches[quorum - 1]
        if candidate > log.committed, log.term(at: candidate) == term {
            log.committed = candidate
            // A leader that removed itself leaves once that change is committed.
            if !isVoter && membershipIndex <= candidate {
                becomeFollower(term: term, leader: nil)
                return
            }
            // Followers learn the new commit index with the next append or heartbeat.
            let waiting = readsAwaitingTermCommit
            readsAwaitingTermCommit = []
            for read in waiting { startRead(context: read.context, requester: read.requester) }
        }
    }

    private mutating func send(to peer: RaftNodeID, term: UInt64, _ body: RaftMessage.Body) {
        outbox.append(RaftMessage(from: config.id, to: peer, term: term, body: body))
    }

    // MARK: Ready

    /// Whether `ready()` has anything.
    public var hasReady: Bool {
        // Whether entries wait to be applied, without copying them (this runs after every input).
        hardState != handedOutHardState || log.hasUnpersisted || !outbox.isEmpty || appendsPending
            || log.applied < min(log.committed, log.stableIndex)
            || !readStates.isEmpty
            || snapshotToRestore != nil
    }

    /// Committed entries that are durable here and not yet applied.
    private var appliable: [RaftEntry] { log.entries(from: log.applied + 1, through: min(log.committed, log.stableIndex)) }

    /// What to persist, send and apply now. The caller applies `committed` before it steps the
    /// core again (they count as applied from here on), and calls `advance` with this value once
    /// `hardState` and `entries` are durable. It may take further Readies before that: each
    /// hands out only what the earlier ones did not, and they must be made durable in order.
    public mutating func ready() -> Ready {
        if appendsPending {
            appendsPending = false
            if role == .leader { for peer in peers { sendAppend(to: peer) } }
        }
        let state = hardState
        let ready = Ready(
            hardState: state == handedOutHardState ? nil : state,
            entries: log.takeUnpersisted(),
            messages: outbox,
            committed: appliable,
            readStates: readStates,
            snapshot: snapshotToRestore)
        handedOutHardState = state
        if let last = ready.committed.last { log.applied(through: last.index) }
        outbox.removeAll()
        readStates.removeAll()
        snapshotToRestore = nil
        return ready
    }

    /// The shell made `ready`'s hard state and entries durable (and applied its committed
    /// entries, which it did right after `ready()`).
    public mutating func advance(_ ready: Ready) {
        // Entries replaced while on their way do not count; those before them, still in the
        // log at the same term, do (log matching: they are the same entries).
        if let last = ready.entries.last(where: { log.term(at: $0.index) == $0.term }) {
            log.stable(through: last.index, term: last.term)
        }
        // The leader's own entries just became durable: they may complete a majority.
        maybeCommit()
    }

    /// Starts an election now instead of waiting out a timeout: what a server that is the only
    /// voter does at start-up, so a one-server cluster leads at once.
    public mutating func campaignNow() {
        guard role != .leader, isVoter else { return }
        campaign()
    }

    /// The highest index the leader knows `peer` holds; nil unless this server leads and
    /// `peer` is a member.
    public func matchIndex(of peer: RaftNodeID) -> UInt64? {
        role == .leader ? progress[peer]?.match : nil
    }
}
