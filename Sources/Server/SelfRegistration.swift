import API
import Registry

/// How a Consul server appears in its own catalog (consul-api.md §1.10): its node (with the
/// `consul-version` meta), the `consul` service on the server port, and a passing `serfHealth`.
enum SelfRegistration {
    static func make(_ config: ServerConfig) -> CatalogRegistration {
        let name = config.identity.nodeName
        let address = NodeView.ip(fromHostPort: config.serverAddress)
        let node = Node(id: config.identity.nodeID, name: name, address: address, datacenter: config.identity.datacenter,
                        taggedAddresses: ["lan": address, "lan_ipv4": address, "wan": address, "wan_ipv4": address],
                        meta: ["consul-version": config.consulCompatibleVersion])
        let service = Service(id: "consul", name: "consul", tags: [], address: "", taggedAddresses: [:],
                              meta: ["raft_version": "3", "serf_protocol_current": "2", "serf_protocol_max": "5", "serf_protocol_min": "1",
                                     "version": config.consulCompatibleVersion, "non_voter": "false", "read_replica": "false"],
                              port: config.ports.server, weights: Weights(passing: 1, warning: 1), enableTagOverride: false, kind: "")
        var serf = Check(node: name, checkID: Check.serfHealthCheckID, name: "Serf Health Status", status: .passing)
        serf.output = "Agent alive and reachable"
        return CatalogRegistration(node: node, service: service, checks: [serf], skipNodeUpdate: false)
    }
}
