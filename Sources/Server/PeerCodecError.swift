/// Why bytes are not a `PeerMessage` or a `PeerHandshake`. Offsets count from the first byte of
/// the encoding; `field` names the value being read ("append.entries", "status.nodeName", ...).
///
/// Every case means the same to the transport: the peer sent something this build cannot read,
/// so the connection is closed. The description is what the warning log shows.
public enum PeerCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A tag byte (`type` names the enum) has no case with this value.
    case unknownTag(type: String, tag: UInt8, offset: Int)
    /// The bytes end inside `field`, which starts at `offset`.
    case truncated(field: String, offset: Int)
    /// A count or length at `offset` promises more than the bytes that remain could hold.
    case countTooLarge(field: String, count: UInt64, remaining: Int, offset: Int)
    /// A boolean or presence byte is neither 0 nor 1.
    case invalidFlag(field: String, byte: UInt8, offset: Int)
    /// A string is not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// A snapshot's membership bytes are not something `Membership.encoded` writes.
    case badMembership(offset: Int)
    /// Bytes are left after a complete value.
    case trailingBytes(count: Int, offset: Int)

    public var description: String {
        switch self {
        case .unknownTag(let type, let tag, let offset):
            "unknown \(type) tag \(tag) at offset \(offset)"
        case .truncated(let field, let offset):
            "truncated at field \(field) (offset \(offset))"
        case .countTooLarge(let field, let count, let remaining, let offset):
            "count \(count) of field \(field) at offset \(offset) is larger than the \(remaining) remaining bytes allow"
        case .invalidFlag(let field, let byte, let offset):
            "field \(field) at offset \(offset) is \(byte), not a boolean (0 or 1)"
        case .invalidUTF8(let field, let offset):
            "field \(field) at offset \(offset) is not valid UTF-8"
        case .badMembership(let offset):
            "bad membership at offset \(offset)"
        case .trailingBytes(let count, let offset):
            "\(count) trailing bytes after offset \(offset)"
        }
    }
}
