import Registry

/// The node's random numbers: a seeded generator (SplitMix64), so a node given the same seed and
/// inputs draws the same numbers. The shell seeds it from the kernel at start-up; the simulator
/// from its run seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 16 random bytes as a version-4 UUID string.
    public mutating func uuid() -> String {
        let high = next()
        let low = next()
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: high >> (8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (8 * $0)) }
        return AgentIdentity.formatNodeID(randomBytes: bytes)
    }
}
