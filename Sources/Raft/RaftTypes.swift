// The values of the consensus core: entries, the durable hard state, and the messages peers
// exchange. Pure values; the shell encodes them for the wire and for raft.db.

/// A server's stable ID (never reused: DESIGN.md §10).
public typealias RaftNodeID = UInt64

/// One log entry.
public struct RaftEntry: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        /// A leader's empty entry at the start of its term: committing it commits everything before.
        case noop = 0
        /// An application command (an encoded `Command` with its leader time).
        case command = 1
        /// A new `Membership` (its `encoded` bytes).
        case membership = 2
    }

    public var index: UInt64
    public var term: UInt64
    public var kind: Kind
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, kind: Kind = .command, data: [UInt8] = []) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }
}

/// What must be durable before any message of the same `Ready` is sent (Raft §5.1: a vote or
/// an acknowledgement that is not on disk can elect two leaders or lose committed entries).
public struct HardState: Sendable, Equatable {
    public var term: UInt64
    public var vote: RaftNodeID?
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: RaftNodeID? = nil, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }
}

/// A message between two servers. Every message carries the sender's term.
public struct RaftMessage: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        /// "Would you vote for me at `term`?" without anyone changing term (thesis §9.6):
        /// `term` is the candidate's current term + 1.
        case preVote(lastIndex: UInt64, lastTerm: UInt64)
        case preVoteResponse(granted: Bool)
        /// `transfer`: the leader asked for this election (leadership transfer), so voters that
        /// still hear from that leader vote anyway.
        case requestVote(lastIndex: UInt64, lastTerm: UInt64, transfer: Bool = false)
        case voteResponse(granted: Bool)
        /// Entries after (`prevIndex`, `prevTerm`), and the leader's commit index.
        case append(prevIndex: UInt64, prevTerm: UInt64, entries: [RaftEntry], commit: UInt64)
        /// Success: the follower's log matches through `matchIndex`. Failure: it does not match
        /// at the append's `prevIndex`; `hintIndex` is its last index, to back off quickly.
        case appendResponse(success: Bool, matchIndex: UInt64, hintIndex: UInt64)
        /// "I still lead": resets the follower's election timer and carries the commit index
        /// as far as the follower is known to match the leader. `round` numbers the leader's
        /// read-confirmation rounds (ReadIndex); the response echoes it.
        case heartbeat(commit: UInt64, round: UInt64)
        case heartbeatResponse(round: UInt64)
        /// A follower asks the leader for a read index on behalf of its client (`context`).
        case readIndex(context: UInt64)
        /// The leader's answer: reads are linearizable once `index` is applied.
        case readIndexResponse(context: UInt64, index: UInt64)
        /// Leadership transfer (thesis §3.10): the leader tells an up-to-date follower to start
        /// an election now.
        case timeoutNow
        /// The leader no longer has the entries this follower needs: its state as of a log
        /// index instead (the transport may carry `data` in chunks; here it is one value).
        case snapshot(RaftSnapshot)
    }

    public var from: RaftNodeID
    public var to: RaftNodeID
    public var term: UInt64
    public var body: Body

    public init(from: RaftNodeID, to: RaftNodeID, term: UInt64, body: Body) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }
}

/// A server's role.
public enum RaftRole: Sendable, Equatable {
    case follower
    case preCandidate
    case candidate
    case leader
}

/// A linearizable read may be served once the state machine has applied `index` (ReadIndex,
/// thesis §6.4): `context` is the requester's own tag for the read.
public struct ReadState: Sendable, Equatable {
    public var context: UInt64
    public var index: UInt64

    public init(context: UInt64, index: UInt64) {
        self.context = context
        self.index = index
    }
}

/// The state machine as of `index` (of `term`), with the membership in force there. `data` is
/// opaque to the core: the application makes it and restores from it.
public struct RaftSnapshot: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var membership: Membership
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, membership: Membership, data: [UInt8]) {
        self.index = index
        self.term = term
        self.membership = membership
        self.data = data
    }
}

/// What a compaction let go of: the log entries it dropped (with copies of the ones it kept,
/// sharing their buffers) and the data of the snapshot it replaced. Some 400,000 buffers and a
/// copy of the whole state after 30 s of heavy writes: where they are freed is the caller's
/// choice (a shell frees them on a pool thread, not its event loop).
public struct CompactedMemory: Sendable {
    public var entries: [RaftEntry]
    public var snapshotData: [UInt8]

    public init(entries: [RaftEntry] = [], snapshotData: [UInt8] = []) {
        self.entries = entries
        self.snapshotData = snapshotData
    }
}
