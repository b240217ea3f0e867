import Registry

// KV writes with Consul's semantics (consul-api.md §2.4; hashicorp/consul
// agent/consul/state/kvs.go): plain sets keep the lock, CAS compares ModifyIndex (0 = absent),
// acquire bumps LockIndex only on a new holder, release only by the holder, deletes leave
// tombstones so a prefix's index never goes backwards.

/// How an acquire went.
enum LockAttempt: Equatable {
    case acquired
    case heldByAnother
    case inLockDelay
    case invalidSession
}

extension StateWriter {
    /// `PUT /v1/kv/:key` in all its forms; answers `true` / `false` as Consul does.
    mutating func kv(_ operation: KVOperation) throws(StoreError) -> ApplyResult {
        switch operation {
        case .set(let entry):
            try kvSet(entry)
            return .bool(true)
        case .cas(let entry, let casIndex):
            return .bool(try kvCAS(entry, index: casIndex))
        case .lock(let entry, let session):
            return try kvLockResult(entry, session: session)
        case .unlock(let entry, let session):
            guard !session.isEmpty else { return .refused(status: 500, message: ConsulText.missingSession) }
            return .bool(try kvUnlock(entry, session: session))
        case .delete(let key):
            try kvDelete(key: key)
            return .bool(true)
        case .deleteCAS(let key, let casIndex):
            return .bool(try kvDeleteCAS(key: key, index: casIndex))
        case .deleteTree(let prefix):
            try kvDeleteTree(prefix: prefix)
            return .bool(true)
        }
    }

    private mutating func kvLockResult(_ entry: KVEntry, session: String) throws(StoreError) -> ApplyResult {
        guard !session.isEmpty else { return .refused(status: 500, message: ConsulText.missingSession) }
        switch try kvLock(entry, session: session) {
        case .acquired: return .bool(true)
        case .heldByAnother, .inLockDelay: return .bool(false)
        case .invalidSession: return .refused(status: 500, message: ConsulText.invalidSession(session))
        }
    }

    /// Writes value and flags, keeping the key's lock holder and LockIndex.
    mutating func kvSet(_ entry: KVEntry) throws(StoreError) {
        let existing = try read.kvEntry(key: entry.key)
        var stored = entry
        stored.session = existing?.value.session
        stored.lockIndex = existing?.value.lockIndex ?? 0
        try putKV(stored, existing: existing)
    }

    /// Sets only if the key's ModifyIndex is `index`, or the key is absent when `index` is 0.
    mutating func kvCAS(_ entry: KVEntry, index casIndex: UInt64) throws(StoreError) -> Bool {
        let existing = try read.kvEntry(key: entry.key)
        guard casMatches(existing?.modifyIndex, casIndex) else { return false }
        try kvSet(entry)
        return true
    }

    /// Acquires the lock on the key for `session` and writes value and flags. A fresh holder
    /// bumps LockIndex; the holder itself only updates the value.
    mutating func kvLock(_ entry: KVEntry, session: String) throws(StoreError) -> LockAttempt {
        precondition(!session.isEmpty, "callers refuse an empty session first")
        // Consul judges lock-delay before the session (kvs_endpoint.go checks it pre-apply).
        if try isLockDelayed(key: entry.key) { return .inLockDelay }
        guard try read.session(id: session) != nil else { return .invalidSession }
        let existing = try read.kvEntry(key: entry.key)
        var stored = entry
        stored.session = session
        switch existing?.value.session {
        case session?: stored.lockIndex = existing?.value.lockIndex ?? 0
        case nil: stored.lockIndex = (existing?.value.lockIndex ?? 0) + 1
        case _?: return .heldByAnother
        }
        try putKV(stored, existing: existing)
        return .acquired
    }

    /// Releases the lock if `session` holds it, writing value and flags; false otherwise.
    mutating func kvUnlock(_ entry: KVEntry, session: String) throws(StoreError) -> Bool {
        guard let existing = try read.kvEntry(key: entry.key), existing.value.session == session else { return false }
        var stored = entry
        stored.session = nil
        stored.lockIndex = existing.value.lockIndex
        try putKV(stored, existing: existing)
        return true
    }

    /// Clears the key's holder, keeping its value (a session invalidated with `release`).
    mutating func releaseLock(key: String) throws(StoreError) {
        guard let existing = try read.kvEntry(key: key) else { return }
        var stored = existing.value
        stored.session = nil
        try putKV(stored, existing: existing)
    }

    /// Deletes the key, leaving a tombstone at this index; a missing key is a no-op.
    mutating func kvDelete(key: String) throws(StoreError) {
        guard try read.kvEntry(key: key) != nil else { return }
        try db.run(
            "INSERT INTO kv_tombstones(key, idx) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET idx = excluded.idx",
            [.key(key), .unsigned(index)])
        try db.run("DELETE FROM kvs WHERE key = ?", [.key(key)])
        touch(.kv(key))
    }

    /// Deletes only if the key's ModifyIndex is `index`. A missing key answers true, as in
    /// Consul's `kvsDeleteCASTxn`.
    mutating func kvDeleteCAS(key: String, index casIndex: UInt64) throws(StoreError) -> Bool {
        guard let existing = try read.kvEntry(key: key) else { return true }
        guard existing.modifyIndex == casIndex else { return false }
        try kvDelete(key: key)
        return true
    }

    /// Deletes every key under `prefix` ("" is all), each leaving its own tombstone.
    mutating func kvDeleteTree(prefix: String) throws(StoreError) {
        for key in try read.kvKeys(prefix: prefix) {
            try kvDelete(key: key)
        }
    }

    /// Writes the entry as given unless it equals what is stored (Consul skips such writes, so
    /// ModifyIndex and watchers stay put).
    private mutating func putKV(_ entry: KVEntry, existing: Indexed<KVEntry>?) throws(StoreError) {
        assert(existing == nil || existing?.value.key == entry.key, "putKV of another key's entry")
        assert(entry.lockIndex >= (existing?.value.lockIndex ?? 0), "LockIndex never goes down")
        assert(entry.session == nil || entry.lockIndex > 0, "a held key has been acquired at least once")
        if existing?.value == entry { return }
        try db.run(KVRow.upsert, KVRow.values(entry, existing?.createIndex ?? index, index))
        touch(.kv(entry.key))
    }
}

/// Consul's CAS rule: index 0 means "must not exist", any other must equal the ModifyIndex.
func casMatches(_ modifyIndex: UInt64?, _ expected: UInt64) -> Bool {
    expected == 0 ? modifyIndex == nil : modifyIndex == expected
}
