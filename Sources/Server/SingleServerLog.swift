import Store

/// The replicated log of a cluster with one voter: what writes go through until Raft replaces
/// it. It has Raft's shape on purpose, so the node's write path stays the same when Raft lands:
/// `propose` appends to the unstable tail; `takeEntriesToPersist` hands out what the shell must
/// make durable (one batch in flight at a time, so proposals that arrive during an fsync share
/// the next one: group commit); `persisted(through:)` reports durability, which for a single
/// voter is also commitment; `takeCommitted` hands out what to apply, in index order.
public struct SingleServerLog {
    /// Entry kinds in `raft.db`.
    public enum Kind: UInt8, Sendable {
        /// The configuration entry every log starts with (index 1): clients never see index 0.
        case configuration = 1
        /// An encoded `Command`.
        case command = 2
    }

    /// Single-server clusters never hold an election: every entry is in term 1.
    public static let term: UInt64 = 1

    public private(set) var lastIndex: UInt64
    public private(set) var durableIndex: UInt64
    public private(set) var appliedIndex: UInt64
    private var unstable: [LogEntryRecord] = []
    private var persisting: [LogEntryRecord] = []
    /// Durable entries not yet applied (replay at start-up, then each persisted batch).
    private var committed: [LogEntryRecord] = []
    /// Most entries proposed but not yet durable; `propose` refuses beyond it.
    public let maxUnstableEntries: Int

    /// Starts from what `raft.db` holds: `durable` are the entries after `appliedIndex`.
    public init(lastIndex: UInt64, appliedIndex: UInt64, durable: [LogEntryRecord], maxUnstableEntries: Int = 65536) {
        precondition(appliedIndex <= lastIndex)
        precondition(durable.first.map { $0.index == appliedIndex + 1 } ?? (appliedIndex == lastIndex), "replay must start right after the applied index")
        precondition(durable.last.map { $0.index == lastIndex } ?? true)
        self.lastIndex = lastIndex
        durableIndex = lastIndex
        self.appliedIndex = appliedIndex
        committed = durable
        self.maxUnstableEntries = maxUnstableEntries
    }

    /// Appends a new entry; returns its index, or nil when too many writes are waiting for the disk.
    public mutating func propose(kind: Kind, data: [UInt8]) -> UInt64? {
        guard unstable.count + persisting.count < maxUnstableEntries else { return nil }
        lastIndex += 1
        unstable.append(LogEntryRecord(index: lastIndex, term: Self.term, kind: kind.rawValue, data: data))
        return lastIndex
    }

    /// The next batch to make durable, if none is in flight.
    public mutating func takeEntriesToPersist() -> [LogEntryRecord]? {
        guard persisting.isEmpty, !unstable.isEmpty else { return nil }
        swap(&persisting, &unstable)
        return persisting
    }

    /// The shell made everything through `index` durable (the batch it was given).
    public mutating func persisted(through index: UInt64) {
        precondition(index == persisting.last?.index, "persisted(\(index)) does not match the batch in flight")
        durableIndex = index
        committed.append(contentsOf: persisting)
        persisting.removeAll(keepingCapacity: true)
    }

    /// Durable entries to apply, in order; the caller applies them all.
    public mutating func takeCommitted() -> [LogEntryRecord] {
        guard !committed.isEmpty else { return [] }
        let batch = committed
        committed.removeAll(keepingCapacity: true)
        assert(batch.first!.index == appliedIndex + 1)
        appliedIndex = batch.last!.index
        return batch
    }
}
