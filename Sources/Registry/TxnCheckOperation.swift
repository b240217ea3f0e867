/// One check operation of a transaction (Consul's `TxnCheckOp`).
public struct TxnCheckOperation: Sendable, Equatable {
    /// What to do.
    public var verb: TxnCatalogVerb
    /// The check (by node and ID for `get` and the delete verbs).
    public var check: Check
    /// The ModifyIndex that `cas` and `delete-cas` compare with (Consul's `Check.ModifyIndex`).
    public var index: UInt64

    /// A transaction check operation.
    public init(verb: TxnCatalogVerb, check: Check, index: UInt64 = 0) {
        self.verb = verb
        self.check = check
        self.index = index
    }
}
