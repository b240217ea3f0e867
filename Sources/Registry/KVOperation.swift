/// A replicated KV write (`PUT` / `DELETE /v1/kv/:key`). Reads never go through the log except
/// inside a transaction (`TxnKVVerb`). Every `index` is a Raft index (a `ModifyIndex`).
public enum KVOperation: Sendable, Equatable {
    /// Plain `PUT`: writes value and flags, ignoring any lock.
    case set(KVEntry)
    /// `PUT ?cas=index`: writes only if the key's ModifyIndex is `index` (0: only if absent).
    case cas(KVEntry, index: UInt64)
    /// `PUT ?acquire=session`: writes and takes the lock if it is free or already `session`'s.
    /// The entry's own `session` field is not read; `session` is the one that acquires.
    case lock(KVEntry, session: String)
    /// `PUT ?release=session`: writes and frees the lock if `session` holds it.
    /// The entry's own `session` field is not read.
    case unlock(KVEntry, session: String)
    /// `DELETE`: removes one key (true even if it did not exist).
    case delete(key: String)
    /// `DELETE ?cas=index`: removes the key only if its ModifyIndex is `index`.
    case deleteCAS(key: String, index: UInt64)
    /// `DELETE ?recurse`: removes every key starting with `prefix` ("" is every key).
    case deleteTree(prefix: String)
}
