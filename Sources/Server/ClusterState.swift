import API
import HTTP
import Raft
import Registry
import Store

/// A request waiting for its write to commit.
struct PendingWrite {
    let id: RequestID
    let listener: Listener
    let respond: (ApplyResult) -> HTTPResponse
    /// The term of the entry it was proposed as (0 until the leader said).
    var term: UInt64
    let deadline: UInt64
}

/// A command this node proposed as leader, kept until its index is applied.
struct ProposedCommand {
    let term: UInt64
    let command: Command
    let leaderMilliseconds: UInt64
}

/// The results of the latest applied entries, so that a forwarded write whose answer from the
/// leader arrives after this server applied its entry can still be answered.
struct RecentResults {
    static let capacity = 4096
    private var slots: [(index: UInt64, term: UInt64, result: ApplyResult?)] = Array(repeating: (0, 0, nil), count: RecentResults.capacity)

    mutating func record(index: UInt64, term: UInt64, result: ApplyResult?) {
        slots[Int(index % UInt64(Self.capacity))] = (index, term, result)
    }

    /// The entry's term and result (nil: not a command); nil when no longer kept.
    func lookup(_ index: UInt64) -> (term: UInt64, result: ApplyResult?)? {
        let slot = slots[Int(index % UInt64(Self.capacity))]
        return slot.index == index ? (slot.term, slot.result) : nil
    }
}

/// Reads waiting to be served linearizably: queued for the next ReadIndex round, in the round
/// under way, or confirmed and waiting for the state machine to reach their index. One round at
/// a time serves every read that arrived while the previous one was out (etcd batches the same
/// way), so a read costs one heartbeat round however many arrive together.
struct ReadBarrier {
    struct Read {
        let id: RequestID
        let listener: Listener
        let request: HTTPRequest
        let deadline: UInt64
    }

    var queued: [Read] = []
    /// Requests that need a leader, held while none is known (`leaderHoldMilliseconds`).
    var awaitingLeader: [Read] = []
    var round: (context: UInt64, started: UInt64, reads: [Read])?
    var confirmed: [(index: UInt64, reads: [Read])] = []
}

/// Raft batches on their way to `raft.db`: one in flight, one collecting what comes meanwhile
/// (group commit). Messages that must not leave before a batch is durable wait with it.
struct DiskQueue {
    struct Item {
        var batch = PersistBatch()
        var readies: [Ready] = []
        var held: [RaftMessage] = []
    }

    private(set) var inFlight: Item?
    private var waiting: Item?

    var isEmpty: Bool { inFlight == nil && waiting == nil }

    mutating func enqueue(_ batch: PersistBatch, ready: Ready?, held: [RaftMessage]) {
        // Taken out of `waiting` before it changes, so that its arrays are not copied on every
        // write (a request proposes once, and each proposal enqueues).
        var item: Item
        if let collecting = waiting {
            item = collecting
            waiting = nil
            item.batch.merge(batch)
        } else {
            item = Item(batch: batch)
        }
        if let ready { item.readies.append(ready) }
        item.held += held
        waiting = item
    }

    /// Messages that acknowledge what earlier batches hold: they leave after those.
    mutating func hold(_ messages: [RaftMessage]) {
        if waiting != nil {
            waiting!.held += messages
        } else {
            inFlight!.held += messages
        }
    }

    /// The next batch to write, if none is in flight.
    mutating func startNext() -> PersistBatch? {
        guard inFlight == nil, let next = waiting else { return nil }
        inFlight = next
        waiting = nil
        return next.batch
    }

    /// The batch in flight is durable.
    mutating func finish() -> Item {
        guard let done = inFlight else { preconditionFailure("persisted reported with no batch in flight") }
        inFlight = nil
        return done
    }
}

/// What this server knows of the other servers, for forming and joining the cluster.
struct ClusterState {
    var bootstrapped: Bool
    var ticked = false
    /// Peers with an established connection, and the address each advertised.
    var connected: [RaftNodeID: String] = [:]
    /// The latest status each peer sent.
    var statuses: [RaftNodeID: PeerStatus] = [:]
    var dialed: [String]?
    var leader: RaftNodeID?
    var wasLeader = false
    /// When this server last became leader (monotonic milliseconds).
    var leadingSince: UInt64 = 0
    /// When this follower last heard from its leader (monotonic milliseconds).
    var leaderContact: UInt64 = 0
    var lastJoinRequest: UInt64 = 0
    /// When each peer was last heard from (monotonic milliseconds).
    var lastHeard: [RaftNodeID: UInt64] = [:]
    /// The leader before the current one (or before none was known): a new leader knows it
    /// stopped hearing from that one, and does not give it a fresh liveness timeout.
    var formerLeader: RaftNodeID?
    /// Server node names found in the catalog by node ID, for servers never heard from, and
    /// when that lookup last ran.
    var nodeNamesByRaftID: [RaftNodeID: String] = [:]
    var nodeNamesLookedUp: UInt64 = 0
    /// The liveness word last proposed per node and when, so it is proposed once while in the log.
    var livenessProposed: [String: (word: NodeLiveness, at: UInt64)] = [:]
    /// What the view and the dial set were last built from.
    struct ViewInputs: Equatable {
        var role: RaftRole
        var leader: RaftNodeID?
        var term: UInt64
        var membership: Membership
        var statuses: Int
        var caughtUp: Bool
        var contact: UInt64
    }
    var viewInputs: ViewInputs?
    /// Counts the statuses received (their names and IDs appear in the view).
    var statusVersion = 0
    /// The membership and role last reported in a `.note`.
    var notedMembership: Membership?
    var notedRole: RaftRole = .follower
    /// The term and vote last handed to the disk.
    var writtenTerm: UInt64 = 0
    var writtenVote: RaftNodeID?
    /// When the last snapshot was asked for (0: never since start).
    var lastSnapshotAsked: UInt64 = 0
    /// How long after it the next may be asked: drawn anew each time between the configured
    /// interval and twice it (`ServerNode.compactIfDue`).
    var snapshotGap: UInt64 = 0
    /// Snapshots installed from the leader so far.
    var installs = 0
}
