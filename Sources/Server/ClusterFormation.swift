import Raft

/// One server of a fixed initial cluster (etcd's `--initial-cluster`): its node name (`-node`)
/// and the peer address ("host:port") the others dial it at.
public struct InitialClusterMember: Sendable, Equatable {
    public var name: String
    public var address: String

    public init(name: String, address: String) {
        self.name = name
        self.address = address
    }
}

/// What a server with an empty log does about forming a cluster, decided from its settings and
/// what its connected peers last said; nothing else. Two rules form a new cluster:
/// `bootstrapExpect` (Consul: once that many servers see each other, whoever they are) and
/// `initialCluster` (etcd: once every listed server is seen, matched by node name, and only
/// those). Either way a bootstrapped peer wins: the server joins the cluster that exists.
enum ClusterFormation {
    enum Decision: Equatable {
        /// Not yet: keep listening for statuses.
        case wait
        /// Ask these bootstrapped peers (sorted) to add this server.
        case join([RaftNodeID])
        /// Write the first membership entry with exactly these servers at these addresses.
        case bootstrap([RaftNodeID: String])
    }

    /// `live`: the latest status of each connected peer; `lastHeard`: when each was last heard
    /// from (monotonic milliseconds), to choose between two peers that claim one listed name.
    static func decide(_ config: ServerConfig, live: [RaftNodeID: PeerStatus], lastHeard: [RaftNodeID: UInt64]) -> Decision {
        let bootstrapped = live.filter(\.value.bootstrapped).keys.sorted()
        if !bootstrapped.isEmpty { return .join(bootstrapped) }
        if !config.initialCluster.isEmpty {
            return listed(config, live: live, lastHeard: lastHeard).map(Decision.bootstrap) ?? .wait
        }
        guard config.bootstrapExpect > 0, live.count + 1 >= config.bootstrapExpect else { return .wait }
        var servers = [config.raftID: config.serverAddress]
        for (peer, status) in live { servers[peer] = status.address }
        return .bootstrap(servers)
    }

    /// This server and one live peer for every other name of `initialCluster`, each at the
    /// address it advertised; nil while any listed name has not been heard from. A peer whose
    /// name is not listed never counts. Names are matched, not addresses: a list may name a
    /// server by DNS while it advertises an IP.
    private static func listed(_ config: ServerConfig, live: [RaftNodeID: PeerStatus], lastHeard: [RaftNodeID: UInt64]) -> [RaftNodeID: String]? {
        var servers = [config.raftID: config.serverAddress]
        for member in config.initialCluster where member.name != config.identity.nodeName {
            // Two peers with one name: a server that restarted with a new node ID (its data
            // lost) while the old connection's status is still known. The one heard from last
            // is likely the one running; ties go to the higher ID (never to dictionary order).
            let claims = live.filter { $0.value.nodeName == member.name }
            guard let chosen = claims.max(by: { (lastHeard[$0.key] ?? 0, $0.key) < (lastHeard[$1.key] ?? 0, $1.key) }) else { return nil }
            servers[chosen.key] = chosen.value.address
        }
        // Distinct names are distinct peers; a peer that shares this server's Raft ID cannot be
        // told apart from it, so it is no basis for a cluster.
        guard servers.count == config.initialCluster.count else { return nil }
        return servers
    }
}
