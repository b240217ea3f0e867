import Registry

// Sessions (consul-api.md §2.6; hashicorp/consul agent/consul/state/session.go) and the
// lock-delay their invalidation starts on the keys they held.

extension StateWriter {
    /// Creates a session on an existing node, bound to checks of that node that exist and are
    /// not critical; refusals in Consul's words (500s).
    mutating func sessionCreate(_ session: Session, nowMilliseconds: UInt64) throws(StoreError) -> ApplyResult {
        guard try read.nodeExists(named: session.node) else { return .refused(status: 500, message: ConsulText.missingNode) }
        guard try read.session(id: session.id) == nil else {
            return .refused(status: 500, message: ConsulText.sessionExists(session.id))
        }
        for checkID in session.nodeChecks + session.serviceChecks.map(\.id) {
            guard let check = try read.check(node: session.node, id: checkID) else {
                return .refused(status: 500, message: ConsulText.missingCheck(checkID))
            }
            guard check.value.status != .critical else {
                return .refused(status: 500, message: ConsulText.checkInState(checkID, check.value.status.rawValue))
            }
        }
        try db.run(
            "INSERT INTO sessions(\(SessionRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            SessionRow.values(session, renewedMilliseconds: nowMilliseconds, index, index))
        let nodeChecks: [[SQLiteValue]] = session.nodeChecks.enumerated().map {
            [.text("node"), .int($0.offset), .text($0.element), .text("")]
        }
        let serviceChecks: [[SQLiteValue]] = session.serviceChecks.enumerated().map {
            [.text("service"), .int($0.offset), .text($0.element.id), .text($0.element.namespace)]
        }
        try db.replace(.sessionChecks, owner: [.text(session.id)], items: nodeChecks + serviceChecks)
        touch(.sessions)
        return .session(id: session.id)
    }

    /// Destroys a session, applying its behavior to the keys it holds. Unknown IDs are a
    /// no-op, as `session/destroy` is idempotent in Consul.
    mutating func sessionDestroy(id: String) throws(StoreError) -> ApplyResult {
        if let session = try read.session(id: id) {
            try invalidateSession(session.value)
        }
        return .done
    }

    /// Records the leader time of the renewal, from which the leader counts the TTL. Nothing a
    /// client sees changes (Consul does not even write renewals), so no index moves.
    mutating func sessionRenew(id: String, nowMilliseconds: UInt64) throws(StoreError) -> ApplyResult {
        guard try read.session(id: id) != nil else { return .refused(status: 404, message: ConsulText.sessionNotFound(id)) }
        try db.run("UPDATE sessions SET renewed_ms = ? WHERE id = ?", [.milliseconds(nowMilliseconds), .text(id)])
        return .done
    }

    /// Ends a session: its keys are released (or deleted, per `behavior`) and enter lock-delay,
    /// then the session and its check bindings go (Consul's `deleteSessionTxn`).
    mutating func invalidateSession(_ session: Session) throws(StoreError) {
        for key in try read.kvKeys(heldBy: session.id) {
            switch session.behavior {
            case .release: try releaseLock(key: key)
            case .delete: try kvDelete(key: key)
            }
            try startLockDelay(key: key, nanoseconds: session.lockDelayNanoseconds)
        }
        try db.run("DELETE FROM sessions WHERE id = ?", [.text(session.id)])
        touch(.sessions)
    }

    /// Invalidates the sessions on `node` bound to its check `checkID` (it turned critical or
    /// is being deleted).
    mutating func invalidateSessions(node: String, boundToCheck checkID: String) throws(StoreError) {
        for id in try read.sessionIDs(node: node, boundToCheck: checkID) {
            guard let session = try read.session(id: id) else { continue }
            try invalidateSession(session.value)
        }
    }

    // MARK: Lock-delay

    /// Starts (or extends) the lock-delay of `key`: until then, no session may acquire it.
    ///
    /// The end is in leader milliseconds, so it needs the leader's time for this command; a
    /// command applied without one (see `IndexedCommand.leaderMilliseconds`) records no
    /// lock-delay rather than inventing a clock. Expired rows are dropped here, which keeps
    /// the table to the keys released in the last `maxLockDelay`.
    mutating func startLockDelay(key: String, nanoseconds: Int64) throws(StoreError) {
        guard nanoseconds > 0, let now = nowMilliseconds else { return }
        let delayMilliseconds = UInt64((nanoseconds + 999_999) / 1_000_000)
        let (until, overflow) = now.addingReportingOverflow(delayMilliseconds)
        try db.run("DELETE FROM kv_lock_delays WHERE until_ms <= ?", [.milliseconds(now)])
        try db.run(
            """
            INSERT INTO kv_lock_delays(key, until_ms, create_index, modify_index) VALUES (?, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET until_ms = max(until_ms, excluded.until_ms), modify_index = excluded.modify_index
            """, [.key(key), .milliseconds(overflow ? UInt64.max : until), .unsigned(index), .unsigned(index)])
    }

    /// True while a lock-delay on `key` runs at this command's leader time. Without a time the
    /// delay cannot be judged and is not enforced (see `startLockDelay`).
    func isLockDelayed(key: String) throws(StoreError) -> Bool {
        guard let now = nowMilliseconds, let until = try read.lockDelayUntil(key: key) else { return false }
        return until > now
    }
}
