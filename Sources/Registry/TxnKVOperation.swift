/// One KV operation of a transaction (Consul's `TxnKVOp`).
public struct TxnKVOperation: Sendable, Equatable {
    /// What to do.
    public var verb: TxnKVVerb
    /// The key (or prefix, for the tree verbs), value and flags.
    public var entry: KVEntry
    /// The ModifyIndex that `cas`, `delete-cas` and `check-index` compare with.
    public var index: UInt64
    /// The session that `lock`, `unlock` and `check-session` use.
    public var session: String?

    /// A transaction KV operation.
    public init(verb: TxnKVVerb, entry: KVEntry, index: UInt64 = 0, session: String? = nil) {
        self.verb = verb
        self.entry = entry
        self.index = index
        self.session = session
    }
}
