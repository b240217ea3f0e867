import Registry
import Store

/// Alias checks of this agent (Consul's `AliasNode` / `AliasService`): each mirrors the health of
/// another node, or of one service instance (by ID) on it, and takes no probe. The node
/// re-evaluates them whenever checks or services change and proposes a `checkResult` when one's
/// status or output should differ from what the store holds.
///
/// Consul's rules: the aliased node defaults to the check's own; the node's own checks count,
/// and with a service also that instance's checks; a missing instance is critical ("Service not
/// found"); otherwise critical beats warning beats passing.
struct AliasChecks {
    /// What was last proposed per check, so a change is proposed once while it is in the log.
    private var proposed: [ProbeScheduler.Key: (HealthStatus, String)] = [:]
    /// Whether the last evaluation found any alias check: a change to services alone (every
    /// registration) then needs no evaluation at all.
    private(set) var any = false

    /// Whether a batch that wrote `changed` checks may change an alias check's status.
    func mayChange(_ changed: [CheckRef], servicesTouched: Bool) -> Bool {
        any ? (!changed.isEmpty || servicesTouched) : !changed.isEmpty
    }

    mutating func evaluate(store: StateStore, node: String) -> [Command] {
        guard let checks = try? store.agentChecks(onNode: node).value else { return [] }
        var commands: [Command] = []
        var seen = Set<ProbeScheduler.Key>()
        for indexed in checks where indexed.value.definition.isAlias {
            let check = indexed.value
            let key = ProbeScheduler.Key(node: check.node, checkID: check.checkID)
            seen.insert(key)
            guard let (status, output) = Self.status(of: check, store: store) else { continue }
            let wanted = (status, output)
            if check.status == status && check.output == output {
                proposed[key] = nil
                continue
            }
            if let last = proposed[key], last == wanted { continue }
            proposed[key] = wanted
            commands.append(.checkResult(CheckUpdate(node: check.node, checkID: check.checkID, status: status, output: output)))
        }
        proposed = proposed.filter { seen.contains($0.key) }
        any = !seen.isEmpty
        return commands
    }

    static func status(of check: Check, store: StateStore) -> (HealthStatus, String)? {
        let node = check.definition.aliasNode.isEmpty ? check.node : check.definition.aliasNode
        let serviceID = check.definition.aliasService
        guard let nodeChecks = try? store.checks(onNode: node).value.map(\.value) else { return nil }
        var relevant = nodeChecks.filter { $0.serviceID.isEmpty }
        if !serviceID.isEmpty {
            guard let services = try? store.agentServices(onNode: node).value, services.contains(where: { $0.value.id == serviceID }) else {
                return (.critical, "Service not found")
            }
            relevant += nodeChecks.filter { $0.serviceID == serviceID }
        }
        switch HealthStatus.aggregate(relevant.map(\.status)) {
        case .critical, .maintenance: return (.critical, "At least one check is critical")
        case .warning: return (.warning, "At least one check is warning")
        case .passing: return (.passing, "All checks passing")
        }
    }
}
