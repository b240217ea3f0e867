/// Requests parked until something they watch changes or their deadline passes (blocking
/// queries, DESIGN.md §8). Waiters are keyed by what they watch, so a write wakes only the
/// waiters it concerns; a key may also be a prefix (a KV tree), matched by `covers`.
///
/// Every list this type returns is sorted by request ID: dictionary order never reaches an output.
public struct WaiterTable<Key: Hashable & Comparable> {
    /// One parked request.
    public struct Waiter {
        public let id: RequestID
        public let keys: [Key]
        public let deadlineMilliseconds: UInt64
    }

    private var waiters: [RequestID: Waiter] = [:]
    private var byKey: [Key: Set<RequestID>] = [:]
    /// Most parked requests at once; `park` refuses beyond it (the API answers 429).
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { waiters.count }

    /// Parks `id` until one of `keys` changes or `deadlineMilliseconds`. False when full.
    public mutating func park(_ id: RequestID, keys: [Key], deadlineMilliseconds: UInt64) -> Bool {
        precondition(waiters[id] == nil, "request \(id) parked twice")
        precondition(!keys.isEmpty, "a waiter must watch something")
        guard waiters.count < capacity else { return false }
        waiters[id] = Waiter(id: id, keys: keys, deadlineMilliseconds: deadlineMilliseconds)
        for key in keys { byKey[key, default: []].insert(id) }
        return true
    }

    /// Removes and returns the waiters watching any key for which `covers(watched, changed)` holds
    /// with one of `changed`. With exact keys pass `==`.
    public mutating func wake(_ changed: [Key], covers: (Key, Key) -> Bool) -> [RequestID] {
        var woken = Set<RequestID>()
        for (watched, ids) in byKey where changed.contains(where: { covers(watched, $0) }) {
            woken.formUnion(ids)
        }
        return woken.sorted().map { remove($0) }.compactMap { $0?.id }
    }

    /// Removes and returns the waiters whose deadline is at or before `now`.
    public mutating func expire(now: UInt64) -> [RequestID] {
        let due = waiters.values.filter { $0.deadlineMilliseconds <= now }.map(\.id).sorted()
        for id in due { remove(id) }
        return due
    }

    /// Forgets a waiter (its connection closed). Returns it if it was parked.
    @discardableResult
    public mutating func remove(_ id: RequestID) -> Waiter? {
        guard let waiter = waiters.removeValue(forKey: id) else { return nil }
        for key in waiter.keys {
            byKey[key]?.remove(id)
            if byKey[key]?.isEmpty == true { byKey[key] = nil }
        }
        return waiter
    }
}

extension RequestID: Comparable {
    public static func < (a: RequestID, b: RequestID) -> Bool {
        (a.connection, a.sequence) < (b.connection, b.sequence)
    }
}
