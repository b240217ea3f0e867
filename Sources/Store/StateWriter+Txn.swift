import Registry

// `/v1/txn` (consul-api.md §2.5; hashicorp/consul agent/consul/state/txn.go): every operation
// runs in order and every failure is collected, as Consul does; if any failed the caller rolls
// the whole command back, so a failed transaction writes nothing.

/// What one transaction operation produced.
enum TxnStep {
    case results([TxnResult])
    case failed(String)
}

extension StateWriter {
    mutating func txn(_ operations: [TxnOperation]) throws(StoreError) -> ApplyResult {
        var results: [TxnResult] = []
        var errors: [TxnError] = []
        for (opIndex, operation) in operations.enumerated() {
            switch try txnStep(operation) {
            case .results(let produced): results += produced
            case .failed(let what): errors.append(TxnError(opIndex: opIndex, what: what))
            }
        }
        return errors.isEmpty ? .txn(.results(results)) : .txn(.errors(errors))
    }

    private mutating func txnStep(_ operation: TxnOperation) throws(StoreError) -> TxnStep {
        switch operation {
        case .kv(let op): try txnKV(op)
        case .node(let op): try txnNode(op)
        case .service(let op): try txnService(op)
        case .check(let op): try txnCheck(op)
        }
    }

    // MARK: KV

    private mutating func txnKV(_ op: TxnKVOperation) throws(StoreError) -> TxnStep {
        let key = op.entry.key
        switch op.verb {
        case .set:
            try kvSet(op.entry)
            return try written(key)
        case .cas:
            guard try kvCAS(op.entry, index: op.index) else { return .failed(TxnText.staleSet(key: key)) }
            return try written(key)
        case .lock:
            return try txnLock(op)
        case .unlock:
            guard let session = op.session, !session.isEmpty else { return .failed(ConsulText.missingSession) }
            guard try kvUnlock(op.entry, session: session) else { return .failed(TxnText.notUnlocked(key: key)) }
            return try written(key)
        case .delete:
            try kvDelete(key: key)
            return .results([])
        case .deleteTree:
            try kvDeleteTree(prefix: key)
            return .results([])
        case .deleteCAS:
            guard try kvDeleteCAS(key: key, index: op.index) else { return .failed(TxnText.staleDelete(key: key)) }
            return .results([])
        case .get, .getOrEmpty, .getTree, .checkIndex, .checkSession, .checkNotExists:
            return try txnKVRead(op)
        }
    }

    private mutating func txnLock(_ op: TxnKVOperation) throws(StoreError) -> TxnStep {
        let key = op.entry.key
        guard let session = op.session, !session.isEmpty else { return .failed(ConsulText.missingSession) }
        switch try kvLock(op.entry, session: session) {
        case .acquired: return try written(key)
        case .heldByAnother: return .failed(TxnText.lockHeld(key: key))
        case .inLockDelay: return .failed(TxnText.lockDelay(key: key))
        case .invalidSession: return .failed(ConsulText.invalidSession(session))
        }
    }

    private func txnKVRead(_ op: TxnKVOperation) throws(StoreError) -> TxnStep {
        let key = op.entry.key
        if op.verb == .getTree {
            return .results(try read.kvEntries(prefix: key).map { .kv($0) })
        }
        let entry = try read.kvEntry(key: key)
        switch op.verb {
        case .get:
            guard let entry else { return .failed(TxnText.keyMissing(key)) }
            return .results([.kv(entry)])
        case .getOrEmpty:
            return .results(entry.map { [.kv($0)] } ?? [])
        case .checkNotExists:
            return entry == nil ? .results([]) : .failed(TxnText.keyExists(key))
        case .checkIndex:
            guard let entry else { return .failed(TxnText.checkIndexMissing(key)) }
            guard entry.modifyIndex == op.index else {
                return .failed(TxnText.checkIndexMismatch(key, current: entry.modifyIndex, expected: op.index))
            }
            return .results([.kv(withoutValue(entry))])
        case .checkSession:
            guard let entry else { return .failed(TxnText.checkSessionMissing(key)) }
            guard entry.value.session == op.session else {
                return .failed(TxnText.checkSessionMismatch(key, current: entry.value.session ?? "", expected: op.session ?? ""))
            }
            return .results([.kv(withoutValue(entry))])
        case .set, .cas, .lock, .unlock, .delete, .deleteTree, .deleteCAS, .getTree:
            preconditionFailure("txnKVRead called for \(op.verb)")
        }
    }

