/// How `state.db` survives a stop (DESIGN.md §6 leaves the level open; README's architecture
/// section gives the reasons for the choice the agent makes).
///
/// `state.db` is derived: every entry it holds is in `raft.db` (fsynced before it was
/// acknowledged) or in the snapshot (fsynced before the log was compacted past it). Syncing it
/// only protects against a machine that stops (power loss, kernel crash): a process that dies
/// leaves its writes in the page cache, and SQLite's WAL keeps the file consistent through any
/// process crash whatever the `synchronous` level.
public enum StateDurability: Sendable, Equatable {
    /// `synchronous = NORMAL`: checkpoints fsync the WAL and the database, so the file survives
    /// a power loss by itself (it may lose its newest commits, which the log replays).
    case synced
    /// `synchronous = OFF`: no fsync at all while the node runs, one on a clean close. A
    /// marker file records the kernel's boot ID while the file may hold unsynced writes; if the
    /// machine restarted since (the boot ID differs, or is unknown), the database is deleted at
    /// the next open and rebuilt from the snapshot and the log (`StateRecovery`).
    case unsyncedUntilCleanStop(bootID: String?)
}

/// The open-time decision for `StateDurability.unsyncedUntilCleanStop`. Pure.
public enum StateRecovery {
    /// The marker file, next to `state.db`.
    public static let markerFileName = "state.db-boot"
    /// The marker's content after a clean close: the files were synced.
    static let cleanMarker = "clean"
    /// Written when the boot ID cannot be read: any unclean stop then counts as a machine stop.
    static let unknownBoot = "unknown"

    public enum Decision: Sendable, Equatable {
        /// The file is as the last process left it.
        case keep
        /// The machine stopped while the file held unsynced writes: it may be torn.
        case rebuild
    }

    /// `marker` is the marker file's content (nil when there is none: the folder is new, or was
    /// last used with `.synced`); `bootID` the current boot's (nil when unknown).
    public static func decide(marker: String?, bootID: String?) -> Decision {
        guard let marker, marker != cleanMarker else { return .keep }
        if let bootID, marker == bootID, marker != unknownBoot { return .keep }
        return .rebuild
    }
}
