// Eight bytes at a time ("SIMD within a register"): the parser's hot loops skip runs of ordinary
// bytes with these tests and look at single bytes only where something may need attention.
// Each test is exact about whether a byte in the word matches (borrows can only disturb bytes
// after a true match), so skipping a word never skips a byte the byte loop would have judged.

/// Tests on the eight bytes of a little- or big-endian UInt64 (byte order does not matter).
enum WordScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// True when one of the bytes equals `byte`.
    @inline(__always)
    static func containsByte(_ word: UInt64, _ byte: UInt8) -> Bool {
        containsZero(word ^ (ones &* UInt64(byte)))
    }

    /// True when one of the bytes is zero.
    @inline(__always)
    static func containsZero(_ word: UInt64) -> Bool {
        (word &- ones) & ~word & highBits != 0
    }

    /// True when one of the bytes is below `limit` (limit <= 128); bytes >= 0x80 never count.
    @inline(__always)
    static func containsByteBelow(_ word: UInt64, _ limit: UInt8) -> Bool {
        assert(limit <= 128)
        return (word &- ones &* UInt64(limit)) & ~word & highBits != 0
    }

    /// True when one of the bytes is 0x80 or above.
    @inline(__always)
    static func containsHighByte(_ word: UInt64) -> Bool {
        word & highBits != 0
    }

    /// The first index in `start..<end` where `isPlain` is false for the word holding it, moving
    /// eight bytes at a time; the caller continues byte by byte from there.
    @inline(__always)
    static func skipWords(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, end: Int,
                          while isPlain: (UInt64) -> Bool) -> Int {
        guard let base = bytes.baseAddress else { return start }
        assert(end <= bytes.count)
        let raw = UnsafeRawPointer(base)
        var index = start
        while index + 8 <= end, isPlain(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
            index += 8
        }
        return index
    }
}
