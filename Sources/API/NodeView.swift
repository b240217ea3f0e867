import Registry

/// What the API layer knows about this node and its cluster while it answers one request.
/// `ServerNode` builds it; handlers only read it, so they stay pure functions of their input.
public struct NodeView: Sendable, Equatable {
    public var identity: AgentIdentity
    /// Gravity's version, e.g. "0.1.0".
    public var version: String
    /// The version Gravity reports where Consul clients expect a Consul version.
    public var consulCompatibleVersion: String
    public var isServer: Bool
    /// This node's Raft (server RPC) address, "ip:port".
    public var serverAddress: String
    /// The leader's Raft address; nil while no leader is known.
    public var leaderAddress: String?
    /// Raft voters' addresses, sorted.
    public var peers: [String]
    /// "Leader", "Follower" or "Candidate".
    public var raftState: String
    /// Milliseconds since this node last heard from the leader (0 on the leader itself).
    public var lastContactMilliseconds: Int
    /// True once this node has applied everything the leader had committed when it last heard.
    public var isCaughtUp: Bool
    public var ports: Ports
    /// Every Raft member, as the operator API lists them.
    public var servers: [RaftServer] = []
    /// Which script checks the agent API accepts (`enable_script_checks`).
    public var scriptChecks: ScriptCheckPolicy = .disabled
    /// Other servers' nodes whose checks this server runs while their own server is
    /// unreachable: TTL updates for their checks are taken here too.
    public var takenOverNodes: [String] = []

    /// One member of the Raft cluster.
    public struct RaftServer: Sendable, Equatable {
        /// Its node ID for this server; for the others, their Raft ID (16 hex digits).
        public var id: String
        public var node: String
        public var address: String
        public var leader: Bool
        public var voter: Bool

        public init(id: String, node: String, address: String, leader: Bool, voter: Bool) {
            self.id = id
            self.node = node
            self.address = address
            self.leader = leader
            self.voter = voter
        }
    }

    /// The listening ports, as `agent/self` reports them.
    public struct Ports: Sendable, Equatable {
        public var http: Int
        public var dns: Int
        public var server: Int
        public var discovery: Int
        public init(http: Int, dns: Int, server: Int, discovery: Int) {
            self.http = http
            self.dns = dns
            self.server = server
            self.discovery = discovery
        }
    }

    /// The IP part of `serverAddress`.
    public var advertiseIP: String { Self.ip(fromHostPort: serverAddress) }

    /// The host of "ip:port" or "[ipv6]:port", without brackets.
    public static func ip(fromHostPort hostPort: String) -> String {
        guard let colon = hostPort.lastIndex(of: ":") else { return hostPort }
        return String(hostPort[..<colon]).trimmingBrackets()
    }

    public init(identity: AgentIdentity, version: String, consulCompatibleVersion: String, isServer: Bool,
                serverAddress: String, leaderAddress: String?, peers: [String], raftState: String,
                lastContactMilliseconds: Int, isCaughtUp: Bool, ports: Ports) {
        self.identity = identity
        self.version = version
        self.consulCompatibleVersion = consulCompatibleVersion
        self.isServer = isServer
        self.serverAddress = serverAddress
        self.leaderAddress = leaderAddress
        self.peers = peers
        self.raftState = raftState
        self.lastContactMilliseconds = lastContactMilliseconds
        self.isCaughtUp = isCaughtUp
        self.ports = ports
    }
}

extension String {
    func trimmingBrackets() -> String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
