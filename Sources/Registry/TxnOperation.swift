/// One operation of a `/v1/txn` request; each request body item has exactly one of `KV`,
/// `Node`, `Service`, `Check`.
public enum TxnOperation: Sendable, Equatable {
    /// A KV operation.
    case kv(TxnKVOperation)
    /// A node operation.
    case node(TxnNodeOperation)
    /// A service operation.
    case service(TxnServiceOperation)
    /// A check operation.
    case check(TxnCheckOperation)

    /// True when the operation changes the store.
    public var isWrite: Bool {
        switch self {
        case .kv(let operation): operation.verb.isWrite
        case .node(let operation): operation.verb.isWrite
        case .service(let operation): operation.verb.isWrite
        case .check(let operation): operation.verb.isWrite
        }
    }
}
