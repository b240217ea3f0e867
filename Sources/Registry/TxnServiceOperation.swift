/// One service operation of a transaction (Consul's `TxnServiceOp`).
public struct TxnServiceOperation: Sendable, Equatable {
    /// What to do.
    public var verb: TxnCatalogVerb
    /// The node the instance is on.
    public var node: String
    /// The instance (by ID for `get` and the delete verbs).
    public var service: Service
    /// The ModifyIndex that `cas` and `delete-cas` compare with (Consul's `Service.ModifyIndex`).
    public var index: UInt64

    /// A transaction service operation.
    public init(verb: TxnCatalogVerb, node: String, service: Service, index: UInt64 = 0) {
        self.verb = verb
        self.node = node
        self.service = service
        self.index = index
    }
}
