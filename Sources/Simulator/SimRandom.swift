import Raft
import Server

/// The simulator's randomness: one seeded SplitMix64 (the node's own generator), so a run is a
/// function of its seed. Each concern (network, faults, workload) draws from its own stream,
/// split off the run seed, so adding a draw to one does not shift the others' schedules.
public struct SimRandom: Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    /// An independent stream for one concern, named by `salt`.
    public func split(_ salt: UInt64) -> SimRandom {
        var copy = generator
        return SimRandom(seed: copy.next() ^ (salt &* 0x9E37_79B9_7F4A_7C15))
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// A number in `0..<bound` (bound > 0). The modulo bias is irrelevant for schedules.
    public mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "an empty range has no numbers")
        return next() % bound
    }

    /// A number in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound + 1)))
    }

    /// A number in `range`, for milliseconds.
    public mutating func uint(in range: ClosedRange<UInt64>) -> UInt64 {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `percent` / 100.
    public mutating func chance(_ percent: Double) -> Bool {
        guard percent > 0 else { return false }
        return Double(next() >> 11) / Double(1 << 53) * 100 < percent
    }

    /// A fraction in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "nothing to pick from")
        return items[Int(below(UInt64(items.count)))]
    }

    /// `items` in a random order (Fisher-Yates).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var result = items
        for index in result.indices.reversed() where index > 0 {
            result.swapAt(index, Int(below(UInt64(index + 1))))
        }
        return result
    }
}
