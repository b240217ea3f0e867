import Registry

/// A committed command with its Raft index, ready for `StateStore.apply(_:)`.
public struct IndexedCommand: Sendable, Equatable {
    /// The Raft index of the entry that carried the command.
    public var index: UInt64
    /// The command.
    public var command: Command
    /// The leader's wall clock (Unix milliseconds) when it proposed the entry, if the log entry
    /// records one. It must come from the log, identical on every replica, never from the
    /// applying node's clock. Lock-delay needs it (see `StateStore.apply`); when it is nil, the
    /// time a command carries itself (`sessionCreate`, `sessionRenew`) is used, if any.
    public var leaderMilliseconds: UInt64?

    public init(index: UInt64, command: Command, leaderMilliseconds: UInt64? = nil) {
        self.index = index
        self.command = command
        self.leaderMilliseconds = leaderMilliseconds
    }

    /// The time apply may use: the command's own, else the entry's.
    var effectiveMilliseconds: UInt64? {
        switch command {
        case .sessionCreate(_, let now), .sessionRenew(_, let now): now
        case .catalogRegister, .catalogDeregister, .serviceRegister, .serviceDeregister, .checkRegister,
            .checkDeregister, .checkUpdate, .kv, .sessionDestroy, .txn, .eventFire, .ttlExpired,
            .configPut, .configDelete, .leaseGrant, .leaseRelease, .checkResult, .nodeLiveness:
            leaderMilliseconds
        }
    }
}
