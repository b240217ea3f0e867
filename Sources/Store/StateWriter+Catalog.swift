import Registry

// The catalog's building blocks, shared by the agent, catalog and txn commands: upserts that
// skip writes changing nothing (as Consul's ensure*Txn do, so anti-entropy churn wakes nobody)
// and deletes that cascade the way Consul's delete*Txn do, invalidating sessions on the way.

extension StateWriter {
    // MARK: Nodes

    /// Inserts or replaces `node`. ServiceNode and health entries carry the node's fields, so
    /// every service name on the node is touched too.
    mutating func ensureNode(_ node: Node) throws(StoreError) {
        let existing = try read.node(named: node.name)
        if existing?.value == node { return }
        try db.run(
            NodeRow.upsert,
            NodeRow.values(node, existing?.createIndex ?? index, index))
        wrote(.node(node.name), exists: true)
        let owner: [SQLiteValue] = [.text(node.name)]
        try db.replaceMap(.nodeTaggedAddresses, owner: owner, node.taggedAddresses)
        try db.replaceMap(.nodeMeta, owner: owner, node.meta)
        touch(.nodes, .node(node.name))
        for name in read.serviceNames(onNode: node.name) { touch(.service(name)) }
    }

    /// Removes the node with its services, its checks and its sessions (Consul's
    /// `deleteNodeTxn`). Returns false when there is no such node.
    mutating func deleteNode(_ name: String) throws(StoreError) -> Bool {
        guard try read.nodeExists(named: name) else { return false }
        for service in try read.services(onNode: name) {
            _ = try deleteService(node: name, id: service.value.id)
        }
        for check in try read.checks(onNode: name) {
            _ = try deleteCheck(node: name, id: check.value.checkID)
        }
        for session in try read.sessions(onNode: name) {
            try invalidateSession(session.value)
        }
        try db.run("DELETE FROM nodes WHERE name = ?", [.text(name)])
        wrote(.node(name), exists: false)
        try db.run("DELETE FROM check_owners WHERE node = ?", [.text(name)])
        touch(.nodes, .node(name))
        return true
    }

    // MARK: Services

    /// Inserts or replaces an instance on an existing node; returns Consul's refusal text when
    /// the node is missing. The instance's checks are brought up to its name and tags.
    mutating func ensureService(_ service: Service, onNode node: String) throws(StoreError) -> String? {
        guard try read.nodeExists(named: node) else { return ConsulText.missingNode }
        // Most registrations are of a new ID: the insert comes first, and only an ID that is
        // taken costs a read (for a new one, that read was a SELECT that found no row).
        if try insertServiceIfNew(service, onNode: node) { return nil }
        guard let existing = try read.service(node: node, id: service.id) else {
            throw .corrupt("services: the insert of \(node)/\(service.id) met a row that a read does not find")
        }
        if existing.value == service { return nil }
        try db.run(
            ServiceRow.upsert,
            ServiceRow.values(service, node: node, existing.createIndex, index))
        wrote(.service(service.name), exists: true)
        if existing.value.name != service.name {
            names.remove(name: existing.value.name, node: node, id: service.id)
            names.add(name: service.name, node: node, id: service.id)
        }
        try writeServiceChildren(service, node: node, replacing: true)
        touch(.services, .service(service.name), .node(node))
        if existing.value.name != service.name { touch(.service(existing.value.name)) }
        for check in try read.checks(node: node, serviceID: service.id) {
            var updated = check.value
            updated.serviceName = service.name
            updated.serviceTags = service.tags
            try putCheck(updated)
        }
        return nil
    }

    /// The first write of an instance: what `ensureService` does for an existing one, minus the
    /// work that cannot matter. The instance's child rows cascade from its row, so there are none
    /// to delete; and a service check is only written while its instance exists (`ensureCheck`)
    /// and is deleted with it (`deleteService`), so there is no check to re-tag.
    /// Returns false, having written nothing, when the node has an instance with that ID.
    private mutating func insertServiceIfNew(_ service: Service, onNode node: String) throws(StoreError) -> Bool {
        let before = db.totalChanges
        try db.run(ServiceRow.insertRegisteredIfNew, ServiceRow.values(service, node: node, index, index) + [.unsigned(nowMilliseconds ?? 0)])
        guard db.totalChanges != before else { return false }
        // try? in an assertion: a storage failure here reads as "no checks".
        assert((try? read.checks(node: node, serviceID: service.id).isEmpty) ?? true, "checks of a new instance \(service.id)")
        wrote(.service(service.name), exists: true)
        names.add(name: service.name, node: node, id: service.id)
        try writeServiceChildren(service, node: node, replacing: false)
        touch(.services, .service(service.name), .node(node))
        return true
    }

