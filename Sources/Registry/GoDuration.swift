/// Durations as Consul's API and configuration write them: Go duration strings ("10s", "1m30s",
/// "100ms", "1.5h", "0.001s") or a bare number of nanoseconds.
public enum GoDuration {
    /// Nanoseconds per unit, longest suffix first so "ms" is not read as "m" then "s".
    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Parses a Go duration string into nanoseconds; nil if malformed or out of range.
    public static func parseNanoseconds(_ text: String) -> Int64? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.first == "-" || rest.first == "+" {
            sign = rest.first == "-" ? -1 : 1
            rest = rest.dropFirst()
        }
        if rest == "0" { return 0 }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let (suffix, scale) = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(suffix.count)
            total += value * scale
        }
        total *= sign
        guard total.magnitude < 9.2e18 else { return nil }
        return Int64(total)
    }

    /// Formats nanoseconds exactly as Go's `time.Duration.String()` does: "10s", "1m30s",
    /// "100ms", "1.5µs", "1m0.000000001s", "0s".
    public static func format(nanoseconds: Int64) -> String {
        if nanoseconds == 0 { return "0s" }
        let negative = nanoseconds < 0
        let magnitude = nanoseconds.magnitude
        var text: String
        if magnitude < 1_000 {
            text = "\(magnitude)ns"
        } else if magnitude < 1_000_000 {
            text = decimal(magnitude, unit: 1_000) + "µs"
        } else if magnitude < 1_000_000_000 {
            text = decimal(magnitude, unit: 1_000_000) + "ms"
        } else {
            let hours = magnitude / 3_600_000_000_000
            let minutes = (magnitude / 60_000_000_000) % 60
            let seconds = decimal(magnitude % 60_000_000_000, unit: 1_000_000_000)
            text = (hours > 0 ? "\(hours)h" : "") + (hours > 0 || minutes > 0 ? "\(minutes)m" : "") + seconds + "s"
        }
        return negative ? "-" + text : text
    }

    /// `value / unit` in decimal, exactly (integer arithmetic, no Double), with the fraction's
    /// trailing zeros dropped as Go drops them: 1_500_000 / 1_000_000 is "1.5", 60_000_000_001 ns
    /// is "1m0.000000001s".
    private static func decimal(_ value: UInt64, unit: UInt64) -> String {
        precondition(unit > 1 && unit <= 1_000_000_000, "units are powers of ten up to a second")
        let whole = value / unit
        var fraction = value % unit
        guard fraction > 0 else { return "\(whole)" }
        var width = String(unit).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: width - digits.count) + digits
    }
}
