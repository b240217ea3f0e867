/// One Raft log entry as stored in `raft.db`. The Raft module owns what `kind` and `data` mean;
/// the store keeps them opaque and guards them with a checksum.
public struct LogEntryRecord: Sendable, Equatable {
    /// The entry's Raft index (1 is the first entry ever).
    public var index: UInt64
    /// The leader's term when the entry was created.
    public var term: UInt64
    /// The entry type, as the Raft module numbers it.
    public var kind: UInt8
    /// The entry's payload.
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, kind: UInt8, data: [UInt8]) {
        self.index = index
        self.term = term
        self.kind = kind
        self.data = data
    }

    /// CRC-32C over index and term (8 bytes each, little-endian), kind (1 byte), then data.
    public var checksum: UInt32 {
        var crc = CRC32C()
        crc.update(littleEndian: index)
        crc.update(littleEndian: term)
        crc.update(kind)
        crc.update(data)
        return crc.value
    }
}