    /// Writes the instance's meta and tagged addresses (its tags are a column of its row);
    /// `replacing` deletes the old ones first, which only an instance that existed before can
    /// have.
    private func writeServiceChildren(_ service: Service, node: String, replacing: Bool) throws(StoreError) {
        // Most registrations are of a new instance with neither: nothing to build or write.
        if !replacing, service.meta.isEmpty, service.taggedAddresses.isEmpty { return }
        let owner: [SQLiteValue] = [.text(node), .text(service.id)]
        let meta: [[SQLiteValue]] = service.meta.keysInByteOrder.map { [.text($0), .text(service.meta[$0] ?? "")] }
        let addresses = service.taggedAddresses
        let tagged: [[SQLiteValue]] = addresses.keysInByteOrder.map { kind in
            let address = addresses[kind] ?? ServiceAddress(address: "", port: 0)
            return [.text(kind), .text(address.address), .int(address.port)]
        }
        for (child, items) in [(ChildTable.serviceMeta, meta), (.serviceTaggedAddresses, tagged)] {
            if replacing {
                try db.replace(child, owner: owner, items: items)
            } else {
                try db.insert(child, owner: owner, items: items)
            }
        }
    }

    /// Removes an instance and its checks (Consul's `deleteServiceTxn`). Returns false when
    /// there is no such instance.
    mutating func deleteService(node: String, id: String) throws(StoreError) -> Bool {
        guard let existing = try read.service(node: node, id: id) else { return false }
        for check in try read.checks(node: node, serviceID: id) {
            _ = try deleteCheck(node: node, id: check.value.checkID)
        }
        try db.run("DELETE FROM services WHERE node = ? AND id = ?", [.text(node), .text(id)])
        names.remove(name: existing.value.name, node: node, id: id)
        wrote(.service(existing.value.name), exists: false)
        touch(.services, .service(existing.value.name), .node(node))
        return true
    }

    // MARK: Checks

    /// Inserts or replaces a check after Consul's checks: the node must exist, and so must the
    /// instance of a service check, whose name and tags the check then carries. Returns
    /// Consul's refusal text, or nil.
    mutating func ensureCheck(_ check: Check) throws(StoreError) -> String? {
        guard try read.nodeExists(named: check.node) else { return ConsulText.missingNode }
        var stored = check
        if check.serviceID.isEmpty {
            stored.serviceName = ""
            stored.serviceTags = []
        } else {
            guard let service = try read.service(node: check.node, id: check.serviceID) else {
                return ConsulText.missingService
            }
            stored.serviceName = service.value.name
            stored.serviceTags = service.value.tags
        }
        try putCheck(stored)
        return nil
    }

    /// Writes a check whose node and service are known to exist, unless nothing changed. A
    /// check that is critical invalidates the sessions bound to it (Consul's `ensureCheckTxn`).
    mutating func putCheck(_ check: Check) throws(StoreError) {
        let existing = try read.check(node: check.node, id: check.checkID)
        if existing?.value == check { return }
        try db.run(
            CheckRow.upsert,
            CheckRow.values(check, existing?.createIndex ?? index, index))
        if existing == nil || existing?.value.status != check.status || existing?.value.output != check.output {
            try db.run("UPDATE checks SET status_ms = ? WHERE node = ? AND id = ?",
                       [.unsigned(nowMilliseconds ?? 0), .text(check.node), .text(check.checkID)])
        }
        let owner: [SQLiteValue] = [.text(check.node), .text(check.checkID)]
        try db.replaceList(.checkServiceTags, owner: owner, check.serviceTags)
        try db.replaceList(.checkArgs, owner: owner, check.definition.args)
        let header = check.definition.header
        try db.replace(.checkHeaders, owner: owner, items: header.keysInByteOrder.flatMap { name in
            (header[name] ?? []).enumerated().map { [.text(name), .int($0.offset), .text($0.element)] }
        })
        try touchCheck(check)
        if let old = existing?.value { try touchCheck(old) }
        if check.status == .critical {
            try invalidateSessions(node: check.node, boundToCheck: check.checkID)
        }
    }

    /// Removes a check and invalidates the sessions bound to it (Consul's `deleteCheckTxn`).
    /// Returns false when there is no such check.
    mutating func deleteCheck(node: String, id: String) throws(StoreError) -> Bool {
        guard let existing = try read.check(node: node, id: id) else { return false }
        try invalidateSessions(node: node, boundToCheck: id)
        try db.run("DELETE FROM checks WHERE node = ? AND id = ?", [.text(node), .text(id)])
        try touchCheck(existing.value)
        return true
    }

    /// A service check changes its service's health; a node-level check changes the health of
    /// every service on the node (Consul's `updateAllServiceIndexesOfNode`).
    private mutating func touchCheck(_ check: Check) throws(StoreError) {
        changedChecks.insert(CheckRef(node: check.node, checkID: check.checkID))
        touch(.checks, .node(check.node))
        if !check.serviceID.isEmpty {
            touch(.service(check.serviceName))
            return
        }
        for name in read.serviceNames(onNode: check.node) { touch(.service(name)) }
    }
}
