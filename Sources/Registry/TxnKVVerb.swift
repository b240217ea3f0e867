/// The KV verbs of `/v1/txn` (Consul's `api.KVOp`). Raw values are Consul's texts.
public enum TxnKVVerb: String, Sendable, Equatable, CaseIterable {
    /// Write value and flags, ignoring locks.
    case set
    /// Write only if the ModifyIndex matches (0: only if absent).
    case cas
    /// Write and acquire the lock for the session.
    case lock
    /// Write and release the session's lock.
    case unlock
    /// Read one key; missing rolls the transaction back.
    case get
    /// Read every key under a prefix.
    case getTree = "get-tree"
    /// Fail unless the key's ModifyIndex matches.
    case checkIndex = "check-index"
    /// Fail unless the session holds the key's lock.
    case checkSession = "check-session"
    /// Fail if the key exists.
    case checkNotExists = "check-not-exists"
    /// Remove one key.
    case delete
    /// Remove every key under a prefix.
    case deleteTree = "delete-tree"
    /// Remove only if the ModifyIndex matches.
    case deleteCAS = "delete-cas"
    /// Like `get`, but a missing key is an empty result rather than a rollback.
    case getOrEmpty = "get-or-empty"

    /// True for verbs that change the store; a transaction without them is served like a read.
    public var isWrite: Bool {
        switch self {
        case .set, .cas, .lock, .unlock, .delete, .deleteTree, .deleteCAS: true
        case .get, .getTree, .checkIndex, .checkSession, .checkNotExists, .getOrEmpty: false
        }
    }
}
