import Registry

/// What applying one command did: the answer for the waiting request, and the watch keys of
/// everything it changed.
public struct ApplyOutcome: Sendable, Equatable {
    /// The answer for the request that proposed the command.
    public var result: ApplyResult
    /// What changed, sorted (`WatchKey`'s order) and without duplicates; empty when nothing did
    /// (a refusal, a CAS that did not match, a write of what was already there).
    public var touched: [WatchKey]
    /// The checks it wrote or deleted, sorted: what the node's timers and probe schedule must
    /// look at again (they need not read every check after every write).
    public var changedChecks: [CheckRef]

    public init(result: ApplyResult, touched: [WatchKey], changedChecks: [CheckRef] = []) {
        assert(touched == Array(Set(touched)).sorted(), "touched keys must be sorted and unique")
        assert(!result.isRefusal || touched.isEmpty, "a refusal changes nothing")
        self.result = result
        self.touched = touched
        self.changedChecks = changedChecks
    }
}

/// Names one check: its node and its ID.
public struct CheckRef: Sendable, Hashable, Comparable {
    public let node: String
    public let checkID: String

    public init(node: String, checkID: String) {
        self.node = node
        self.checkID = checkID
    }

    public static func < (a: CheckRef, b: CheckRef) -> Bool {
        a.node.utf8.lexicographicallyPrecedes(b.node.utf8)
            || (a.node == b.node && a.checkID.utf8.lexicographicallyPrecedes(b.checkID.utf8))
    }
}

/// The answer to one applied command, in the form the Consul API needs it.
public enum ApplyResult: Sendable, Equatable {
    /// Applied (agent and catalog writes, session destroy and renew, event fire).
    case done
    /// The `true` / `false` body of KV writes: CAS mismatch, lock held or lock-delay are
    /// `false`, as in Consul.
    case bool(Bool)
    /// Refused as part of the API, with Consul's HTTP status and text; nothing was written.
    case refused(status: Int, message: String)
    /// A session was created with this ID.
    case session(id: String)
    /// A transaction's results, or its errors (then nothing was written).
    case txn(TxnOutcome)
    /// A service configuration's new version number (8761 config PUT).
    case configVersion(UInt64)
    /// A least-connections lease was granted on this instance.
    case lease(LeaseOutcome)

    /// True for the outcomes that leave the store exactly as it was: a refusal or a failed
    /// transaction.
    public var isRefusal: Bool {
        switch self {
        case .refused: true
        case .txn(.errors): true
        case .done, .bool, .session, .txn(.results), .configVersion, .lease: false
        }
    }
}

/// The outcome of a `/v1/txn`: all operations applied, or none.
public enum TxnOutcome: Sendable, Equatable {
    /// Every operation succeeded; one result per operation that has one, in operation order
    /// (`get-tree` gives one per key; deletes and `check-not-exists` give none).
    case results([TxnResult])
    /// At least one operation failed; every failure is listed and nothing was written.
    case errors([TxnError])
}

/// One item of a successful transaction's `Results`. KV entries carry their value only for
/// `get` and `get-tree`, as in Consul (other verbs report the entry with an empty value).
public enum TxnResult: Sendable, Equatable {
    case kv(Indexed<KVEntry>)
    case node(Indexed<Node>)
    case service(Indexed<Service>)
    case check(Indexed<Check>)
}

/// One item of a failed transaction's `Errors`: Consul's `OpIndex` and `What`.
public struct TxnError: Sendable, Equatable {
    /// The position of the failed operation in the request, from 0.
    public var opIndex: Int
    /// Consul's text for the failure.
    public var what: String

    public init(opIndex: Int, what: String) {
        self.opIndex = opIndex
        self.what = what
    }
}

/// Where a least-connections lease went, and until when it counts.
public struct LeaseOutcome: Sendable, Equatable {
    public var leaseID: String
    public var node: String
    public var serviceID: String
    /// Leader time (Unix milliseconds) after which the lease no longer counts.
    public var expiresMilliseconds: UInt64

    public init(leaseID: String, node: String, serviceID: String, expiresMilliseconds: UInt64) {
        self.leaseID = leaseID
        self.node = node
        self.serviceID = serviceID
        self.expiresMilliseconds = expiresMilliseconds
    }
}
