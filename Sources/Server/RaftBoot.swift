import Raft
import Store

/// What `raft.db` holds at start-up: the hard state, where the log starts (after a snapshot,
/// if it was compacted) and the entries after that.
public struct RaftBoot: Sendable {
    public var hardState: HardState
    public var snapshotIndex: UInt64
    public var snapshotTerm: UInt64
    /// The membership in force at the snapshot point.
    public var snapshotMembership: Membership?
    /// The snapshot file's CRC-32C (`ServerConfig.snapshotPath`).
    public var snapshotChecksum: UInt32
    public var entries: [RaftEntry]

    public init(hardState: HardState = HardState(), snapshotIndex: UInt64 = 0, snapshotTerm: UInt64 = 0,
                snapshotMembership: Membership? = nil, snapshotChecksum: UInt32 = 0, entries: [RaftEntry] = []) {
        self.hardState = hardState
        self.snapshotIndex = snapshotIndex
        self.snapshotTerm = snapshotTerm
        self.snapshotMembership = snapshotMembership
        self.snapshotChecksum = snapshotChecksum
        self.entries = entries
    }

    /// A server that has never run.
    public static let empty = RaftBoot()

    /// Whether this server was ever part of a cluster (bootstrapped it, or joined one).
    public var isBootstrapped: Bool { snapshotIndex > 0 || !entries.isEmpty }

    /// The core as of this state. Everything through `applied` (the state store's applied
    /// index) is committed: only committed entries are ever applied.
    func makeNode(config: ServerConfig, applied: UInt64, seed: UInt64) -> RaftNode {
        let last = entries.last?.index ?? snapshotIndex
        let applied = min(max(applied, snapshotIndex), last)
        let log = RaftLog(snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm, entries: entries,
                          committed: max(min(hardState.commit, last), applied), applied: applied)
        return RaftNode(config: RaftConfig(id: config.raftID, voters: []), log: log, hardState: hardState,
                        seed: seed, snapshotMembership: snapshotMembership)
    }

    /// Reads `raft.db`. An entry this build does not know, or a log that does not start with
    /// a membership entry, is refused with a message: that folder was written by something else.
    public static func load(from log: RaftLogStore) throws(StoreError) -> RaftBoot {
        let stored = try log.loadHardState()
        var boot = RaftBoot()
        if let meta = try log.loadSnapshotMeta() {
            guard let membership = Membership.decode(meta.configuration) else {
                throw .corrupt("raft.db snapshot metadata holds no valid membership")
            }
            boot.snapshotIndex = meta.index
            boot.snapshotTerm = meta.term
            boot.snapshotMembership = membership
            boot.snapshotChecksum = meta.checksum
        }
        let last = try log.lastIndex
        if last > boot.snapshotIndex {
            for record in try log.entries(from: boot.snapshotIndex + 1, to: last + 1) {
                guard let kind = RaftEntry.Kind(rawValue: record.kind) else {
                    throw .corrupt("raft.db entry \(record.index) has kind \(record.kind), which this build does not know")
                }
                boot.entries.append(RaftEntry(index: record.index, term: record.term, kind: kind, data: record.data))
            }
            guard boot.entries.first?.index == boot.snapshotIndex + 1 else {
                throw .corrupt("raft.db entries start at \(boot.entries.first?.index ?? 0), not right after the snapshot at \(boot.snapshotIndex)")
            }
        }
        if boot.snapshotIndex == 0, let first = boot.entries.first, first.kind != .membership || Membership.decode(first.data) == nil {
            throw .corrupt("raft.db does not start with a cluster membership: it was written by a Gravity before Raft; start with an empty -data-dir")
        }
        var vote: RaftNodeID?
        if let text = stored.vote {
            guard let id = RaftNodeID(text) else { throw .corrupt("raft.db hard state has vote \(text), not a server ID") }
            vote = id
        }
        boot.hardState = HardState(term: stored.term, vote: vote, commit: stored.commitIndex)
        return boot
    }
}

/// One Raft persistence step for `raft.db`: written in one transaction with one fsync.
public struct PersistBatch: Sendable, Equatable {
    public var hardState: HardState?
    /// Entries to store; whatever the log held from the first one's index on is replaced.
    public var entries: [RaftEntry]
    /// The log now starts after a snapshot: record it and delete the entries it covers.
    public var compaction: LogCompaction?
    /// Delete stored entries from this index on (a snapshot replaced a log that disagreed).
    public var truncateFrom: UInt64?

    public init(hardState: HardState? = nil, entries: [RaftEntry] = [], compaction: LogCompaction? = nil, truncateFrom: UInt64? = nil) {
        self.hardState = hardState
        self.entries = entries
        self.compaction = compaction
        self.truncateFrom = truncateFrom
    }

    /// Folds a later batch into this one (both still waiting for the disk), so that proposals
    /// arriving during one fsync share the next (group commit).
    public mutating func merge(_ later: PersistBatch) {
        if let state = later.hardState { hardState = state }
        if let compaction = later.compaction {
            self.compaction = compaction
            // The log now starts after the snapshot: entries it covers are gone, not rewritten.
            entries.removeAll { $0.index <= compaction.index }
        }
        if let cut = later.truncateFrom {
            truncateFrom = min(truncateFrom ?? cut, cut)
            entries.removeAll { $0.index >= cut }
        }
        if let first = later.entries.first {
            // Entries are in index order: only a later batch that rewrites some needs a scan.
            if let last = entries.last, last.index >= first.index { entries.removeAll { $0.index >= first.index } }
            if entries.last.map({ $0.index + 1 != first.index }) ?? false {
                // A gap cannot happen (batches continue one another); keep the store consistent anyway.
                truncateFrom = min(truncateFrom ?? first.index, first.index)
            }
            entries += later.entries
        }
    }

    /// What `RaftLogStore.write` takes.
    public var records: [LogEntryRecord] {
        entries.map { LogEntryRecord(index: $0.index, term: $0.term, kind: $0.kind.rawValue, data: $0.data) }
    }

    public var hardStateRecord: HardStateRecord? {
        hardState.map { HardStateRecord(term: $0.term, vote: $0.vote.map { String($0) }, commitIndex: $0.commit) }
    }

    /// The first step of making a batch durable, off the loop: the leader's snapshot it
    /// installs (if any) is written to `snapshotPath`, durably, and its checksum goes into the
    /// compaction that raft.db then records. A crash after this and before raft.db's commit
    /// leaves the new file beside the old one, which start-up puts back (`settleSnapshot`).
    public mutating func writeInstalledSnapshot(to snapshotPath: String) throws(StoreError) {
        guard let data = compaction?.installing else { return }
        compaction!.checksum = try StateStore.writeSnapshot(data, to: snapshotPath)
        compaction!.installing = nil
    }
}

/// Where the log starts after a snapshot (taken here, or installed from the leader).
public struct LogCompaction: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var membership: Membership
    /// The snapshot file's CRC-32C.
    public var checksum: UInt32
    /// The leader's snapshot, when this compaction installs one: whoever makes the batch
    /// durable writes it to the snapshot file first, durably, and records its checksum
    /// (`PersistBatch.writeInstalledSnapshot`). Nil for a snapshot this server took, which is
    /// on disk already.
    public var installing: [UInt8]?

    public init(index: UInt64, term: UInt64, membership: Membership, checksum: UInt32, installing: [UInt8]? = nil) {
        self.index = index
        self.term = term
        self.membership = membership
        self.checksum = checksum
        self.installing = installing
    }

    public var meta: SnapshotMeta {
        SnapshotMeta(index: index, term: term, configuration: membership.encoded, checksum: checksum)
    }
}
