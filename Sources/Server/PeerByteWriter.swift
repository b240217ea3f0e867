/// Appends fields in the peer wire's layout: integers fixed-width big-endian, booleans and
/// presence bytes as 0 or 1, byte arrays and strings as a u32 length then the bytes.
struct PeerByteWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func u64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// A count of elements; the wire holds 32 bits, more is a caller's bug (frames stop far below).
    mutating func count(_ count: Int) {
        precondition(count >= 0 && count <= Int(UInt32.max), "a peer wire count must fit 32 bits")
        u32(UInt32(count))
    }

    mutating func byteArray(_ value: [UInt8]) {
        count(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) {
        count(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    mutating func optionalID(_ value: UInt64?) {
        bool(value != nil)
        if let value { u64(value) }
    }

    mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }
}
