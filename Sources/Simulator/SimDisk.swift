import Raft

/// What a node's `raft.db` holds once synced: the model a restart boots from. Writes arrive in
/// the order the node issued them; each one is applied whole (a batch is one fsync).
public struct DurableLog: Sendable, Equatable {
    public var hardState = HardState()
    public var snapshotIndex: UInt64 = 0
    public var snapshotTerm: UInt64 = 0
    public var snapshotMembership: Membership?
    /// Entries after the snapshot, contiguous.
    public var entries: [RaftEntry] = []

    public init() {}

    public var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }

    /// A compaction first (the log now starts after `index`/`term`), then a new hard state,
    /// then `newEntries`, which replace everything from the first one's index on.
    public mutating func write(hardState newHardState: HardState?, entries newEntries: [RaftEntry],
                               compactedThrough compaction: (index: UInt64, term: UInt64, membership: Membership?)?) {
        if let compaction { compact(index: compaction.index, term: compaction.term, membership: compaction.membership) }
        if let newHardState { hardState = newHardState }
        guard let first = newEntries.first else { return }
        precondition(first.index > snapshotIndex, "entry \(first.index) written behind the snapshot at \(snapshotIndex)")
        precondition(first.index <= lastIndex + 1, "entry \(first.index) leaves a gap after \(lastIndex)")
        entries.removeSubrange(Int(first.index - snapshotIndex - 1)...)
        entries += newEntries
        assert(zip(entries, entries.dropFirst()).allSatisfy { $0.index + 1 == $1.index }, "durable entries are contiguous")
    }

    private mutating func compact(index: UInt64, term: UInt64, membership: Membership?) {
        guard index > snapshotIndex else { return }
        let position = Int(index - snapshotIndex)
        let keeps = position <= entries.count && entries[position - 1].term == term
        entries = keeps ? Array(entries[position...]) : []
        snapshotIndex = index
        snapshotTerm = term
        snapshotMembership = membership ?? snapshotMembership
    }
}

/// One node's disk: writes queue up and become durable after an fsync latency; a crash loses
/// whatever has not synced. With `acknowledgeBeforeSync` (a negative control) the node is told a
/// write is durable as soon as it is issued, while the disk still makes it durable only later:
/// the same as a node that sends before it fsyncs.
public struct SimDisk<Write> {
    public private(set) var durable = DurableLog()
    /// Writes issued and not yet durable, oldest first, with the time each becomes durable.
    public private(set) var pending: [(write: Write, syncsAt: SimMilliseconds)] = []

    public init() {}

    public mutating func issue(_ write: Write, syncsAt time: SimMilliseconds) {
        // One fsync after another: a write never syncs before the one issued before it.
        let after = max(time, pending.last?.syncsAt ?? 0)
        pending.append((write, after))
    }

    /// Makes the oldest pending write durable; returns it.
    public mutating func syncOldest(apply: (inout DurableLog, Write) -> Void) -> Write {
        precondition(!pending.isEmpty, "a sync with nothing pending")
        let write = pending.removeFirst().write
        apply(&durable, write)
        return write
    }

    /// A crash: what has not synced is gone.
    public mutating func crash() {
        pending.removeAll()
    }
}
