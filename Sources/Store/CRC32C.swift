/// CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, initial value and final XOR
/// 0xFFFFFFFF, as in iSCSI (RFC 3720 §B.4) and ext4. Table-driven, one byte at a time.
///
/// Chosen over CRC-32 (IEEE) for its better error detection on the short records we checksum.
/// Feed it bytes with the `update` methods; integers go in little-endian, so the value of a
/// record does not depend on the machine that wrote it.
public struct CRC32C: Sendable, Equatable {
    private static let polynomial: UInt32 = 0x82F6_3B78

    private static let table: [UInt32] = (0..<256).map { byte in
        var remainder = UInt32(byte)
        for _ in 0..<8 {
            remainder = remainder & 1 == 1 ? (remainder >> 1) ^ polynomial : remainder >> 1
        }
        return remainder
    }

    private var state: UInt32 = 0xFFFF_FFFF

    /// A checksum of nothing yet.
    public init() {}

    /// The checksum of everything fed so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The checksum of `bytes` alone.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds borrowed bytes (a slice of a read buffer, without copying it into an array).
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        Self.table.withUnsafeBufferPointer { table in
            var crc = state
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
            state = crc
        }
    }

    /// Feeds one byte.
    public mutating func update(_ byte: UInt8) {
        state = Self.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
    }

    /// Feeds the eight bytes of `value`, least significant first.
    public mutating func update(littleEndian value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            update(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }
}
