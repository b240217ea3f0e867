import Raft
import Server

/// What a node's `raft.db` holds once synced: the model a restart boots from. Batches arrive in
/// the order the node issued them; each one is applied whole (a batch is one transaction and
/// one fsync).
public struct DurableLog: Sendable, Equatable {
    public var hardState = HardState()
    public var snapshotIndex: UInt64 = 0
    public var snapshotTerm: UInt64 = 0
    public var snapshotMembership: Membership?
    public var snapshotChecksum: UInt32 = 0
    /// Entries after the snapshot, contiguous.
    public var entries: [RaftEntry] = []

    public init() {}

    public var lastIndex: UInt64 { entries.last?.index ?? snapshotIndex }

    /// Applies one batch as `RaftLogStore.write` does, in its order: a compaction (entries
    /// through its index deleted, the rest kept), then a truncation, then `newEntries`, which
    /// replace everything from the first one's index on, then the hard state.
    /// Returns what is wrong with the log it leaves (nil: nothing): `RaftBoot.load` refuses a
    /// `raft.db` whose entries do not start right after the snapshot, so that is a violation.
    @discardableResult
    public mutating func write(_ batch: PersistBatch) -> String? {
        let before = "snapshot \(snapshotIndex)/\(snapshotTerm), entries \(entries.first?.index ?? 0)...\(lastIndex)"
        if let compaction = batch.compaction, compaction.index > snapshotIndex {
            entries.removeAll { $0.index <= compaction.index }
            snapshotIndex = compaction.index
            snapshotTerm = compaction.term
            snapshotMembership = compaction.membership
            snapshotChecksum = compaction.checksum
        }
        if let cut = batch.truncateFrom { entries.removeAll { $0.index >= cut } }
        if let first = batch.entries.first {
            entries.removeAll { $0.index >= first.index }
            entries += batch.entries
        }
        if let hardState = batch.hardState { self.hardState = hardState }
        let batchText = "compaction \(batch.compaction.map { "\($0.index)/\($0.term)" } ?? "-"), truncate \(batch.truncateFrom.map(String.init) ?? "-"), "
            + "entries \(batch.entries.first?.index ?? 0)...\(batch.entries.last?.index ?? 0)"
        if let first = entries.first, first.index != snapshotIndex + 1 {
            return "raft.db entries start at \(first.index), after a snapshot at \(snapshotIndex) (was \(before); batch \(batchText))"
        }
        if !zip(entries, entries.dropFirst()).allSatisfy({ $0.index + 1 == $1.index }) {
            return "raft.db entries have a gap (was \(before); batch \(batchText))"
        }
        return nil
    }

    /// What a restart reads back (`RaftBoot.load`).
    public var boot: RaftBoot {
        RaftBoot(hardState: hardState, snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm,
                 snapshotMembership: snapshotMembership, snapshotChecksum: snapshotChecksum, entries: entries)
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
    public mutating func syncOldest(apply: (inout DurableLog, Write) -> String?) -> String? {
        precondition(!pending.isEmpty, "a sync with nothing pending")
        return apply(&durable, pending.removeFirst().write)
    }

    /// A crash: what has not synced is gone.
    public mutating func crash() {
        pending.removeAll()
    }
}
