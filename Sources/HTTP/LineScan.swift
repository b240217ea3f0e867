// Finding the end of a CRLF-terminated line without trusting the sender: RFC 9112 §2.2 allows a
// recipient to accept a bare LF, but a strict server must not, because a proxy in front of it may
// disagree on where the line ends (a classic smuggling vector).

/// The outcome of looking for the end of the current line.
enum LineScan: Equatable {
    /// A complete line; the range holds its content without CRLF.
    case line(Range<Int>)
    /// The line is not complete yet.
    case needMore
    /// The line already holds more content bytes than allowed.
    case tooLong
    /// A LF not preceded by CR.
    case bareLF
    /// A CR not followed by LF.
    case bareCR

    /// Scans `bytes` for the end of the line that starts at `start`, resuming at `resume` (bytes
    /// before it were already scanned). Returns the outcome and where the next scan resumes:
    /// after the CRLF for `.line`, otherwise the first byte not yet judged.
    ///
    /// Each byte is judged once and only on the bytes before it (a CR also on the one after), so
    /// the outcome does not depend on how the bytes were split across reads.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, resume: Int, limit: Int) -> (LineScan, Int) {
        assert(start <= resume && resume <= bytes.count)
        let firstTooMany = start + limit  // content byte at this index or later is over the limit
        // Whole words before the limit without CR or LF are plain content: skip them.
        var index = WordScan.skipWords(bytes, from: resume, end: min(bytes.count, firstTooMany)) {
            !WordScan.containsByte($0, ASCII.cr) && !WordScan.containsByte($0, ASCII.lf)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.lf { return (.bareLF, index) }
            if byte == ASCII.cr {
                guard index + 1 < bytes.count else { return (.needMore, index) }
                return bytes[index + 1] == ASCII.lf ? (.line(start..<index), index + 2) : (.bareCR, index)
            }
            if index >= firstTooMany { return (.tooLong, index) }
            index += 1
        }
        return (.needMore, index)
    }
}
