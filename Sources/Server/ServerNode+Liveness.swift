import Raft
import Registry
import Store

/// Check ownership across servers (issue 5, DESIGN.md §9). Each server runs the checks of its
/// own node. The leader watches the other servers: one it has not heard from for
/// `livenessTimeoutMilliseconds` gets its `serfHealth` turned critical, and once that is applied
/// its node's checks are handed to a live server, chosen the same way by every leader (the
/// lowest rendezvous hash of node and server), and `serfHealth` turns passing again with an
/// output that names the new owner. The node's instances leave passing results only for that
/// moment; their probes go on from the new owner. A server heard from again gets its checks
/// back. Everything is a `nodeLiveness` command, so every server agrees on who runs what.
extension ServerNode {
    /// The nodes whose checks this server runs, as the store now says: its own, unless another
    /// server took them over, plus those handed to it.
    public static func ownedNodes(me: String, owners: [String: String]) -> Set<String> {
        var nodes = Set(owners.filter { $0.value == me && $0.key != me }.keys)
        if owners[me] == nil || owners[me] == me { nodes.insert(me) }
        return nodes
    }

    /// Reads who runs which node's checks; when this server's share changed, its probes, TTL
    /// timers and alias checks follow (`restart`: rebuild them in full, as a start does).
    mutating func refreshOwnership(restart: Bool) {
        let me = config.identity.nodeName
        // A read failure keeps the old share; the next liveness write reads it again.
        let owners = (try? store.checkOwners()) ?? [:]
        let nodes = Self.ownedNodes(me: me, owners: owners)
        guard restart || nodes != ownedNodes else { return }
        if nodes != ownedNodes, started {
            outputs.append(.note("checks owned", [("nodes", nodes.sorted().joined(separator: ","))]))
        }
        ownedNodes = nodes
        view.takenOverNodes = nodes.subtracting([me]).sorted()
        let now = monotonicMilliseconds
        if restart {
            timers.restart(store: store, nodes: nodes, now: now)
        } else {
            timers.resync(store: store, nodes: nodes, now: now)
        }
        probes.resync(store: store, nodes: nodes, now: now, random: &random)
        for command in aliases.restart(store: store, nodes: nodes) { propose(command) }
    }

    /// The leader's round: a server silent for the liveness timeout turns critical; a critical
    /// one's checks move to a live server; a server heard from again gets its checks back; a
    /// node run by a server that went silent moves on. At most one word per node is in flight.
    mutating func livenessTick() {
        guard raft.role == .leader, started else { return }
        let now = monotonicMilliseconds
        let membership = raft.membership
        var names: [RaftNodeID: String] = [config.raftID: config.identity.nodeName]
        for id in membership.members where id != config.raftID {
            if let name = cluster.statuses[id]?.nodeName, !name.isEmpty { names[id] = name }
        }
        if membership.members.contains(where: { names[$0] == nil }) {
            // A server this leader never heard from (down since before it was elected): its
            // node is the one whose node ID gives its Raft ID, as each server registered it.
            // Looked up at most once a liveness timeout, not on every tick.
            if now >= cluster.nodeNamesLookedUp + config.livenessTimeoutMilliseconds {
                cluster.nodeNamesLookedUp = now
                for indexed in (try? store.nodes().value) ?? [] where !indexed.value.id.isEmpty {
                    cluster.nodeNamesByRaftID[ServerConfig.raftID(fromNodeID: indexed.value.id)] = indexed.value.name
                }
            }
            for id in membership.members where names[id] == nil { names[id] = cluster.nodeNamesByRaftID[id] }
        }
        func live(_ id: RaftNodeID) -> Bool {
            if id == config.raftID { return true }
            // A leader that just took over gives each server the timeout to be heard, except the
            // leader it replaced, which it stopped hearing from already.
            let heard = cluster.lastHeard[id] ?? 0
            let since = id == cluster.formerLeader ? heard : max(heard, cluster.leadingSince)
            return now < since + config.livenessTimeoutMilliseconds
        }
        let liveNames = membership.members.filter(live).compactMap { names[$0] }
        guard let owners = try? store.checkOwners() else { return }
        var words: [NodeLiveness] = []
        for id in membership.members {
            guard let node = names[id], let serf = try? store.check(CheckRef(node: node, checkID: Check.serfHealthCheckID))?.value else { continue }
            let owner = owners[node] ?? node
            if live(id) {
                if owner != node || serf.status != .passing {
                    words.append(NodeLiveness(node: node, status: .passing, output: NodeLiveness.aliveOutput, owner: node))
                }
            } else if owner == node {
                if serf.status != .critical {
                    words.append(NodeLiveness(node: node, status: .critical, output: NodeLiveness.unreachableOutput, owner: node))
                } else if let heir = Self.heir(of: node, among: liveNames) {
                    words.append(NodeLiveness(node: node, status: .passing, output: NodeLiveness.takenOverOutput(by: heir), owner: heir))
                }
            }
        }
        // Nodes whose owner went silent (or left) move on to a live server.
        for (node, owner) in owners.sorted(by: { $0.key < $1.key })
        where owner != node && !liveNames.contains(owner) && !liveNames.contains(node) {
            if let heir = Self.heir(of: node, among: liveNames) {
                words.append(NodeLiveness(node: node, status: .passing, output: NodeLiveness.takenOverOutput(by: heir), owner: heir))
            }
        }
        for word in words {
            if let sent = cluster.livenessProposed[word.node], sent.word == word, now < sent.at + config.livenessTimeoutMilliseconds { continue }
            cluster.livenessProposed[word.node] = (word, now)
            propose(.nodeLiveness(word))
        }
    }

    /// The live server that takes over `node`'s checks: the lowest hash of the pair, so each
    /// leader picks the same one and one server's nodes spread over the others.
    public static func heir(of node: String, among servers: [String]) -> String? {
        servers.filter { $0 != node }.min { a, b in
            let (ha, hb) = (fnv1a(node, a), fnv1a(node, b))
            return ha != hb ? ha < hb : a < b
        }
    }

    /// FNV-1a over `node`, a zero byte and `server`: stable across processes and versions.
    private static func fnv1a(_ node: String, _ server: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(node.utf8) + [0] + Array(server.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
