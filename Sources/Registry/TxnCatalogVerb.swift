/// The node, service and check verbs of `/v1/txn` (Consul's `api.NodeOp`, `ServiceOp`,
/// `CheckOp`). Raw values are Consul's texts.
public enum TxnCatalogVerb: String, Sendable, Equatable, CaseIterable {
    /// Create or replace.
    case set
    /// Replace only if the ModifyIndex matches.
    case cas
    /// Read; a missing item rolls the transaction back.
    case get
    /// Remove.
    case delete
    /// Remove only if the ModifyIndex matches.
    case deleteCAS = "delete-cas"

    /// True for verbs that change the store.
    public var isWrite: Bool {
        switch self {
        case .set, .cas, .delete, .deleteCAS: true
        case .get: false
        }
    }
}
