/// One node operation of a transaction (Consul's `TxnNodeOp`).
public struct TxnNodeOperation: Sendable, Equatable {
    /// What to do.
    public var verb: TxnCatalogVerb
    /// The node (by name for `get` and the delete verbs).
    public var node: Node
    /// The ModifyIndex that `cas` and `delete-cas` compare with (Consul's `Node.ModifyIndex`).
    public var index: UInt64

    /// A transaction node operation.
    public init(verb: TxnCatalogVerb, node: Node, index: UInt64 = 0) {
        self.verb = verb
        self.node = node
        self.index = index
    }
}