    /// The key as just written, without its value (Consul returns values only for reads).
    private func written(_ key: String) throws(StoreError) -> TxnStep {
        guard let entry = try read.kvEntry(key: key) else { preconditionFailure("key \(key) missing right after its write") }
        return .results([.kv(withoutValue(entry))])
    }

    private func withoutValue(_ entry: Indexed<KVEntry>) -> Indexed<KVEntry> {
        var stripped = entry
        stripped.value.value = []
        return stripped
    }

    // MARK: Catalog

    private mutating func txnNode(_ op: TxnNodeOperation) throws(StoreError) -> TxnStep {
        let name = op.node.name
        let existing = try read.node(named: name)
        switch op.verb {
        case .get:
            guard let existing else { return .failed(TxnText.nodeMissing(name)) }
            return .results([.node(existing)])
        case .set, .cas:
            guard op.verb == .set || casMatches(existing?.modifyIndex, op.index) else { return .failed(TxnText.staleNode("set", name)) }
            try ensureNode(op.node)
            guard let stored = try read.node(named: name) else { preconditionFailure("node \(name) missing after its write") }
            return .results([.node(stored)])
        case .delete:
            _ = try deleteNode(name)
            return .results([])
        case .deleteCAS:
            guard let existing, existing.modifyIndex == op.index else { return .failed(TxnText.staleNode("delete", name)) }
            _ = try deleteNode(name)
            return .results([])
        }
    }

    private mutating func txnService(_ op: TxnServiceOperation) throws(StoreError) -> TxnStep {
        let id = op.service.id
        let existing = try read.service(node: op.node, id: id)
        switch op.verb {
        case .get:
            guard let existing else { return .failed(TxnText.serviceMissing(id, node: op.node)) }
            return .results([.service(existing)])
        case .set, .cas:
            guard op.verb == .set || casMatches(existing?.modifyIndex, op.index) else {
                return .failed(TxnText.staleService("set", id, node: op.node))
            }
            if let problem = try ensureService(op.service, onNode: op.node) { return .failed(problem) }
            guard let stored = try read.service(node: op.node, id: id) else { preconditionFailure("service \(id) missing after its write") }
            return .results([.service(stored)])
        case .delete:
            _ = try deleteService(node: op.node, id: id)
            return .results([])
        case .deleteCAS:
            guard let existing, existing.modifyIndex == op.index else {
                return .failed(TxnText.staleService("delete", id, node: op.node))
            }
            _ = try deleteService(node: op.node, id: id)
            return .results([])
        }
    }

    private mutating func txnCheck(_ op: TxnCheckOperation) throws(StoreError) -> TxnStep {
        let (node, id) = (op.check.node, op.check.checkID)
        let existing = try read.check(node: node, id: id)
        switch op.verb {
        case .get:
            guard let existing else { return .failed(TxnText.checkMissing(id, node: node)) }
            return .results([.check(existing)])
        case .set, .cas:
            guard op.verb == .set || casMatches(existing?.modifyIndex, op.index) else {
                return .failed(TxnText.staleCheck("set", id, node: node))
            }
            if let problem = try ensureCheck(op.check) { return .failed(problem) }
            guard let stored = try read.check(node: node, id: id) else { preconditionFailure("check \(id) missing after its write") }
            return .results([.check(stored)])
        case .delete:
            _ = try deleteCheck(node: node, id: id)
            return .results([])
        case .deleteCAS:
            guard let existing, existing.modifyIndex == op.index else {
                return .failed(TxnText.staleCheck("delete", id, node: node))
            }
            _ = try deleteCheck(node: node, id: id)
            return .results([])
        }
    }
}
