import Registry

// The catalog and agent commands (consul-api.md §2.1, §2.2; hashicorp/consul
// agent/consul/state/catalog.go and the agent endpoints), each one small function over the
// building blocks of StateWriter+Catalog.swift.

extension StateWriter {
    /// `catalog/register`: the node (kept as stored with SkipNodeUpdate, but created when
    /// absent), then the service, then the checks. Any refusal undoes the whole registration.
    mutating func catalogRegister(_ registration: CatalogRegistration) throws(StoreError) -> ApplyResult {
        let node = registration.node
        let nodeExists = try read.nodeExists(named: node.name)
        if !registration.skipNodeUpdate || !nodeExists {
            try ensureNode(node)
        }
        if let service = registration.service, let problem = try ensureService(service, onNode: node.name) {
            return .refused(status: 500, message: ConsulText.failedInserting("service", problem))
        }
        for check in registration.checks {
            if let problem = try ensureCheck(check) {
                return .refused(status: 500, message: ConsulText.failedInserting("check", problem))
            }
        }
        return .done
    }

    /// `catalog/deregister`: one service (with its checks), or one check, or the whole node.
    /// What does not exist is ignored, as in Consul.
    mutating func catalogDeregister(_ deregistration: CatalogDeregistration) throws(StoreError) -> ApplyResult {
        if let serviceID = deregistration.serviceID {
            _ = try deleteService(node: deregistration.node, id: serviceID)
        } else if let checkID = deregistration.checkID {
            _ = try deleteCheck(node: deregistration.node, id: checkID)
        } else {
            _ = try deleteNode(deregistration.node)
        }
        return .done
    }

    /// `agent/service/register`. The agent's node must already be in the catalog (a
    /// registration carries no node address to create it with). Without
    /// `replaceExistingChecks` the instance's other checks are kept.
    mutating func serviceRegister(_ registration: ServiceRegistration) throws(StoreError) -> ApplyResult {
        if let problem = try ensureService(registration.service, onNode: registration.node) {
            return .refused(status: 500, message: problem)
        }
        if registration.replaceExistingChecks {
            let kept = Set(registration.checks.map(\.checkID))
            for check in try read.checks(node: registration.node, serviceID: registration.service.id)
            where !kept.contains(check.value.checkID) {
                _ = try deleteCheck(node: registration.node, id: check.value.checkID)
            }
        }
        for check in registration.checks {
            if let problem = try ensureCheck(check) {
                return .refused(status: 500, message: problem)
            }
        }
        return .done
    }

    /// `agent/service/deregister/:id`: unknown IDs are a 404.
    mutating func serviceDeregister(node: String, serviceID: String) throws(StoreError) -> ApplyResult {
        guard try deleteService(node: node, id: serviceID) else {
            return .refused(status: 404, message: ConsulText.unknownServiceID(serviceID))
        }
        return .done
    }

    /// `agent/check/register`: a check naming an unknown service is a 404.
    mutating func checkRegister(_ check: Check) throws(StoreError) -> ApplyResult {
        guard try read.nodeExists(named: check.node) else { return .refused(status: 500, message: ConsulText.missingNode) }
        if !check.serviceID.isEmpty, try read.service(node: check.node, id: check.serviceID) == nil {
            return .refused(status: 404, message: ConsulText.serviceIDDoesNotExist(check.serviceID))
        }
        if let problem = try ensureCheck(check) {
            return .refused(status: 500, message: problem)
        }
        return .done
    }

    /// `agent/check/deregister/:id`: unknown IDs are a 404.
    mutating func checkDeregister(node: String, checkID: String) throws(StoreError) -> ApplyResult {
        guard try deleteCheck(node: node, id: checkID) else {
            return .refused(status: 404, message: ConsulText.unknownCheckID(checkID))
        }
        return .done
    }

    /// TTL pass / warn / fail / update: only TTL checks take one; the output is capped at the
    /// check's `outputMaxSize` with Consul's suffix.
    mutating func checkUpdate(_ update: CheckUpdate) throws(StoreError) -> ApplyResult {
        try setTTLCheck(node: update.node, checkID: update.checkID) { check in
            check.status = update.status
            check.output = CheckOutput.capped(update.output, maxBytes: check.definition.outputMaxSize)
        }
    }

    /// A probe result decided by the check's owner: only probed checks (not TTL) take one; an
    /// unknown check (deregistered while its probe ran) is a 404 that changes nothing.
    mutating func checkResult(_ update: CheckUpdate) throws(StoreError) -> ApplyResult {
        guard let existing = try read.check(node: update.node, id: update.checkID) else {
            return .refused(status: 404, message: ConsulText.unknownCheckID(update.checkID))
        }
        guard existing.value.type != "ttl" else {
            return .refused(status: 400, message: "check \(update.checkID) is a TTL check; its status comes from its service")
        }
        var check = existing.value
        check.status = update.status
        check.output = CheckOutput.capped(update.output, maxBytes: check.definition.outputMaxSize)
        try putCheck(check)
        return .done
    }

    /// The leader's word on a server node: its `serfHealth` check (created if missing) takes the
    /// status and output, and `owner` runs its checks from now on. An unknown node is a 404
    /// that changes nothing.
    mutating func nodeLiveness(_ liveness: NodeLiveness) throws(StoreError) -> ApplyResult {
        guard try read.nodeExists(named: liveness.node) else {
            return .refused(status: 404, message: "Unknown node \"\(liveness.node)\"")
        }
        var check = try read.check(node: liveness.node, id: Check.serfHealthCheckID)?.value
            ?? Check(node: liveness.node, checkID: Check.serfHealthCheckID, name: "Serf Health Status", status: liveness.status)
        check.status = liveness.status
        check.output = CheckOutput.capped(liveness.output, maxBytes: check.definition.outputMaxSize)
        try putCheck(check)
        if liveness.owner == liveness.node {
            try db.run("DELETE FROM check_owners WHERE node = ?", [.text(liveness.node)])
        } else {
            try db.run(
                "INSERT INTO check_owners(node, owner, modify_index) VALUES (?, ?, ?) ON CONFLICT(node) DO UPDATE SET owner = excluded.owner, modify_index = excluded.modify_index",
                [.text(liveness.node), .text(liveness.owner), .unsigned(index)])
        }
        return .done
    }

    /// The leader saw a TTL lapse: the check turns critical with the output it decided
    /// (`TTL expired`, or `TTL expired (last output before timeout follows): <last>`).
    mutating func ttlExpired(_ expiry: TTLExpiry) throws(StoreError) -> ApplyResult {
        try setTTLCheck(node: expiry.node, checkID: expiry.checkID) { check in
            check.status = .critical
            check.output = expiry.output
        }
    }

    private mutating func setTTLCheck(
        node: String, checkID: String, _ change: (inout Check) -> Void
    ) throws(StoreError) -> ApplyResult {
        guard let existing = try read.check(node: node, id: checkID) else {
            return .refused(status: 404, message: ConsulText.unknownCheckID(checkID))
        }
        guard existing.value.type == "ttl" else {
            return .refused(status: 500, message: ConsulText.noAssociatedTTL(checkID))
        }
        var check = existing.value
        change(&check)
        try putCheck(check)
        return .done
    }
}
