import Raft
import Registry

/// UUIDs drawn from the node's generator (`SplitMix64`, in the Raft module).
extension SplitMix64 {
    /// 16 random bytes as a version-4 UUID string.
    ///
    /// Every request draws one (`RequestEnvironment.newID`), so it is formatted straight into
    /// the string's storage; debug builds check it against `AgentIdentity.formatNodeID`.
    public mutating func uuid() -> String {
        let high = next()
        let low = next()
        let id = Self.formatUUID(high: high, low: low)
        assert(id == AgentIdentity.formatNodeID(randomBytes: Self.bytes(high: high, low: low)), "uuid formats as formatNodeID")
        return id
    }

    /// The bytes of `high` then `low`, each least significant first.
    private static func bytes(high: UInt64, low: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (8 * $0)) }
    }

    /// `formatNodeID` of `bytes(high:low:)`: version 4, RFC 4122 variant, lowercase 8-4-4-4-12.
    private static func formatUUID(high: UInt64, low: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { out in
            var written = 0
            for position in 0..<16 {
                if position == 4 || position == 6 || position == 8 || position == 10 {
                    out[written] = UInt8(ascii: "-")
                    written += 1
                }
                let word = position < 8 ? high : low
                var byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(position % 8)))
                if position == 6 { byte = (byte & 0x0f) | 0x40 }  // version 4
                if position == 8 { byte = (byte & 0x3f) | 0x80 }  // RFC 4122 variant
                out[written] = digits.utf8Start[Int(byte >> 4)]
                out[written + 1] = digits.utf8Start[Int(byte & 0x0f)]
                written += 2
            }
            precondition(written == 36, "a UUID is 36 characters")
            return written
        }
    }
}
