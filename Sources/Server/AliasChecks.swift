import Registry
import Store

/// Alias checks of this agent (Consul's `AliasNode` / `AliasService`): each mirrors the health of
/// another node, or of one service instance (by ID) on it, and takes no probe. The node tells it
/// which checks a batch wrote and whether services changed; it re-evaluates its alias checks then
/// and proposes a `checkResult` when one's status or output should differ from what the store
/// holds. Only the alias checks themselves and what they alias are read: never every check.
///
/// Consul's rules: the aliased node defaults to the check's own; the node's own checks count,
/// and with a service also that instance's checks; a missing instance is critical ("Service not
/// found"); otherwise critical beats warning beats passing.
struct AliasChecks {
    /// This agent's alias checks.
    private var aliases: Set<CheckRef> = []
    /// What was last proposed per check, so a change is proposed once while it is in the log.
    private var proposed: [CheckRef: (HealthStatus, String)] = [:]

    /// Learns every alias check of the `nodes` this server runs the checks of (leadership
    /// starts, or ownership moved), then evaluates them.
    mutating func restart(store: StateStore, nodes: Set<String>) -> [Command] {
        aliases = []
        proposed = [:]
        guard let checks = try? store.checks(onNodes: nodes) else { return [] }
        for indexed in checks where indexed.value.definition.isAlias {
            aliases.insert(CheckRef(node: indexed.value.node, checkID: indexed.value.checkID))
        }
        return evaluate(store: store)
    }

    /// A batch wrote `changed` checks of this agent and `somethingChanged` says whether it
    /// changed any check or service at all (on any node: what an alias mirrors may be another
    /// node's): notes new and removed alias checks, then re-evaluates them all if any exist.
    mutating func changed(_ changed: [ChangedCheck], somethingChanged: Bool, store: StateStore) -> [Command] {
        for change in changed {
            if change.check?.definition.isAlias == true { aliases.insert(change.ref) } else { aliases.remove(change.ref) }
        }
        guard !aliases.isEmpty, somethingChanged else { return [] }
        return evaluate(store: store)
    }

    private mutating func evaluate(store: StateStore) -> [Command] {
        var commands: [Command] = []
        for ref in aliases.sorted() {
            guard let stored = try? store.check(ref) else { continue }
            let check = stored.value
            guard let wanted = Self.status(of: check, store: store) else { continue }
            if check.status == wanted.0 && check.output == wanted.1 {
                proposed[ref] = nil
                continue
            }
            if let last = proposed[ref], last == wanted { continue }
            proposed[ref] = wanted
            commands.append(.checkResult(CheckUpdate(node: check.node, checkID: check.checkID, status: wanted.0, output: wanted.1)))
        }
        proposed = proposed.filter { aliases.contains($0.key) }
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
