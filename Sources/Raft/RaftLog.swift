/// The log as the core sees it: entries after a compaction point (`snapshotIndex`,
/// `snapshotTerm`), the part already durable (`stableIndex`), and the commit and apply marks.
/// The whole uncompacted log is in memory; the shell persists what `unstable` holds and
/// reports it with `stable(through:)`.
public struct RaftLog: Sendable {
    public private(set) var snapshotIndex: UInt64
    public private(set) var snapshotTerm: UInt64
    /// Entries `snapshotIndex + 1 ...`, in order.
    public private(set) var entries: [RaftEntry]
    /// The last index known durable.
    public private(set) var stableIndex: UInt64
    public internal(set) var committed: UInt64
    public private(set) var applied: UInt64
    /// The last entry handed to the shell to persist (`Ready.entries`): a later Ready hands out
    /// only what comes after it, so the shell may persist one batch while the core goes on.
    private(set) var handedOut: UInt64

    public init(snapshotIndex: UInt64 = 0, snapshotTerm: UInt64 = 0, entries: [RaftEntry] = [], committed: UInt64 = 0, applied: UInt64? = nil) {
        precondition(entries.first.map { $0.index == snapshotIndex + 1 } ?? true, "entries must follow the snapshot")
        precondition(zip(entries, entries.dropFirst()).allSatisfy { $0.index + 1 == $1.index && $0.term <= $1.term })
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        self.entries = entries
        stableIndex = entries.last?.index ?? snapshotIndex
        self.committed = max(committed, snapshotIndex)
        self.applied = applied ?? max(committed, snapshotIndex)
        handedOut = stableIndex
    }

    public var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }
    public var lastTerm: UInt64 { entries.last?.term ?? snapshotTerm }
    public var firstIndex: UInt64 { snapshotIndex + 1 }

    /// The term of the entry at `index`, or nil when it is compacted away or beyond the end.
    public func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return entries[Int(index - snapshotIndex - 1)].term
    }

    /// Entries in `range` (clamped to what the log holds).
    public func entries(from start: UInt64, through end: UInt64) -> [RaftEntry] {
        let low = max(start, firstIndex)
        let high = min(end, lastIndex)
        guard low <= high else { return [] }
        return Array(entries[Int(low - snapshotIndex - 1)...Int(high - snapshotIndex - 1)])
    }

    /// Whether a candidate's log (`lastIndex`, `lastTerm`) is at least as up to date as this
    /// one (Raft §5.4.1).
    public func isUpToDate(lastIndex index: UInt64, lastTerm term: UInt64) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// Appends a leader's own new entry.
    mutating func appendLocal(_ entry: RaftEntry) {
        precondition(entry.index == lastIndex + 1 && entry.term >= lastTerm)
        entries.append(entry)
    }

    /// A follower's append: if the log matches at (`prevIndex`, `prevTerm`), entries that
    /// conflict (same index, other term) and everything after them are dropped and the new
    /// ones added; entries already present are kept (a duplicate or reordered append must not
    /// truncate). Returns the index the log now matches the leader through, or nil on mismatch.
    mutating func appendFromLeader(prevIndex: UInt64, prevTerm: UInt64, _ incoming: [RaftEntry]) -> UInt64? {
        if prevIndex < snapshotIndex {
            // The prefix up to the snapshot is committed, hence matches; skip what it covers.
            let skipped = incoming.filter { $0.index > snapshotIndex }
            guard let first = skipped.first else { return snapshotIndex }
            return appendFromLeader(prevIndex: first.index - 1, prevTerm: term(at: first.index - 1) ?? 0, skipped)
        }
        guard term(at: prevIndex) == prevTerm else { return nil }
        for entry in incoming {
            if let existing = term(at: entry.index) {
                if existing == entry.term { continue }
                precondition(entry.index > committed, "a leader overwrote committed entry \(entry.index)")
                entries.removeSubrange(Int(entry.index - snapshotIndex - 1)...)
                stableIndex = min(stableIndex, entry.index - 1)
                handedOut = min(handedOut, entry.index - 1)
            }
            entries.append(entry)
        }
        return prevIndex + UInt64(incoming.count)
    }

    /// Entries not yet durable.
    public var unstable: [RaftEntry] { entries(from: stableIndex + 1, through: lastIndex) }

    /// Entries not yet durable and not yet handed out; marks them handed out.
    mutating func takeUnpersisted() -> [RaftEntry] {
        let batch = entries(from: max(stableIndex, handedOut) + 1, through: lastIndex)
        handedOut = lastIndex
        return batch
    }

    /// Whether entries wait to be handed out for persisting.
    var hasUnpersisted: Bool { lastIndex > max(stableIndex, handedOut) }

    /// The shell made entries through `index` durable (they may have been replaced since:
    /// only the part still in the log at the same term counts).
    mutating func stable(through index: UInt64, term: UInt64) {
        guard index > stableIndex, self.term(at: index) == term else { return }
        stableIndex = index
    }

    /// Committed entries not yet handed out for applying.
    public var committedUnapplied: [RaftEntry] { entries(from: applied + 1, through: committed) }

    mutating func applied(through index: UInt64) {
        precondition(index <= committed)
        applied = max(applied, index)
    }

    /// Replaces the log with a snapshot's point: everything through `index` is in the state
    /// machine. Entries after it that agree with it are kept (a snapshot of a prefix this log
    /// already has loses nothing).
    mutating func restore(index: UInt64, term: UInt64) {
        if self.term(at: index) == term {
            entries = entries.filter { $0.index > index }
        } else {
            entries = []
        }
        snapshotIndex = index
        snapshotTerm = term
        committed = max(committed, index)
        applied = max(applied, index)
        stableIndex = max(index, min(stableIndex, lastIndex))
        handedOut = max(index, min(handedOut, lastIndex))
    }

    /// Drops entries through `index` (already applied and snapshotted) and returns the storage
    /// that held them, for the caller to free where it costs nothing: after 30 s of heavy writes
    /// it holds some 400,000 entries, and freeing their buffers in place held the loop for
    /// 13-16 ms per 100,000. Only the entries kept (those since the snapshot began, few) are
    /// copied; the returned array still lists them, sharing their buffers.
    mutating func compact(through index: UInt64) -> [RaftEntry] {
        precondition(index <= applied, "compacting unapplied entries")
        guard index > snapshotIndex, let term = term(at: index) else { return [] }
        let old = entries
        entries = Array(old[Int(index - snapshotIndex)...])
        snapshotIndex = index
        snapshotTerm = term
        return old
    }
}
