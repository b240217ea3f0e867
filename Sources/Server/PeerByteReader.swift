import Registry

/// Reads the peer wire's fixed-width big-endian fields (`PeerByteWriter`'s layout) and refuses
/// what it would not write: short reads, flags other than 0 and 1, invalid UTF-8, counts that
/// promise more than the bytes that remain. Nothing is allocated from a count before that check,
/// so memory stays proportional to the input.
struct PeerByteReader {
    private let bytes: [UInt8]
    /// Index of the next byte to read.
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Bytes not yet read.
    var remaining: Int { bytes.count - offset }

    mutating func u8(_ field: String) throws(PeerCodecError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(field: field, offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32(_ field: String) throws(PeerCodecError) -> UInt32 {
        UInt32(truncatingIfNeeded: try bigEndian(field, width: 4))
    }

    mutating func u64(_ field: String) throws(PeerCodecError) -> UInt64 {
        try bigEndian(field, width: 8)
    }

    private mutating func bigEndian(_ field: String, width: Int) throws(PeerCodecError) -> UInt64 {
        guard remaining >= width else { throw .truncated(field: field, offset: offset) }
        var value: UInt64 = 0
        for index in offset..<offset + width { value = value << 8 | UInt64(bytes[index]) }
        offset += width
        return value
    }

    /// A byte that must be 0 or 1.
    mutating func bool(_ field: String) throws(PeerCodecError) -> Bool {
        let start = offset
        let byte = try u8(field)
        guard byte <= 1 else { throw .invalidFlag(field: field, byte: byte, offset: start) }
        return byte == 1
    }

    /// A u32 count of elements that each take at least `minimumElementBytes` on the wire:
    /// refused when the bytes that remain could not hold that many.
    mutating func count(_ field: String, minimumElementBytes: Int) throws(PeerCodecError) -> Int {
        precondition(minimumElementBytes >= 1)
        let start = offset
        let count = try u32(field)
        guard UInt64(count) * UInt64(minimumElementBytes) <= UInt64(remaining) else {
            throw .countTooLarge(field: field, count: UInt64(count), remaining: remaining, offset: start)
        }
        return Int(count)
    }

    /// A u32 length, then that many bytes.
    mutating func byteArray(_ field: String) throws(PeerCodecError) -> [UInt8] {
        let length = try count(field, minimumElementBytes: 1)
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    /// A u32 length, then that many bytes of UTF-8.
    mutating func string(_ field: String) throws(PeerCodecError) -> String {
        let start = offset
        let length = try count(field, minimumElementBytes: 1)
        guard let text = String(strictUTF8: bytes[offset..<offset + length]) else {
            throw .invalidUTF8(field: field, offset: start)
        }
        offset += length
        return text
    }

    /// A presence byte, then the ID when present.
    mutating func optionalID(_ field: String) throws(PeerCodecError) -> UInt64? {
        guard try bool(field) else { return nil }
        return try u64(field)
    }

    /// Succeeds only when every byte was read.
    func finish() throws(PeerCodecError) {
        guard remaining == 0 else { throw .trailingBytes(count: remaining, offset: offset) }
    }

    mutating func optionalString(_ field: String) throws(PeerCodecError) -> String? {
        try bool(field) ? try string(field) : nil
    }
}
