import HTTP

/// `/v1/agent/...`: what this agent is (consul-api.md §2.1).
enum AgentEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/agent/self", agentSelf)
    }

    /// Consul's `agent/self` shape: Config, DebugConfig, Coord, Member, Stats (string values), Meta.
    /// `Stats.consul.leader_addr` equals `status/leader`, as clients check.
    static func agentSelf(_ context: ConsulContext) throws -> Reply {
        let node = context.node
        return .response(context.json(.object([
            ("Config", config(node)),
            ("DebugConfig", debugConfig(node)),
            ("Coord", coordinate()),
            ("Member", member(node)),
            ("Stats", stats(node)),
            ("Meta", .object([])),
        ])))
    }

    static func config(_ node: NodeView) -> JSON {
        .object([
            ("Datacenter", .string(node.identity.datacenter)),
            ("PrimaryDatacenter", .string(node.identity.datacenter)),
            ("NodeName", .string(node.identity.nodeName)),
            ("NodeID", .string(node.identity.nodeID)),
            ("Revision", .string("gravity-\(node.version)")),
            ("Server", .bool(node.isServer)),
            ("Version", .string(node.consulCompatibleVersion)),
            ("BuildDate", .string("")),
        ])
    }

    static func debugConfig(_ node: NodeView) -> JSON {
        .object([
            ("Datacenter", .string(node.identity.datacenter)),
            ("NodeName", .string(node.identity.nodeName)),
            ("NodeID", .string(node.identity.nodeID)),
            ("ServerMode", .bool(node.isServer)),
            ("HTTPPort", .int(Int64(node.ports.http))),
            ("DNSPort", .int(Int64(node.ports.dns))),
            ("ServerPort", .int(Int64(node.ports.server))),
            ("DiscoveryPort", .int(Int64(node.ports.discovery))),
            ("ACLsEnabled", .bool(false)),
        ])
    }

    /// Network coordinates are not modelled; this is the origin Consul reports for a fresh node.
    static func coordinate() -> JSON {
        .object([
            ("Vec", .array(Array(repeating: .double(0), count: 8))),
            ("Error", .double(1.5)),
            ("Adjustment", .double(0)),
            ("Height", .double(1e-05)),
        ])
    }

    static func member(_ node: NodeView) -> JSON {
        .object([
            ("Name", .string(node.identity.nodeName)),
            ("Addr", .string(node.advertiseIP)),
            ("Port", .int(Int64(node.ports.server))),
            ("Tags", .object([
                ("build", .string("\(node.consulCompatibleVersion):gravity-\(node.version)")),
                ("dc", .string(node.identity.datacenter)),
                ("id", .string(node.identity.nodeID)),
                ("port", .string(String(node.ports.server))),
                ("raft_vsn", .string("3")),
                ("role", .string(node.isServer ? "consul" : "node")),
                ("vsn", .string("2")),
                ("vsn_max", .string("3")),
                ("vsn_min", .string("2")),
            ])),
            ("Status", .int(1)),
            ("ProtocolMin", .int(1)),
            ("ProtocolMax", .int(5)),
            ("ProtocolCur", .int(2)),
            ("DelegateMin", .int(2)),
            ("DelegateMax", .int(5)),
            ("DelegateCur", .int(4)),
        ])
    }

    /// Consul's Stats values are all strings.
    static func stats(_ node: NodeView) -> JSON {
        let isLeader = node.raftState == "Leader"
        return .object([
            ("agent", .object([("check_monitors", "0"), ("check_ttls", "0"), ("checks", "0"), ("services", "0")])),
            ("build", .object([("prerelease", ""), ("revision", .string("gravity-\(node.version)")), ("version", .string(node.consulCompatibleVersion))])),
            ("consul", .object([
                ("acl", "disabled"),
                ("bootstrap", .string(node.peers.count == 1 ? "true" : "false")),
                ("known_datacenters", "1"),
                ("leader", .string(isLeader ? "true" : "false")),
                ("leader_addr", .string(node.leaderAddress ?? "")),
                ("server", .string(node.isServer ? "true" : "false")),
            ])),
            ("raft", .object([
                ("last_contact", .string(isLeader ? "0" : "\(node.lastContactMilliseconds)ms")),
                ("num_peers", .string(String(max(0, node.peers.count - 1)))),
                ("state", .string(node.raftState)),
            ])),
            ("runtime", .object([])),
            ("serf_lan", .object([])),
            ("serf_wan", .object([])),
        ])
    }
}
