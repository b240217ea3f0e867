// The little of the protobuf wire format (protobuf.dev/programming-guides/encoding) a gRPC health
// answer needs: varints, and skipping the fields a message does not know. Pure.

/// Reads protobuf varints and skips fields; every read is bounds-checked and fails as nil.
struct ProtobufReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    /// A base-128 varint of at most 10 bytes (64 bits); nil when cut short or longer.
    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard offset < bytes.count else { return nil }
            let byte = bytes[offset]
            offset += 1
            // The tenth byte holds bit 63 only.
            if shift == 63 && byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }

    /// Skips one field's value of `wireType`; false when it runs past the end or the wire
    /// type is unknown (or a deprecated group).
    mutating func skip(wireType: UInt64) -> Bool {
        switch wireType {
        case 0: return varint() != nil
        case 1: return advance(8)
        case 2:
            guard let length = varint(), length <= UInt64(bytes.count - offset) else { return false }
            return advance(Int(length))
        case 5: return advance(4)
        default: return false
        }
    }

    private mutating func advance(_ count: Int) -> Bool {
        guard count <= bytes.count - offset else { return false }
        offset += count
        assert(offset <= bytes.count)
        return true
    }
}
