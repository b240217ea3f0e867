import Raft
import Server
import Store
import HTTP

/// One server slot of the simulated cluster: the node while it runs, its disk and state folder
/// (which outlive crashes), its clock, and whether it is paused.
struct SimNode {
    let index: Int
    let id: RaftNodeID
    /// Its peer address, "n<i>:8300".
    let address: String
    let folder: String
    var node: ServerNode?
    var store: StateStore?
    /// The second connection the shell copies snapshots from.
    var snapshotter: StateSnapshotter?
    var disk = SimDisk<PersistBatch>()
    /// Bumped by each crash: events addressed to an earlier incarnation are dropped.
    var incarnation: UInt64 = 0
    /// Node time per unit of simulated time (clock-rate skew).
    var rate: Double
    /// The node's own monotonic clock, in milliseconds; it keeps running across pauses.
    var localMilliseconds: UInt64 = 0
    /// The simulated time of the last tick, and the node time then (the rate may change between).
    var lastTickAt: SimMilliseconds = 0
    /// Paused (SIGSTOP): no ticks, inputs held until it resumes.
    var paused = false
    var held: [SimEvent] = []
    /// Writes handed to the node's `.persisted` that it is waiting on (at most one by contract).
    var persistsInFlight = 0
    /// The (term, role) last seen, to count elections.
    var lastLeaderTerm: UInt64 = 0

    var isUp: Bool { node != nil }

    init(index: Int, folder: String, rate: Double) {
        self.index = index
        id = RaftNodeID(index + 1)
        address = "n\(index + 1):8300"
        self.folder = folder
        self.rate = rate
    }
}

/// Everything that happens in a run, in simulated time.
enum SimEvent {
    case tick(node: Int, incarnation: UInt64)
    case deliver(to: Int, incarnation: UInt64, from: Int, PeerMessage)
    /// A connection between `node` and `peer` came up: `node` gets `.peerConnected`.
    case connected(node: Int, incarnation: UInt64, peer: Int)
    /// `peer`'s process died and its address refuses connections: `node` gets
    /// `.peerUnreachable` (if `peer` is still down by then).
    case unreachable(node: Int, incarnation: UInt64, peer: Int)
    /// The oldest pending disk write is now durable.
    case synced(node: Int, incarnation: UInt64)
    /// The node is told its oldest write is durable (normally right after `synced`).
    case persisted(node: Int, incarnation: UInt64)
    case request(node: Int, incarnation: UInt64, RequestID, HTTPRequest)
    case cancel(node: Int, incarnation: UInt64, RequestID)
    case snapshotTaken(node: Int, incarnation: UInt64, SnapshotTaken?)
    /// The copy of a leader's snapshot into the node's state is done (a failed one is a violation, not reported).
    case stateRestored(node: Int, incarnation: UInt64, index: UInt64)
    case clientInvoke(client: Int)
    case clientTimeout(client: Int, RequestID)
    case faultStart(timeline: FaultTimeline)
    case faultEnd(Fault)
    case crash(nodes: [Int], downMilliseconds: SimMilliseconds, machine: Bool)
    case restart(node: Int)
    case resume(node: Int)
    case healAll

    /// The node an event is addressed to, for pause handling.
    var addressee: (node: Int, incarnation: UInt64)? {
        switch self {
        case .deliver(let node, let incarnation, _, _), .connected(let node, let incarnation, _),
             .unreachable(let node, let incarnation, _),
             .persisted(let node, let incarnation), .request(let node, let incarnation, _, _), .cancel(let node, let incarnation, _),
             .snapshotTaken(let node, let incarnation, _), .stateRestored(let node, let incarnation, _):
            return (node, incarnation)
        default:
            return nil
        }
    }
}
