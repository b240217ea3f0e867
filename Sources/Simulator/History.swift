/// What a client asked of the KV store, as the history records it (Jepsen's `:f` and `:value`).
public enum KVRequest: Sendable, Equatable {
    /// `GET /v1/kv/<key>?consistent`.
    case read
    /// `PUT /v1/kv/<key>` with a value no other request writes.
    case write(String)
    /// `PUT /v1/kv/<key>?cas=<expectedIndex>`: set `value` only if the key's ModifyIndex is
    /// `expectedIndex` (0: only if the key does not exist).
    case cas(expectedIndex: UInt64, value: String)
}

/// How a request ended (Jepsen's `:ok`, `:fail`, `:info`).
public enum KVOutcome: Sendable, Equatable {
    /// A read found the key with this value and ModifyIndex.
    case found(String, modifyIndex: UInt64)
    /// A read found no key (404).
    case notFound
    /// A write or CAS answered `true`.
    case applied
    /// A write or CAS answered `false`: it took no effect (a CAS whose index did not match).
    case refused
    /// No answer, a 5xx, or the node crashed: a write may or may not have taken effect, a read
    /// tells nothing.
    case unknown
}

/// One client operation: when it was invoked and completed, in the simulation's global order
/// (`order` numbers every event, so two operations never tie), and on which node.
public struct HistoryEntry: Sendable, Equatable {
    public var client: Int
    public var node: Int
    public var key: String
    public var request: KVRequest
    public var outcome: KVOutcome
    public var invokedAt: SimMilliseconds
    public var invokeOrder: UInt64
    /// nil while pending or when it never completed (`unknown`).
    public var completedAt: SimMilliseconds?
    public var completeOrder: UInt64?

    public init(client: Int, node: Int, key: String, request: KVRequest, outcome: KVOutcome = .unknown,
                invokedAt: SimMilliseconds, invokeOrder: UInt64, completedAt: SimMilliseconds? = nil, completeOrder: UInt64? = nil) {
        self.client = client
        self.node = node
        self.key = key
        self.request = request
        self.outcome = outcome
        self.invokedAt = invokedAt
        self.invokeOrder = invokeOrder
        self.completedAt = completedAt
        self.completeOrder = completeOrder
    }

    /// One line for a failure report.
    public var summary: String {
        let end = completedAt.map { "\($0) ms" } ?? "never"
        return "client \(client) via n\(node + 1) \(key) \(request) -> \(outcome) [\(invokedAt) ms .. \(end)]"
    }
}
