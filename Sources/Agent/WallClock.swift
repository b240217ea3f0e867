import Glibc
import API

/// The shell's only reader of wall-clock time (the core gets time as input).
enum WallClock {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The HTTP `Date` value for now (RFC 9110 §5.6.7 IMF-fixdate), e.g. "Sun, 29 Nov 2026 17:00:00 GMT".
    static func httpDateNow() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let day = String(parts.tm_mday).leftPadded(2)
        let clock = [parts.tm_hour, parts.tm_min, parts.tm_sec].map { String($0).leftPadded(2) }.joined(separator: ":")
        return "\(days[Int(parts.tm_wday)]), \(day) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(clock) GMT"
    }

    /// Milliseconds since the Unix epoch.
    static func unixMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec / 1_000_000)
    }

    /// ISO 8601 UTC with milliseconds, for logs.
    static func iso8601Now() -> String {
        Timestamp.iso8601(milliseconds: unixMilliseconds())
    }
}
