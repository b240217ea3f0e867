/// Raft's persistent state besides the log (Raft thesis Figure 3.1: currentTerm, votedFor),
/// plus the commit index so a restart need not rediscover it.
public struct HardStateRecord: Sendable, Equatable {
    /// The latest term this server has seen.
    public var term: UInt64
    /// The node this server voted for in `term`, if any.
    public var vote: String?
    /// The highest index known to be committed.
    public var commitIndex: UInt64

    public init(term: UInt64, vote: String?, commitIndex: UInt64) {
        self.term = term
        self.vote = vote
        self.commitIndex = commitIndex
    }

    /// The state of a server that has never run: term 0, no vote, nothing committed.
    public static let initial = HardStateRecord(term: 0, vote: nil, commitIndex: 0)

    /// CRC-32C over term and commit index (8 bytes each, little-endian), then a 0 byte for no
    /// vote or a 1 byte followed by the vote's UTF-8 bytes.
    public var checksum: UInt32 {
        var crc = CRC32C()
        crc.update(littleEndian: term)
        crc.update(littleEndian: commitIndex)
        if let vote {
            crc.update(1)
            crc.update(Array(vote.utf8))
        } else {
            crc.update(0)
        }
        return crc.value
    }
}
