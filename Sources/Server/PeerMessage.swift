import API
import Raft

/// What servers say to each other over the server port (8300), after the transport's own
/// handshake (`PeerHandshake`). The transport frames, checksums and delivers these; what they
/// mean is decided here, in the core.
public enum PeerMessage: Sendable, Equatable {
    /// A consensus message.
    case raft(RaftMessage)
    /// What the sender knows of the cluster: sent when a connection comes up and whenever it
    /// changes. Servers with empty logs use it to bootstrap together or to find a cluster to join.
    case status(PeerStatus)
    /// A follower hands a write to the leader: `payload` is the log entry's data (leader time
    /// and command, `LogEntryPayload`), `context` the follower's tag for it.
    case forward(context: UInt64, payload: [UInt8])
    /// The leader's answer to `forward`: the entry went to (`index`, `term`); index 0 means this
    /// server could not take it (not the leader, or too many writes waiting), so the follower
    /// fails or retries the request.
    case forwarded(context: UInt64, index: UInt64, term: UInt64)
    /// A server that is not a member asks the leader to add it (as a learner, promoted to voter
    /// once it has caught up). `address` is where it listens for peers.
    case join(address: String)
    /// A follower hands an operator request (`/v1/operator/raft/...`) to the leader.
    case operate(context: UInt64, operation: RaftOperation)
    /// The leader's answer to `operate`: nil when under way, else why it could not be done.
    case operated(context: UInt64, failure: String?)
}

/// One server's view of its cluster, as `PeerMessage.status` carries it.
public struct PeerStatus: Sendable, Equatable {
    /// Whether it has a log (was bootstrapped, or joined): servers with logs never bootstrap again.
    public var bootstrapped: Bool
    /// The leader it follows, if it knows one.
    public var leader: RaftNodeID?
    public var term: UInt64
    /// Its node name and peer address ("host:port").
    public var nodeName: String
    public var address: String

    public init(bootstrapped: Bool, leader: RaftNodeID?, term: UInt64, nodeName: String, address: String) {
        self.bootstrapped = bootstrapped
        self.leader = leader
        self.term = term
        self.nodeName = nodeName
        self.address = address
    }
}

/// The first frame each side of a peer connection sends: who it is. The transport checks it
/// (protocol version, datacenter, not ourselves) before passing any message on.
public struct PeerHandshake: Sendable, Equatable {
    /// The peer protocol version this build speaks.
    public static let currentVersion: UInt8 = 1

    public var version: UInt8
    public var datacenter: String
    public var id: RaftNodeID
    /// The address others reach it at ("host:port").
    public var address: String

    public init(version: UInt8 = PeerHandshake.currentVersion, datacenter: String, id: RaftNodeID, address: String) {
        self.version = version
        self.datacenter = datacenter
        self.id = id
        self.address = address
    }
}
