// Writing a response head into a scratch buffer of exactly the measured size, so that the
// caller's [UInt8] is appended to once (each Array.append costs tens of instructions of checks).

/// Appends bytes into a fixed, preallocated region; overflow is a bug in the measurement.
struct WireWriter {
    private let region: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ region: UnsafeMutableBufferPointer<UInt8>) {
        self.region = region
    }

    /// True when exactly the whole region has been written.
    var isFull: Bool { count == region.count }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= region.count, "response head longer than measured")
        guard let source = bytes.baseAddress, let target = region.baseAddress else { return }
        (target + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { write($0) }
    }

    mutating func write(_ byte: UInt8) {
        precondition(count < region.count, "response head longer than measured")
        region[count] = byte
        count += 1
    }

    /// A header field value: CR, LF and NUL become spaces, so no value can end the line early.
    mutating func writeFieldValue(_ bytes: UnsafeBufferPointer<UInt8>) {
        let start = count
        write(bytes)
        let clean = WordScan.skipWords(bytes, from: 0, end: bytes.count) {
            !WordScan.containsByte($0, ASCII.cr) && !WordScan.containsByte($0, ASCII.lf) && !WordScan.containsZero($0)
        }
        for index in (start + clean)..<count where region[index] == ASCII.cr || region[index] == ASCII.lf || region[index] == 0 {
            region[index] = ASCII.space
        }
    }

    /// Decimal digits of a non-negative integer.
    mutating func writeDecimal(_ value: Int) {
        precondition(value >= 0)
        let digits = Self.decimalDigitCount(value)
        precondition(count + digits <= region.count, "response head longer than measured")
        var remaining = value
        for offset in stride(from: count + digits - 1, through: count, by: -1) {
            region[offset] = UInt8(truncatingIfNeeded: 0x30 + remaining % 10)
            remaining /= 10
        }
        count += digits
    }

    static func decimalDigitCount(_ value: Int) -> Int {
        assert(value >= 0)
        var digits = 1, remaining = value
        while remaining >= 10 {
            remaining /= 10
            digits += 1
        }
        return digits
    }
}
