/// A snapshot file of `state.db` as written by `StateStore.snapshot(to:)`.
public struct SnapshotInfo: Sendable, Equatable {
    /// The applied index of the state it holds: the last Raft index whose effects it contains.
    public var index: UInt64
    /// CRC-32C of the file's bytes, to check before restoring (and after a transfer).
    public var checksum: UInt32
    /// The file's length in bytes.
    public var bytes: Int

    public init(index: UInt64, checksum: UInt32, bytes: Int) {
        self.index = index
        self.checksum = checksum
        self.bytes = bytes
    }
}
